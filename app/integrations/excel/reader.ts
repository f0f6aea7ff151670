// Reads the Products sheet of an uploaded workbook into SourceRecords for the sync engine.
//
// The file is checked first (workbook-file.ts: type, zip bomb, structure), then read twice. The
// first pass notes the last row of every handle, from the sheet's XML (handle-scan.ts; with
// exceljs when the scan cannot read the handles exactly); the second streams the rows through
// exceljs's worksheet parser (sheetRows, on a thread of its own: sheet-thread.ts), parses every
// cell and hands over each product as soon as its last row has been read, so memory holds the
// rows of the products still open, not the file (all of it only when every product has a row
// near the end).
//
// Rules (see also columns.ts for the layout):
// - one row per variant; rows with the same Product Handle (case-insensitive) are one product,
//   wherever they are in the sheet;
// - every value goes through the registry's parseFieldValue; empty cells mean "no value in this
//   file" (the field is left out, never set to empty);
// - product-level fields may be filled on one row of the product or repeated; two rows with
//   different values are a conflict (an error on the later row's cell);
// - product-level fields with variantOverride (materials, weight, country of production …): when
//   every row that has a value has the same value, it is the product's value; when rows differ,
//   each row's value becomes that variant's own value (an override) and the product gets none;
// - variant-level fields (SKU, barcode, options) belong to the row's variant; option names may be
//   given on one row only (as in Shopify's CSV);
// - variant externalId: SKU, else GTIN-14, else "<handle>/<option values joined by />", else the
//   handle for the product's first variant without any of these, "<handle>#<n>" for the n-th
//   (never a row number: see buildProduct);
// - a product with any error is left out of `records` (its handle is in `productsWithErrors`);
//   while streaming, a product handed over may still turn out to be in error (its SKU repeated
//   further down): a stream is only valid when it ends without errors.
//   Errors block a full import: the caller should not commit a file with errors in "full" scope,
//   because the products left out would look deleted;
// - unknown columns are warnings; rows marked "Archived in source: Yes" (written on export) are
//   not imported, with a warning each: their variants stay as they are;
// - rows repeated or out of order make the sheet damaged (WorkbookRejected).
import { canonicalJson, isCountryCode, type FieldDef, type FieldValues } from "../../catalog/fields";
import type { SourceRecord, SourceVariant } from "../../sync/records";
import {
  canonicalLocale,
  cellRef,
  columnLetter,
  type Column,
  type GroupKind,
  GROUP_PARTS,
  isGroupKind,
  HANDLE_HEADER,
  matchHeaders,
  PRODUCTS_SHEET,
  fieldColumn,
} from "./columns";
import {
  asCountryText,
  asDate,
  asGtinText,
  asNumber,
  asText,
  detach,
  displayGtin,
  quote,
  rawCell,
  splitList,
  splitUrls,
  urlText,
  type RawCell,
} from "./cells";
import { formatCount, type Limits, resolveLimits, WorkbookRejected } from "./limits";
import { DEFAULT_REGISTRY, type FieldRegistry, splitParseError } from "./registry";
import { scanLastRowOfEachHandle } from "./handle-scan";
import { parseSharedStrings, type SharedString } from "./shared-strings";
import { parseSheetOnThread, rowCells, type SheetRowBatch, SheetThreadUnavailable } from "./sheet-thread";
import type { CellIssue } from "./issues";
import { inspectWorkbookFile, openZipPart, openZipPartText, readZipTextParts, requireProductsSheet, type WorkbookFileInfo } from "./workbook-file";

export type { CellIssue } from "./issues";

export interface WorkbookReadResult {
  /** Products without errors. */
  records: SourceRecord[];
  errors: CellIssue[];
  warnings: CellIssue[];
  /** Non-empty data rows read (header excluded). */
  rowCount: number;
  /** Distinct product handles found (with or without errors). */
  productCount: number;
  /** Handles of products left out of `records` because of errors. */
  productsWithErrors: string[];
  /** Translation locales found in the headers ("Title [de]" → "de"). */
  translationLocales: string[];
  /** The sheet that was read. */
  sheet: string;
}

export interface ReadOptions {
  /** The shop's primary locale: the plain text columns ("Title") are in this language. */
  primaryLocale: string;
  limits?: Partial<Limits>;
  /**
   * Every product needs its requiredToCreate fields (the Title), and the file their columns: for a
   * file whose every product is to be created (e.g. checking the template's examples). Uploads
   * leave it off: a row may update a product the catalog already has, which only the merge can
   * tell, and the merge refuses to create a product without a title.
   */
  requireTitle?: boolean;
  /** Field registry; defaults to the catalog's FIELDS. */
  registry?: FieldRegistry;
}

// ---------------------------------------------------------------------------------------------

/** One row's option cells, by group index. */
interface OptionCells {
  names: (string | undefined)[];
  values: (string | undefined)[];
}

/** What one row holds, kept compact: 100,000 of these may be alive at once. */
interface RowAcc {
  row: number;
  /** Parsed values by field key: localized text as { locale: text }, groups as their list, options as OptionCells. */
  v: Record<string, unknown>;
  /**
   * A row marked "Archived in source: Yes": its variant is not imported. Its cells are kept
   * unread until the product's last row: the product's own values on it are read then, unless
   * every row of the product is archived.
   */
  archived?: { cols: number[]; raws: RawCell[]; hasIdentifier: boolean };
}

interface ProductAcc {
  handle: string;
  rows: RowAcc[];
  bad: boolean;
  /** Once its last row was read: the product built (null when in error); its rows are let go. */
  built?: SourceRecord | null;
}

class IssueList {
  readonly items: (CellIssue & { col: number })[] = [];
  dropped = 0;
  constructor(private readonly max: number) {}
  add(issue: CellIssue & { col: number }): void {
    if (this.items.length < this.max) this.items.push(issue);
    else this.dropped++;
  }
  sorted(sheet: string, kind: string): CellIssue[] {
    const out = [...this.items]
      .sort((a, b) => a.row - b.row || a.col - b.col)
      .map(({ col: _col, ...issue }) => issue);
    if (this.dropped > 0) {
      out.push({ sheet, row: 0, column: "", message: `…and ${formatCount(this.dropped)} more ${kind} not listed. Fix the ones above and upload the file again to see the rest.` });
    }
    return out;
  }
}

const HANDLE_RE = /^[^\s/#?]+$/u;

/** Rows named in a message about rows that share a value; the rest are counted. */
const ROWS_SHOWN = 5;

/**
 * The rows that share a value with `row`: "row 7", "rows 3 and 7", "rows 3, 4, 5, 6, 7 and 1,204
 * more". `sorted` holds every row that shares it, `row` among them, ascending without repeats.
 * It looks at the first few rows only: each of 20,000 rows with one SKU gets a message, and
 * going through all of them for each took minutes, with the server doing nothing else.
 */
function listOtherRows(sorted: readonly number[], row: number): string {
  const shown = sorted.slice(0, ROWS_SHOWN + 1).filter((r) => r !== row).slice(0, ROWS_SHOWN);
  const more = sorted.length - 1 - shown.length;
  if (shown.length === 1 && more === 0) return `row ${shown[0]}`;
  const text = more > 0 ? `${shown.join(", ")} and ${formatCount(more)} more` : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
  return `rows ${text}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Deep equality of parsed values (plain data: strings, numbers, arrays, objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ka = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const kb = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue(ao[k], bo[k]));
}

function valueForMessage(v: unknown): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) {
    const parts = v.map((x) => {
      if (x && typeof x === "object") {
        const o = x as Record<string, unknown>;
        if ("material" in o) return `${String(o.material)} ${String(o.massPercent)}%`;
        if ("name" in o && "value" in o) return `${String(o.name)} ${String(o.value)}`;
        if ("name" in o) return String(o.name);
        if ("url" in o) return String(o.url);
      }
      return String(x);
    });
    return quote(parts.join(", "));
  }
  if (v && typeof v === "object") return quote(Object.values(v as Record<string, unknown>).map(String).join(" / "));
  return quote(canonicalJson(v));
}

const HINTS: Partial<Record<Column["format"], string>> = {
  country: "Use a two-letter ISO code such as PT, DE or CN (see the dropdown).",
  gtin: "Check the barcode number. Format the column as Text so leading zeros stay.",
  urls: "Links must start with https://.",
  url: "Links must start with https://.",
  number: "Enter a number of 0 or more.",
  percent: "Enter a percentage between 0 and 100.",
};

/** Turns a validation message into a sentence for the merchant, with a hint on how to fix it. */
function fieldMessage(display: string, message: string, format: Column["format"]): string {
  let text: string;
  if (message.startsWith('"')) text = message;
  else if (/^(is|must|has)\b/.test(message)) text = `${quote(display)} ${message}`;
  else text = capitalize(message);
  const hint = HINTS[format];
  return `${text.replace(/\.$/, "")}.${hint ? ` ${hint}` : ""}`;
}

/**
 * A validation message about a list as a whole ("has more than 250 images"), for the cell or the
 * row that holds it: no value to quote, and no hint, since the hints are about one value (a link
 * that does not start with https:// is not why 300 links are too many).
 */
function listMessage(subject: "This cell" | "This row", message: string): string {
  const text = /^(is|must|has)\b/.test(message) ? `${subject} ${message}` : capitalize(message);
  return `${text.replace(/\.$/, "")}.`;
}

const EMPTY_CELL: RawCell = { t: "empty" };

// ---------------------------------------------------------------------------------------------

class ProductsSheetParser {
  readonly errors: IssueList;
  readonly warnings: IssueList;
  rowCount = 0;
  stopped = false;
  translationLocales: string[] = [];

  private headerRow: number | null = null;
  private columns: (Column | null)[] = [];
  private readonly colByKey = new Map<string, number>();
  /** First column of each repeated group field. */
  private readonly groupCol = new Map<string, number>();
  private handleCol = 0;
  private readonly headerCells = new Set<number>();
  private readonly headerless = new Set<number>();
  /**
   * Products not yet taken (takeReady), in the order of their first row: those still open, and
   * those built but waiting for a product that starts before them.
   */
  private readonly products = new Map<string, ProductAcc>();
  /** Handles of products built (whether taken or not). */
  private readonly builtHandles = new Set<string>();
  productCount = 0;
  readonly productsWithErrors = new Set<string>();
  /** Identifier → its use (first) or uses (when repeated). */
  private readonly skuUses = new Map<string, IdentifierUse | IdentifierUse[]>();
  private readonly barcodeUses = new Map<string, IdentifierUse | IdentifierUse[]>();
  private readonly fieldsByKey: Map<string, FieldDef>;
  private readonly variantFields: FieldDef[];
  private readonly skuField: FieldDef | undefined;
  private readonly gtinField: FieldDef | undefined;
  private readonly optionsField: FieldDef | undefined;
  /**
   * The last value each column's cell gave (by column), and each group field's (by key, with its
   * cells' values). A product's rows repeat its values (those a variant may override are on every
   * row of an export), and checking a value is most of a row's work: a repeat is checked once. Only
   * values that passed are kept, so a bad cell is reported on every row that has it.
   */
  private readonly lastCellValue: ({ raw: RawCell; value: unknown } | undefined)[] = [];
  private readonly lastGroupValue = new Map<string, { parts: string; value: unknown }>();

  constructor(
    private readonly sheet: string,
    private readonly limits: Limits,
    private readonly primaryLocale: string,
    private readonly registry: FieldRegistry,
    private readonly requireTitle: boolean,
    private readonly date1904: boolean,
    private readonly hyperlinks: Map<string, string>,
    /** Last row of each handle (first pass); a product is built once this row has been read. */
    private readonly lastRowOf: ReadonlyMap<string, number>,
  ) {
    this.errors = new IssueList(limits.maxIssues);
    this.warnings = new IssueList(limits.maxIssues);
    this.fieldsByKey = new Map(registry.fields.map((f) => [f.key, f]));
    this.variantFields = registry.fields.filter((f) => f.level === "variant");
    this.skuField = this.variantFields.find((f) => f.key === "sku");
    this.gtinField = this.variantFields.find((f) => f.kind === "gtin");
    this.optionsField = this.variantFields.find((f) => f.kind === "options");
  }

  private issue(list: IssueList, row: number, col: number, header: string, message: string, withRef: boolean): void {
    list.add({
      sheet: this.sheet,
      row,
      col,
      column: header || (col > 0 ? columnLetter(col) : ""),
      cellRef: withRef && col > 0 && row > 0 ? cellRef(col, row) : undefined,
      message,
    });
  }

  private error(row: number, col: number, message: string, header?: string): void {
    this.issue(this.errors, row, col, header ?? this.columns[col]?.header ?? "", message, col > 0);
  }

  private warn(row: number, col: number, message: string, header?: string): void {
    this.issue(this.warnings, row, col, header ?? this.columns[col]?.header ?? "", message, col > 0);
  }

  /** Column of a field (a translation when locale is not the primary one); 0 when absent. */
  private fieldCol(field: FieldDef, locale?: string): number {
    if (isGroupKind(field.kind)) return this.groupCol.get(field.key) ?? 0;
    const key = locale && locale !== this.primaryLocale ? `${field.key}[${locale}]` : field.key;
    return this.colByKey.get(key) ?? 0;
  }

  /** Handles one sheet row (cells by 1-based column). Returns false to stop reading. */
  onRow(rowNumber: number, cols: readonly number[], raws: readonly RawCell[]): boolean {
    if (this.stopped) return false;
    if (this.headerRow === null) return this.onHeader(rowNumber, cols, raws);
    return this.onDataRow(rowNumber, cols, raws);
  }

  private onHeader(rowNumber: number, cols: readonly number[], raws: readonly RawCell[]): boolean {
    const headers = headerTexts(cols, raws);
    if (headers.size === 0) return true; // blank rows above the header
    this.headerRow = rowNumber;
    for (const col of headers.keys()) this.headerCells.add(col);

    const match = matchHeaders(headers, { primaryLocale: this.primaryLocale, fields: this.registry.fields });
    this.columns = match.columns;
    this.translationLocales = match.translationLocales;
    this.columns.forEach((c, i) => {
      if (!c) return;
      this.colByKey.set(c.key, i);
      if (c.role.type === "group") {
        const prev = this.groupCol.get(c.role.field.key);
        if (prev === undefined || i < prev) this.groupCol.set(c.role.field.key, i);
      }
    });
    for (const u of match.unknown) {
      this.warn(rowNumber, u.index, `The column ${quote(u.header)} is not a Passport column, so it was not imported. Check its spelling against the Instructions sheet, or delete the column.`, u.header);
    }
    for (const b of match.badLocales) {
      this.warn(rowNumber, b.index, `The column ${quote(b.header)} was not imported: the part in brackets must be a language code such as de, fr or pt-BR.`, b.header);
    }
    for (const d of match.duplicates) {
      this.error(rowNumber, d.index, `The column ${quote(d.header)} appears twice (columns ${columnLetter(d.firstIndex)} and ${columnLetter(d.index)}). Delete or rename one of them.`, d.header);
    }

    const handleIndex = handleColumn(this.columns);
    if (handleIndex < 1) {
      this.error(
        rowNumber,
        0,
        `The "${HANDLE_HEADER}" column is missing. The first row must hold the column headers, with "${HANDLE_HEADER}" (the product's handle, e.g. organic-cotton-tee) as the first column. Start from the Passport template to get all headers right.`,
        HANDLE_HEADER,
      );
      this.stopped = true;
      return false;
    }
    this.handleCol = handleIndex;
    if (this.requireTitle) {
      for (const field of this.registry.fields.filter((f) => f.requiredToCreate)) {
        if (!this.fieldCol(field)) {
          const header = fieldColumn(field).header;
          this.error(rowNumber, 0, `The "${header}" column is missing. It is required to create products: add it (see the Instructions sheet) and fill it in for every product.`, header);
          this.stopped = true;
        }
      }
      if (this.stopped) return false;
    }
    return true;
  }

  private onDataRow(rowNumber: number, cols: readonly number[], raws: readonly RawCell[]): boolean {
    // Empty rows (nothing, or only unknown or ignored columns) are skipped.
    let hasData = false;
    let handleRaw: RawCell = EMPTY_CELL;
    for (let i = 0; i < cols.length; i++) {
      const raw = raws[i];
      if (raw.t === "empty") continue;
      const col = cols[i];
      const column = this.columns[col];
      if (column) {
        if (column.role.type !== "archived") hasData = true;
        if (col === this.handleCol) handleRaw = raw;
      } else if (!this.headerCells.has(col) && !this.headerless.has(col)) {
        this.headerless.add(col);
        this.warn(rowNumber, col, `Column ${columnLetter(col)} has values but no header, so they were not imported. Give the column a header from the Instructions sheet, or delete it.`, columnLetter(col));
      }
    }
    if (!hasData) return true;

    this.rowCount++;
    if (this.rowCount > this.limits.maxRows) {
      this.rowCount--;
      this.error(
        rowNumber,
        0,
        `This sheet has more than ${formatCount(this.limits.maxRows)} rows, the limit for one file; reading stopped at row ${formatCount(rowNumber)}. Split your products into several files (keep all rows of a product in the same file) and upload them one by one.`,
        "",
      );
      this.stopped = true;
      return false;
    }

    const archived = this.archivedFlag(rowNumber, cols, raws);
    if (archived) return this.onArchivedRow(rowNumber, cols, raws, handleRaw);

    // The handle decides which product the row belongs to.
    const handleText = asText(handleRaw);
    let handle: string | null = null;
    if (!handleText.ok) {
      this.error(rowNumber, this.handleCol, handleText.message);
    } else if (handleText.value === "") {
      this.error(rowNumber, this.handleCol, `This row has no ${HANDLE_HEADER}. Enter the handle of the product this variant belongs to (e.g. organic-cotton-tee); rows with the same handle are variants of one product.`);
    } else if (handleText.value.length > 255 || !HANDLE_RE.test(handleText.value)) {
      this.error(rowNumber, this.handleCol, `${quote(handleText.value)} is not a valid handle: use letters, digits and hyphens without spaces or slashes (e.g. organic-cotton-tee), at most 255 characters.`);
    } else {
      handle = handleText.value.toLowerCase();
    }

    const { v, bad } = this.parseCells(rowNumber, cols, raws, () => true);
    const rowBad = bad || archived === null || handle === null;

    if (handle === null) return true;
    // Both passes read the same rows, so a built product gets no more rows.
    if (this.builtHandles.has(handle)) throw new Error(`row ${rowNumber}: the product "${handle}" was already read to its last row`);
    let product = this.products.get(handle);
    if (!product) {
      this.products.set(handle, (product = { handle, rows: [], bad: false }));
      this.productCount++;
    }
    product.rows.push({ row: rowNumber, v });
    if (rowBad) product.bad = true;
    // Identifiers: a repeat marks this product now; every use is reported at the end.
    const use = { row: rowNumber, handle };
    if (this.skuField && typeof v[this.skuField.key] === "string" && remember(this.skuUses, v[this.skuField.key] as string, use)) product.bad = true;
    if (this.gtinField && typeof v[this.gtinField.key] === "string" && remember(this.barcodeUses, v[this.gtinField.key] as string, use)) product.bad = true;
    if (this.lastRowOf.get(handle) === rowNumber) this.build(product);
    return true;
  }

  /** Parses a row's cells of the columns `include` accepts, reporting the cells in error. */
  private parseCells(row: number, cols: readonly number[], raws: readonly RawCell[], include: (column: Column) => boolean): { v: Record<string, unknown>; bad: boolean } {
    const v: Record<string, unknown> = {};
    let rowBad = false;
    // Repeated groups: field key → group index → part → value.
    let groups: Record<string, Record<number, Record<string, unknown>>> | undefined;
    // Groups with a bad cell are not assembled (their error is already reported).
    let badGroups: Set<string> | undefined;

    for (let i = 0; i < cols.length; i++) {
      const raw = raws[i];
      if (raw.t === "empty") continue;
      const col = cols[i];
      const column = this.columns[col];
      if (!column) continue;
      const role = column.role;
      if (role.type === "handle" || role.type === "archived" || !include(column)) continue;
      if (raw.t === "string" && raw.s.length > this.limits.maxCellChars) {
        this.error(row, col, `This cell has ${formatCount(raw.s.length)} characters; a cell may hold at most ${formatCount(this.limits.maxCellChars)} (Excel's limit). Shorten the text.`);
        rowBad = true;
        continue;
      }
      if (role.type === "group") {
        const value = this.groupCell(row, col, column, raw);
        if (value === null) {
          rowBad = true;
          (badGroups ??= new Set()).add(role.field.key);
        } else if (value !== undefined) {
          groups ??= {};
          const byIndex = (groups[role.field.key] ??= {});
          (byIndex[role.index] ??= {})[role.part.part] = value;
        }
        continue;
      }
      const field = role.field;
      const parsed = this.checkedFieldCell(row, col, column, field, raw, role.locale);
      if (parsed === null) rowBad = true;
      else if (parsed !== undefined) {
        if (field.kind === "localizedText") {
          const texts = (v[field.key] ??= {}) as Record<string, string>;
          texts[role.locale ?? this.primaryLocale] = parsed as string;
        } else {
          v[field.key] = parsed;
        }
      }
    }

    if (groups) {
      for (const key of Object.keys(groups)) {
        if (badGroups?.has(key)) continue;
        const field = this.fieldsByKey.get(key)!;
        const byIndex = groups[key];
        if (field.kind === "options") {
          const cells: OptionCells = { names: [], values: [] };
          for (const index of Object.keys(byIndex).map(Number)) {
            cells.names[index] = byIndex[index].name as string | undefined;
            cells.values[index] = byIndex[index].value as string | undefined;
          }
          v[key] = cells;
          continue;
        }
        const assembled = this.checkedGroup(row, field, byIndex);
        if (assembled === null) rowBad = true;
        else if (assembled !== undefined) v[key] = assembled;
      }
    }
    return { v, bad: rowBad };
  }

  /**
   * The row's "Archived in source" cell: true for Yes, false for No or empty, null (an error
   * reported) for anything else.
   */
  private archivedFlag(row: number, cols: readonly number[], raws: readonly RawCell[]): boolean | null {
    const col = this.colByKey.get("archived");
    const i = col === undefined ? -1 : cols.indexOf(col);
    if (i < 0) return false;
    const raw = raws[i];
    if (raw.t === "bool") return raw.b;
    const text = asText(raw);
    const value = text.ok ? text.value.toLowerCase() : "?";
    if (value === "yes" || value === "true") return true;
    if (value === "no" || value === "false" || value === "") return false;
    this.error(row, col!, `${quote(text.ok ? text.value : "?")} is not Yes or No. Write No (or clear the cell) to import this row, or Yes to leave its variant as it is.`);
    return null;
  }

  /**
   * A row marked archived (export writes "Yes" for variants removed from their source): its
   * variant is left as it is, not imported (as the primary, the import would bring it back). The
   * row still belongs to its product: the product's values may be on it (export writes them on
   * a product's first row), and it counts in the order of variants without identifiers.
   */
  private onArchivedRow(rowNumber: number, cols: readonly number[], raws: readonly RawCell[], handleRaw: RawCell): boolean {
    this.warn(
      rowNumber,
      this.colByKey.get("archived")!,
      `This row is marked "Archived in source: Yes", so its variant was not imported and stays as it is in Passport. To import it (and bring an archived variant back), set "Archived in source" to No or clear the cell, and upload the file again.`,
    );
    const handleText = asText(handleRaw);
    if (!handleText.ok || handleText.value === "" || handleText.value.length > 255 || !HANDLE_RE.test(handleText.value)) return true;
    const handle = handleText.value.toLowerCase();
    if (this.builtHandles.has(handle)) throw new Error(`row ${rowNumber}: the product "${handle}" was already read to its last row`);
    let product = this.products.get(handle);
    if (!product) {
      this.products.set(handle, (product = { handle, rows: [], bad: false }));
      this.productCount++;
    }
    const identifierCols = new Set<number>();
    for (const field of [this.skuField, this.gtinField]) if (field && this.fieldCol(field)) identifierCols.add(this.fieldCol(field));
    this.columns.forEach((c, col) => {
      if (c?.role.type === "group" && c.role.field === this.optionsField && c.role.part.part === "value") identifierCols.add(col);
    });
    const hasIdentifier = cols.some((col, i) => identifierCols.has(col) && raws[i].t !== "empty");
    // Copies: the parser reuses its arrays, and its strings would keep the sheet's XML alive.
    const kept = raws.map((raw): RawCell => (raw.t === "string" ? { ...raw, s: detach(raw.s) } : raw));
    product.rows.push({ row: rowNumber, v: {}, archived: { cols: [...cols], raws: kept, hasIdentifier } });
    if (this.lastRowOf.get(handle) === rowNumber) this.build(product);
    return true;
  }

  /** Reads the product's own values (not a variant's) on its archived rows. */
  private readArchivedRows(product: ProductAcc): void {
    const productOwn = (column: Column) => {
      const role = column.role;
      const field = role.type === "field" || role.type === "group" ? role.field : undefined;
      return !!field && field.level === "product" && !field.variantOverride;
    };
    for (const r of product.rows) {
      if (!r.archived) continue;
      const { v, bad } = this.parseCells(r.row, r.archived.cols, r.archived.raws, productOwn);
      r.v = v;
      r.archived.cols = [];
      r.archived.raws = [];
      if (bad) product.bad = true;
    }
  }

  /** Builds a product whose rows have all been read, and lets go of its rows. */
  private build(product: ProductAcc): void {
    this.builtHandles.add(product.handle);
    if (product.rows.every((r) => r.archived)) {
      // Every variant archived: nothing to import, and nothing in error.
      product.rows = [];
      product.built = null;
      return;
    }
    this.readArchivedRows(product);
    const record = this.buildProduct(product);
    product.rows = [];
    product.built = product.bad ? null : record;
    if (!product.built) this.productsWithErrors.add(product.handle);
  }

  /** The products built since the last call whose predecessors (by first row) are built too. */
  takeReady(): SourceRecord[] {
    const taken: SourceRecord[] = [];
    for (const [handle, product] of this.products) {
      if (product.built === undefined) break;
      this.products.delete(handle);
      if (product.built) taken.push(product.built);
    }
    return taken;
  }

  private fail(row: number, col: number, message: string): null {
    this.error(row, col, message);
    return null;
  }

  /** Parses a single-cell field. undefined: empty; null: error reported. */
  /** fieldCell, once for a cell equal to the column's last one that passed (lastCellValue). */
  private checkedFieldCell(row: number, col: number, column: Column, field: FieldDef, raw: RawCell, locale?: string): unknown {
    // Image links may come from the cell's own hyperlink (by its position): always read.
    if (field.kind === "imageList") return this.fieldCell(row, col, column, field, raw, locale);
    const last = this.lastCellValue[col];
    if (last !== undefined && sameRawCell(last.raw, raw)) return last.value;
    const value = this.fieldCell(row, col, column, field, raw, locale);
    if (value !== null && value !== undefined) this.lastCellValue[col] = { raw, value };
    return value;
  }

  private fieldCell(row: number, col: number, column: Column, field: FieldDef, raw: RawCell, locale?: string): unknown {
    let candidate: unknown;
    let display = "";
    switch (field.kind) {
      case "text":
      case "localizedText": {
        const t = asText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        if (t.value === "") return undefined;
        display = t.value;
        candidate = field.kind === "text" ? t.value : { [locale ?? this.primaryLocale]: t.value };
        break;
      }
      case "number": {
        const n = asNumber(raw, { unit: field.unit });
        if (!n.ok) return this.fail(row, col, n.message);
        if (n.value === undefined) return undefined;
        display = String(n.value);
        candidate = n.value;
        break;
      }
      case "stringList": {
        const t = asText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        const items = splitList(t.value);
        if (items.length === 0) return undefined;
        display = t.value;
        candidate = items;
        break;
      }
      case "imageList": {
        const t = urlText(raw, this.hyperlinks.get(cellRef(col, row)));
        if (!t.ok) return this.fail(row, col, t.message);
        const urls = splitUrls(t.value);
        if (urls.length === 0) return undefined;
        display = t.value;
        candidate = urls.map((url) => ({ url }));
        break;
      }
      case "country": {
        const t = asCountryText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        if (t.value === undefined) return undefined;
        display = t.value;
        candidate = t.value;
        break;
      }
      case "gtin": {
        const t = asGtinText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        if (t.value === undefined || t.value === "") return undefined;
        display = t.value;
        candidate = t.value;
        break;
      }
      default:
        return this.fail(row, col, `${field.label} cannot be given in one cell.`);
    }
    const result = this.registry.parse(field.key, candidate);
    if (!result.ok) {
      const { path, message } = splitParseError(result.error, field.label);
      if (!path.length && Array.isArray(candidate)) return this.fail(row, col, listMessage("This cell", message));
      let shown = display;
      if (path.length && Array.isArray(candidate)) {
        const item = candidate[Number(path[0])] as unknown;
        if (typeof item === "string") shown = item;
        else if (item && typeof item === "object" && "url" in item) shown = String((item as { url: string }).url);
      }
      return this.fail(row, col, fieldMessage(shown, message, column.format));
    }
    if (field.kind === "localizedText") return (result.value as Record<string, string>)[locale ?? this.primaryLocale];
    return result.value;
  }

  /** Reads one part of a group. undefined: empty; null: error reported. */
  private groupCell(row: number, col: number, column: Column, raw: RawCell): unknown {
    switch (column.format) {
      case "percent": {
        const n = asNumber(raw, { percent: true });
        if (!n.ok) return this.fail(row, col, n.message);
        if (n.value === undefined) return undefined;
        if (n.value < 0 || n.value > 100) return this.fail(row, col, `${n.value} is not a percentage between 0 and 100. Enter the share in percent, e.g. 95.`);
        return n.value;
      }
      case "country": {
        const t = asCountryText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        if (t.value === undefined) return undefined;
        if (!isCountryCode(t.value)) return this.fail(row, col, fieldMessage(t.value, "is not an ISO 3166 two-letter country code", "country"));
        return t.value;
      }
      case "date": {
        const d = asDate(raw, this.date1904);
        if (!d.ok) return this.fail(row, col, d.message);
        return d.value;
      }
      case "url": {
        const t = urlText(raw, this.hyperlinks.get(cellRef(col, row)));
        if (!t.ok) return this.fail(row, col, t.message);
        return t.value === "" ? undefined : t.value;
      }
      default: {
        const t = asText(raw);
        if (!t.ok) return this.fail(row, col, t.message);
        return t.value === "" ? undefined : t.value;
      }
    }
  }

  /** assembleGroup, once for groups whose cells gave the same values as the field's last ones that passed (lastGroupValue). */
  private checkedGroup(row: number, field: FieldDef, byIndex: Record<number, Record<string, unknown>>): unknown {
    const parts = JSON.stringify(byIndex);
    const last = this.lastGroupValue.get(field.key);
    if (last !== undefined && last.parts === parts) return last.value;
    const value = this.assembleGroup(row, field, byIndex);
    if (value !== null && value !== undefined) this.lastGroupValue.set(field.key, { parts, value });
    return value;
  }

  /** Builds the list of a materials/certifications field from one row's groups. undefined: none; null: error. */
  private assembleGroup(row: number, field: FieldDef, byIndex: Record<number, Record<string, unknown>>): unknown {
    const kind = field.kind as GroupKind;
    const partDefs = GROUP_PARTS[kind];
    const indexes = Object.keys(byIndex).map(Number).sort((a, b) => a - b);
    const colOf = (index: number, part: string) => this.colByKey.get(`${field.key}.${index}.${part}`) ?? 0;
    let bad = false;
    const items: Record<string, unknown>[] = [];
    for (const index of indexes) {
      const parts = byIndex[index];
      for (const def of partDefs) {
        if (def.required && parts[def.part] === undefined) {
          const col = colOf(index, def.part);
          const header = this.columns[col]?.header ?? `${field.label} ${index}${def.suffix}`;
          this.error(row, col, `${quote(header)} is empty, but other ${field.label.toLowerCase()} columns of group ${index} are filled in. Fill it in, or clear the group.`, header);
          bad = true;
        }
      }
      items.push({ ...parts });
    }
    if (bad) return null;
    if (items.length === 0) return undefined;
    if (kind === "materials") {
      const sum = items.reduce((s, m) => s + (typeof m.massPercent === "number" ? m.massPercent : 0), 0);
      if (Math.abs(sum - 100) >= 0.01) {
        this.error(row, colOf(indexes[0], "massPercent"), `The material shares on this row add up to ${Math.round(sum * 100) / 100}%; they must add up to 100%. Correct the "%" columns of the materials.`);
        return null;
      }
    }
    const result = this.registry.parse(field.key, items);
    if (!result.ok) {
      const { path, message } = splitParseError(result.error, field.label);
      const i = path.length ? Number(path[0]) : NaN;
      const index = Number.isInteger(i) ? indexes[i] : undefined;
      const part = index !== undefined ? (path[1] ?? partDefs[0].part) : undefined;
      const col = index !== undefined && part ? colOf(index, part) : this.groupCol.get(field.key) ?? 0;
      const shown = index !== undefined && part && typeof byIndex[index][part] === "string" ? (byIndex[index][part] as string) : "";
      const format = partDefs.find((p) => p.part === part)?.format ?? "text";
      this.error(row, col, shown ? fieldMessage(shown, message, format) : listMessage("This row", message));
      return null;
    }
    return result.value;
  }

  // -------------------------------------------------------------------------------------------

  /** After the last row: a sheet without headers, duplicate identifiers, then the products still open (see takeReady). */
  finish(): void {
    if (this.headerRow === null) {
      // An empty sheet, or rows exceljs cannot see (e.g. written as <x:row>): without this error
      // the upload would pass as a preview of nothing, and a "full" import of it would look like
      // every product deleted.
      this.error(
        0,
        0,
        `The "${this.sheet}" sheet has no header row with a "${HANDLE_HEADER}" column, so nothing could be imported. The first row must hold the column headers, with "${HANDLE_HEADER}" first, and each row below one variant: start from the Passport template to get them right. If the sheet shows rows in Excel, the program that wrote the file stored them in a way Passport cannot read: open the file in Excel, save it as "Excel Workbook (.xlsx)" and upload it again.`,
        HANDLE_HEADER,
      );
    }
    this.reportDuplicates(this.skuUses, this.skuField, (value, others) => `The SKU ${quote(value)} is also used on ${others}. Every variant needs its own SKU.`);
    this.reportDuplicates(this.barcodeUses, this.gtinField, (value, others) => `The barcode ${quote(value)} is also used on ${others}. Every variant needs its own barcode (GTIN).`);
    for (const product of this.products.values()) if (product.built === undefined) this.build(product);
  }

  /** Reports every row of a repeated identifier and marks their products. */
  private reportDuplicates(map: Map<string, IdentifierUse | IdentifierUse[]>, field: FieldDef | undefined, message: (value: string, others: string) => string): void {
    if (!field) return;
    const col = this.fieldCol(field);
    for (const [value, uses] of map) {
      if (!Array.isArray(uses)) continue;
      // Sorted once per value (a row has one SKU and one barcode, so no row is repeated).
      const rows = uses.map((u) => u.row).sort((a, b) => a - b);
      const shown = field.kind === "gtin" ? displayGtin(value) : value;
      for (const { row, handle } of uses) {
        this.error(row, col, message(shown, listOtherRows(rows, row)));
        const product = this.products.get(handle);
        if (product && product.built === undefined) product.bad = true; // still open
        else {
          // Built already: dropped if not taken yet; a stream's reader learns it from the errors.
          if (product) product.built = null;
          this.productsWithErrors.add(handle);
        }
      }
    }
  }

  private conflict(row: number, col: number, label: string, value: unknown, firstValue: unknown, firstRow: number, handle: string): void {
    this.error(
      row,
      col,
      `${label} is ${valueForMessage(value)} on this row but ${valueForMessage(firstValue)} on row ${firstRow}, for the same product ${quote(handle)}. A product's ${label.toLowerCase()} must be the same on all its rows: fill it in on one row only, or make the rows match.`,
    );
  }

  private buildProduct(product: ProductAcc): SourceRecord | null {
    const { rows, handle } = product;
    const productFields: Record<string, unknown> = {};
    const variantFields: Record<string, unknown>[] = rows.map(() => ({}));

    for (const field of this.registry.fields) {
      const key = field.key;
      if (field.level === "variant") {
        if (field.kind === "options") {
          this.resolveOptions(product, field, variantFields);
          continue;
        }
        for (let i = 0; i < rows.length; i++) {
          const value = rows[i].v[key];
          if (value !== undefined) variantFields[i][key] = value;
        }
        continue;
      }
      if (field.kind === "localizedText" && !field.variantOverride) {
        // Per locale: the rows that give a text must agree.
        const merged: Record<string, string> = {};
        const firstRowOf: Record<string, number> = {};
        for (const r of rows) {
          const texts = r.v[key] as Record<string, string> | undefined;
          if (!texts) continue;
          for (const locale of Object.keys(texts)) {
            const text = texts[locale];
            if (merged[locale] === undefined) {
              merged[locale] = text;
              firstRowOf[locale] = r.row;
            } else if (merged[locale] !== text) {
              const col = this.fieldCol(field, locale);
              this.conflict(r.row, col, this.columns[col]?.header ?? field.label, text, merged[locale], firstRowOf[locale], handle);
              product.bad = true;
            }
          }
        }
        if (Object.keys(merged).length) this.setParsed(product, productFields, field, merged, rows[0].row);
        continue;
      }
      // Whole values per row.
      let first: RowAcc | undefined;
      let allSame = true;
      for (const r of rows) {
        const value = r.v[key];
        if (value === undefined) continue;
        if (!first) first = r;
        else if (allSame && !sameValue(value, first.v[key])) allSame = false;
      }
      if (!first) continue;
      if (allSame) {
        productFields[key] = first.v[key];
      } else if (field.variantOverride) {
        // Different per row: each row's value is its variant's own value.
        for (let i = 0; i < rows.length; i++) {
          const value = rows[i].v[key];
          if (value !== undefined) variantFields[i][key] = value;
        }
      } else {
        for (const r of rows) {
          const value = r.v[key];
          if (value === undefined || r === first || sameValue(value, first.v[key])) continue;
          this.conflict(r.row, this.fieldCol(field), field.label, value, first.v[key], first.row, handle);
          product.bad = true;
        }
      }
    }

    if (this.requireTitle) {
      for (const field of this.registry.fields) {
        if (!field.requiredToCreate || field.level !== "product") continue;
        const value = productFields[field.key];
        const has = field.kind === "localizedText" ? !!value && !!(value as Record<string, string>)[this.primaryLocale] : value !== undefined;
        if (!has) {
          const header = fieldColumn(field).header;
          this.error(rows[0].row, this.fieldCol(field), `The product ${quote(handle)} has no ${field.label.toLowerCase()}. Fill in "${header}" on one of its rows; it is needed to create the product.`, header);
          product.bad = true;
        }
      }
    }

    // Variants and their external ids: SKU, else GTIN-14, else handle/options, else by order.
    // Never a row number: a row moves when rows are added or removed above it, and its variant
    // would become a new one (a new passport, while the one on printed labels is archived). A
    // variant with nothing to tell it apart is the handle alone when it is the first such variant
    // of its product (a product's only variant keeps its id when variants are added after it),
    // and "<handle>#<n>" when it is the n-th; archived rows count, since the export writes them
    // in their place. Positions count every row of the product, archived ones too, for the same
    // reason.
    const variants: SourceVariant[] = [];
    const rowsById = new Map<string, { rows: number[]; derived: "options" | "order" | null }>();
    let unidentified = 0;
    for (let i = 0; i < rows.length; i++) {
      const archived = rows[i].archived;
      if (archived) {
        if (!archived.hasIdentifier) unidentified++;
        continue;
      }
      const fields = variantFields[i];
      const sku = this.skuField ? (fields[this.skuField.key] as string | undefined) : undefined;
      const barcode = this.gtinField ? (fields[this.gtinField.key] as string | undefined) : undefined;
      const options = this.optionsField ? (fields[this.optionsField.key] as { value: string }[] | undefined) : undefined;
      let externalId: string;
      let derived: "options" | "order" | null = null;
      if (sku) externalId = sku;
      else if (barcode) externalId = barcode;
      else if (options && options.length) {
        externalId = `${handle}/${options.map((o) => o.value).join("/")}`;
        derived = "options";
      } else {
        unidentified++;
        externalId = unidentified === 1 ? handle : `${handle}#${unidentified}`;
        derived = "order";
      }
      const uses = rowsById.get(externalId) ?? { rows: [], derived: null };
      uses.rows.push(rows[i].row);
      uses.derived ??= derived;
      rowsById.set(externalId, uses);
      variants.push({ externalId, fields: fields as FieldValues, position: i + 1, ref: { sheet: this.sheet, row: rows[i].row } });
    }
    // Two variants with one id: the same options, or an id made from the handle that another
    // variant has as its SKU. (The same SKU or barcode twice is reported for the whole file.)
    for (const [id, uses] of rowsById) {
      if (uses.rows.length < 2 || !uses.derived) continue;
      for (const row of uses.rows) {
        const others = listOtherRows(uses.rows, row); // the product's rows, in order
        this.error(
          row,
          this.handleCol,
          uses.derived === "options"
            ? `This row has the same option values as ${others} of the product ${quote(handle)}, and no SKU or barcode to tell them apart. Give each variant different option values, or its own SKU.`
            : `This row's variant and the one on ${others} of the product ${quote(handle)} would both be known as ${quote(id)}, so they cannot be told apart. Give each variant its own SKU.`,
        );
        product.bad = true;
      }
    }

    if (product.bad) return null;
    return { externalId: handle, handle, fields: productFields as FieldValues, variants, ref: { sheet: this.sheet, row: rows[0].row } };
  }

  private setParsed(product: ProductAcc, target: Record<string, unknown>, field: FieldDef, value: unknown, row: number): void {
    const result = this.registry.parse(field.key, value);
    if (result.ok) target[field.key] = result.value;
    else {
      this.error(row, this.fieldCol(field), `${capitalize(result.error)}.`, field.label);
      product.bad = true;
    }
  }

  private resolveOptions(product: ProductAcc, field: FieldDef, variantFields: Record<string, unknown>[]): void {
    const { rows, handle } = product;
    const key = field.key;
    const nameCol = (index: number) => this.colByKey.get(`${key}.${index}.name`) ?? 0;
    const valueCol = (index: number) => this.colByKey.get(`${key}.${index}.value`) ?? 0;
    // Option names may be given on one row only: they are the product's names.
    const names = new Map<number, { name: string; row: number }>();
    const valueIndexes = new Set<number>();
    for (const r of rows) {
      const cells = r.v[key] as OptionCells | undefined;
      if (!cells) continue;
      cells.values.forEach((value, index) => {
        if (value !== undefined) valueIndexes.add(index);
      });
      cells.names.forEach((name, index) => {
        if (name === undefined) return;
        const known = names.get(index);
        if (!known) names.set(index, { name, row: r.row });
        else if (known.name.toLowerCase() !== name.toLowerCase()) {
          const col = nameCol(index);
          this.conflict(r.row, col, this.columns[col]?.header ?? "Option name", name, known.name, known.row, handle);
          product.bad = true;
        }
      });
    }
    const indexes = [...new Set([...names.keys(), ...valueIndexes])].sort((a, b) => a - b);
    if (indexes.length === 0) return;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r.archived) continue; // not imported: its options are its variant's
      const cells = r.v[key] as OptionCells | undefined;
      const list: { name: string; value: string }[] = [];
      for (const index of indexes) {
        const name = cells?.names[index];
        const value = cells?.values[index];
        const productName = names.get(index)?.name;
        if (value !== undefined) {
          if (!productName) {
            const col = valueCol(index);
            const header = this.columns[col]?.header ?? `Option${index} Value`;
            this.error(r.row, col, `${quote(header)} is filled in but "${this.columns[nameCol(index)]?.header ?? `Option${index} Name`}" is empty on every row of this product. Enter the option's name, e.g. Size.`);
            product.bad = true;
            continue;
          }
          list.push({ name: productName, value });
        } else if (valueIndexes.has(index)) {
          this.error(
            r.row,
            valueCol(index),
            `This variant has no value for the option ${quote(productName ?? `option ${index}`)}, which other rows of the product ${quote(handle)} have. Every variant needs a value for each of the product's options.`,
          );
          product.bad = true;
        } else if (name !== undefined) {
          this.error(r.row, nameCol(index), `The option ${quote(name)} has a name but no row of this product gives it a value. Fill in the option's values, or clear its name.`);
          product.bad = true;
        }
      }
      if (list.length === 0) continue;
      const result = this.registry.parse(key, list);
      if (!result.ok) {
        const { message } = splitParseError(result.error, field.label);
        this.error(r.row, valueCol(indexes[0]), `${field.label}: ${message.replace(/\.$/, "")}.`);
        product.bad = true;
        continue;
      }
      variantFields[i][key] = result.value;
    }
  }
}

/** Where an identifier (SKU, barcode) is used. */
interface IdentifierUse {
  row: number;
  handle: string;
}

/** Notes a use of an identifier; true when it was used before. */
function remember(map: Map<string, IdentifierUse | IdentifierUse[]>, value: string, use: IdentifierUse): boolean {
  const seen = map.get(value);
  if (seen === undefined) map.set(value, use);
  else if (Array.isArray(seen)) seen.push(use);
  else map.set(value, [seen, use]);
  return seen !== undefined;
}

/** The Product Handle column among the matched ones (-1 when missing); both passes key products by it. */
/** Whether two cells hold the same thing (type, value, link and number format). */
function sameRawCell(a: RawCell, b: RawCell): boolean {
  switch (a.t) {
    case "string":
      return b.t === "string" && a.s === b.s && a.link === b.link;
    case "number":
      return b.t === "number" && a.n === b.n && a.percentFormat === b.percentFormat;
    case "date":
      return b.t === "date" && a.d.getTime() === b.d.getTime();
    case "bool":
      return b.t === "bool" && a.b === b.b;
    default:
      return false;
  }
}

function handleColumn(columns: readonly (Column | null)[]): number {
  return columns.findIndex((c) => c?.role.type === "handle");
}

/** A header row's texts by column (empty cells left out). */
function headerTexts(cols: readonly number[], raws: readonly RawCell[]): Map<number, string> {
  const headers = new Map<number, string>();
  cols.forEach((col, i) => {
    const text = asText(raws[i]);
    if (text.ok && text.value !== "") headers.set(col, text.value);
  });
  return headers;
}

// ---------------------------------------------------------------------------------------------

/** The workbook's style table (number formats: dates, percentages), as XML: the sheet's thread parses it. */
async function loadStylesXml(path: string): Promise<string | null> {
  return (await readZipTextParts(path, ["xl/styles.xml"])).get("xl/styles.xml") ?? null;
}

/**
 * The shared string table (shared-strings.ts), parsed as its zip part is inflated. The part's size
 * was held to maxSharedStringsBytes by inspectWorkbookFile; its entries are counted as they are
 * read: 13 million tiny entries fit in 18 MB of file and took 1.4 GB.
 */
async function loadSharedStrings(path: string, present: boolean, maxStrings = resolveLimits().maxSharedStrings): Promise<SharedString[]> {
  if (!present) return [];
  const part = await openZipPartText(path, "xl/sharedStrings.xml");
  if (!part) return [];
  try {
    return await parseSharedStrings(part.text, { maxStrings });
  } catch (err) {
    if (err instanceof WorkbookRejected) throw err;
    throw new WorkbookRejected(
      "corrupt",
      `This workbook's text table is damaged, so it cannot be read. Open the file in Excel, save it as "Excel Workbook (.xlsx)" and upload it again. (Detail: ${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  } finally {
    part.close();
  }
}

/** What the reader needs to read the workbook's sheets (loaded once, used by both passes). */
interface OpenedWorkbook {
  input: string;
  info: WorkbookFileInfo;
  sheet: ReturnType<typeof requireProductsSheet>;
  sharedStrings: unknown[];
  stylesXml: string | null;
}

/**
 * The rows of the Products sheet, in order, in batches (those of one piece of the file: a row at
 * a time through async generators cost more than the rows' checks), parsed by exceljs's worksheet
 * parser on a thread of its own; the file is closed and the thread ended when the loop ends or
 * breaks.
 */
async function* sheetRows({ input, info, sheet, sharedStrings, stylesXml }: OpenedWorkbook): AsyncGenerator<SheetRowBatch> {
  // exceljs's WorkbookReader unzips the whole file itself, up to the sheet, and decodes each
  // piece of inflated bytes on its own (a character split between two pieces became "�"). Its
  // worksheet parser is given the sheet's bytes instead (openZipPart; decoded whole in the
  // thread), with the workbook's structure, styles and shared strings loaded up front: whatever
  // the order of the parts, the sheet is read in one pass, never through temporary files, and
  // reading can stop at any row.
  let part: Awaited<ReturnType<typeof openZipPart>> = null;
  try {
    part = await openZipPart(input, sheet.path);
    if (!part) {
      throw new WorkbookRejected(
        "unsupported",
        `The "${sheet.name}" sheet could not be found inside the file. Open the file in Excel, save it as "Excel Workbook (.xlsx)" and upload it again.`,
      );
    }
    yield* parseSheetOnThread({ bytes: part.bytes, sheetId: sheet.sheetId, sharedStrings, stylesXml, date1904: info.date1904 });
  } catch (err) {
    // A thread that cannot start is the server's problem, not the file's.
    if (err instanceof SheetThreadUnavailable) throw err;
    throw unreadableSheet(sheet, err);
  } finally {
    part?.close();
  }
}

/** What a failure to read the sheet tells the merchant (a WorkbookRejected passes as it is). */
function unreadableSheet(sheet: { name: string }, err: unknown): WorkbookRejected {
  if (err instanceof WorkbookRejected) return err;
  return new WorkbookRejected(
    "corrupt",
    `The "${sheet.name}" sheet could not be read: the file is damaged or was written by a program that does not follow the Excel format. Open it in Excel, save it as "Excel Workbook (.xlsx)" and upload it again. (Detail: ${err instanceof Error ? err.message : String(err)})`,
    { cause: err },
  );
}

/**
 * A sheet whose rows are not in ascending order (a row number repeated, or a row after a higher
 * one) is damaged: Excel and LibreOffice never write one, and rows of one product could not be
 * told apart. Only whole row numbers are checked (a row without its number follows the one
 * before it).
 */
function checkRowOrder(sheet: { name: string }, row: number, previous: number): void {
  if (!Number.isInteger(row) || !(row <= previous)) return;
  const what = row === previous ? `row ${formatCount(row)} appears twice` : `row ${formatCount(row)} comes after row ${formatCount(previous)}`;
  throw new WorkbookRejected(
    "corrupt",
    `The "${sheet.name}" sheet in this file is damaged: ${what}. Open the file in Excel or LibreOffice, save it again as "Excel Workbook (.xlsx)" and upload the new file.`,
  );
}

/** The handle column of a header row (-1 when it has none); undefined for a blank row above the header. */
function handleColumnOf(cols: readonly number[], raws: readonly RawCell[], primaryLocale: string, registry: FieldRegistry): number | undefined {
  const headers = headerTexts(cols, raws);
  if (headers.size === 0) return undefined;
  return handleColumn(matchHeaders(headers, { primaryLocale, fields: registry.fields }).columns);
}

/** A handle cell's text as the parser keys products (lower case); empty when it has none. */
function handleKey(raw: RawCell): string {
  const text = asText(raw);
  return text.ok ? text.value.toLowerCase() : "";
}

/** What the second pass needs besides the sheet, read while the file is verified (streamProductsWorkbook). */
interface SheetTables {
  sharedStrings: unknown[];
  stylesXml: string | null;
  /** The first pass, from the sheet's XML; null when the scan gave up (handle-scan.ts). */
  lastRowOf: Map<string, number> | null;
}

/**
 * The shared strings, the styles, and the first pass: the last row of each handle (as the parser
 * keys products), read from the handle column only, straight from the sheet's XML. It stops
 * after `maxRows` rows with a handle, as the parser does.
 */
async function readSheetTables(
  input: string,
  sheet: { name: string; path: string },
  hasSharedStrings: boolean,
  primaryLocale: string,
  registry: FieldRegistry,
  { maxRows, maxSharedStrings }: Pick<Limits, "maxRows" | "maxSharedStrings">,
): Promise<SheetTables> {
  const sharedStrings = await loadSharedStrings(input, hasSharedStrings, maxSharedStrings);
  const stylesXml = await loadStylesXml(input);
  const lastRowOf = await scanLastRowOfEachHandle({
    path: input,
    sheetPath: sheet.path,
    sharedStrings,
    handleColumnOf: (cols, raws) => handleColumnOf(cols, raws, primaryLocale, registry),
    handleKey,
    maxRows,
  }).catch((err: unknown) => {
    throw unreadableSheet(sheet, err);
  });
  return { sharedStrings, stylesXml, lastRowOf };
}

/** The first pass with exceljs, for sheets the XML scan cannot read exactly. */
async function readLastRowOfEachHandle(workbook: OpenedWorkbook, primaryLocale: string, registry: FieldRegistry, maxRows: number): Promise<Map<string, number>> {
  const lastRow = new Map<string, number>();
  let handleCol = 0;
  let rows = 0;
  let previous = 0;
  const cols: number[] = [];
  const raws: RawCell[] = [];
  for await (const batch of sheetRows(workbook)) {
    for (let row = 0; row < batch.rowNumbers.length; row++) {
      const rowNumber = batch.rowNumbers[row];
      checkRowOrder(workbook.sheet, rowNumber, previous);
      previous = rowNumber;
      if (handleCol === 0) {
        readCells(batch, row, cols, raws);
        const found = handleColumnOf(cols, raws, primaryLocale, registry);
        if (found === undefined) continue;
        if (found < 1) return lastRow; // the parser reports the missing column
        handleCol = found;
        continue;
      }
      const key = handleKey(readCell(batch, row, handleCol));
      if (key === "") continue;
      lastRow.set(key, rowNumber);
      if (++rows > maxRows) return lastRow;
    }
  }
  return lastRow;
}

/** The non-empty cells of row `row` of a batch: their columns and RawCells. */
function readCells(batch: SheetRowBatch, row: number, cols: number[], raws: RawCell[]): void {
  cols.length = 0;
  raws.length = 0;
  const { start, end } = rowCells(batch, row);
  for (let i = start; i < end; i++) {
    cols.push(batch.columns[i]);
    raws.push(rawCell(batch.values[i], batch.numFmts[i]));
  }
}

/** One cell of row `row` of a batch (empty when the row has none in that column). */
function readCell(batch: SheetRowBatch, row: number, col: number): RawCell {
  const { start, end } = rowCells(batch, row);
  for (let i = start; i < end; i++) if (batch.columns[i] === col) return rawCell(batch.values[i], batch.numFmts[i]);
  return EMPTY_CELL;
}

/** A reading of the Products sheet, product by product. */
export interface WorkbookStream {
  /** Distinct product handles in the sheet (from the first pass), for progress. */
  products: number;
  /**
   * Each product without errors, as soon as its last row has been read. Read it once. A product
   * handed over can still turn out to be in error (an identifier repeated further down): use
   * the records only if `summary()` has no errors at the end.
   */
  records: AsyncIterable<SourceRecord>;
  /** What the reading found; complete once `records` has been read to the end. */
  summary(): WorkbookReadSummary;
  /** Closes the file when `records` was not read to the end (a failed run). */
  close(): Promise<void>;
}

export type WorkbookReadSummary = Omit<WorkbookReadResult, "records">;

/**
 * Opens the Products sheet of an .xlsx file for streaming. Whole-file problems (not an xlsx,
 * encrypted, a zip bomb, no Products sheet, damaged) throw WorkbookRejected, here or while the
 * records are read; everything else is reported as errors and warnings per cell.
 */
export async function streamProductsWorkbook(input: string, options: ReadOptions): Promise<WorkbookStream> {
  const limits = resolveLimits(options.limits);
  const primaryLocale = canonicalLocale(options.primaryLocale);
  if (!primaryLocale) throw new TypeError(`"${options.primaryLocale}" is not a locale code`);
  const registry = options.registry ?? DEFAULT_REGISTRY;

  // The shared strings, the styles and the first pass are read while inspectWorkbookFile inflates
  // every part to verify it: that waits on zlib's threads, the first pass works on this one.
  const tables: { reading?: Promise<SheetTables> } = {};
  const readTables = (sheet: { name: string; path: string }, hasSharedStrings: boolean) =>
    (tables.reading ??= readSheetTables(input, sheet, hasSharedStrings, primaryLocale, registry, limits));
  const info = await inspectWorkbookFile(input, limits, {
    alongsideVerification: async ({ productsSheet, hasSharedStrings }) => {
      if (productsSheet?.path) await readTables({ name: productsSheet.name, path: productsSheet.path }, hasSharedStrings);
    },
  });
  const sheet = requireProductsSheet(info);
  const { sharedStrings, stylesXml, lastRowOf: scanned } = await readTables(sheet, info.hasSharedStrings);
  const workbook: OpenedWorkbook = { input, info, sheet, sharedStrings, stylesXml };
  const lastRowOf = scanned ?? (await readLastRowOfEachHandle(workbook, primaryLocale, registry, limits.maxRows));
  const parser = new ProductsSheetParser(sheet.name, limits, primaryLocale, registry, !!options.requireTitle, info.date1904, info.hyperlinks, lastRowOf);

  async function* records(): AsyncGenerator<SourceRecord> {
    const cols: number[] = [];
    const raws: RawCell[] = [];
    let previous = 0;
    reading: for await (const batch of sheetRows(workbook)) {
      for (let row = 0; row < batch.rowNumbers.length; row++) {
        const rowNumber = batch.rowNumbers[row];
        // The first pass refuses such a sheet before any product is handed over; this check keeps
        // the parser from ever seeing one.
        checkRowOrder(sheet, rowNumber, previous);
        previous = rowNumber;
        readCells(batch, row, cols, raws);
        const more = parser.onRow(rowNumber, cols, raws);
        const ready = parser.takeReady();
        if (ready.length > 0) yield* ready;
        if (!more) break reading;
      }
    }
    parser.finish();
    yield* parser.takeReady();
  }

  const reading = records();
  return {
    products: lastRowOf.size,
    records: reading,
    close: async () => void (await reading.return(undefined)),
    summary: () => ({
      errors: parser.errors.sorted(sheet.name, "errors"),
      warnings: parser.warnings.sorted(sheet.name, "warnings"),
      rowCount: parser.rowCount,
      productCount: parser.productCount,
      productsWithErrors: [...parser.productsWithErrors],
      translationLocales: parser.translationLocales,
      sheet: sheet.name,
    }),
  };
}

/** Reads the whole Products sheet of an .xlsx file (see streamProductsWorkbook). */
export async function readProductsWorkbook(input: string, options: ReadOptions): Promise<WorkbookReadResult> {
  const stream = await streamProductsWorkbook(input, options);
  const records: SourceRecord[] = [];
  for await (const record of stream.records) records.push(record);
  const summary = stream.summary();
  const inError = new Set(summary.productsWithErrors);
  return { records: records.filter((r) => !inError.has(r.externalId)), ...summary };
}

export { PRODUCTS_SHEET };
