// Writing workbooks (template and export) with exceljs's streaming writer: the Products sheet
// (styled, frozen header row and handle column, column widths, data validation), the
// Instructions sheet and the hidden Lists sheet of country codes.
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { canonicalJson, type FieldDef, type FieldValues } from "../../catalog/fields";
import { countryList, displayGtin } from "./cells";
import { TEMPLATE_EXAMPLE_HANDLES } from "./examples";

export { displayGtin };
import {
  type CellFormat,
  type Column,
  type ColumnLayout,
  HANDLE_HEADER,
  INSTRUCTIONS_SHEET,
  LISTS_SHEET,
  PRODUCTS_SHEET,
  EXPORT_NOTES_SHEET,
  formatDescription,
  isGroupKind,
  MAX_GROUPS,
} from "./columns";
import { DEFAULT_LIMITS, describeLimits, type Limits } from "./limits";
import { encodeXString } from "./xstring";

export interface ExportVariant {
  fields: FieldValues;
  archived: boolean;
}

export interface ExportProduct {
  handle: string;
  /** Product-level fields (localizedText with all its locales). */
  fields: FieldValues;
  archived: boolean;
  /** Variant-level fields, and product-level fields this variant overrides. */
  variants: ExportVariant[];
}

function isoToDate(iso: string): Date | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : iso;
}

type CellValue = string | number | Date | undefined;

/**
 * A value as written in its cell: text with Excel's escapes (xstring.ts), which exceljs does not
 * write. Without them a carriage return read back as a line feed, control characters were dropped,
 * and a literal `_x0041_` read back (and showed in Excel) as "A".
 */
function cellText(value: CellValue): CellValue {
  return typeof value === "string" ? encodeXString(value) : value;
}

/** One item's part as a cell value. */
function partValue(format: CellFormat, value: unknown): CellValue {
  if (value === undefined || value === null || value === "") return undefined;
  if (format === "date" && typeof value === "string") return isoToDate(value);
  if (typeof value === "number" || typeof value === "string") return value;
  return String(value);
}

/** A single-cell field value as a cell value. */
function fieldValue(field: FieldDef, value: unknown, locale: string): CellValue {
  if (value === undefined || value === null) return undefined;
  switch (field.kind) {
    case "localizedText": {
      const text = (value as Record<string, string>)[locale];
      return text === undefined || text === "" ? undefined : text;
    }
    case "stringList":
      return (value as string[]).length ? (value as string[]).join(", ") : undefined;
    case "imageList":
      return (value as { url: string }[]).length ? (value as { url: string }[]).map((i) => i.url).join("\n") : undefined;
    case "gtin":
      return displayGtin(String(value));
    case "number":
      return typeof value === "number" ? value : undefined;
    default:
      return typeof value === "string" ? (value === "" ? undefined : value) : String(value);
  }
}

export interface RowsResult {
  rows: CellValue[][];
  warnings: string[];
}

/**
 * The sheet rows of one product, one per variant (a product without variants gets one row).
 * Product-level fields go on the first row; product-level fields with variantOverride are
 * written on every row as the variant's effective value (its own value, else the product's).
 *
 * What the file cannot show is left out of it rather than written so that it reads back as
 * something else: its cells stay empty, which an import reads as "no value in this file" and
 * leaves as it is, and a warning says so. That is a text longer than a cell holds (cut, it would
 * be imported cut), a list longer than the file's column groups (imported, it would lose its
 * tail), and an overridable value the reader would take for the product's (overriddenAsProducts).
 */
export function productRows(product: ExportProduct, layout: ColumnLayout, limits: Limits = DEFAULT_LIMITS): RowsResult {
  const warnings: string[] = [];
  const variants = product.variants.length ? product.variants : [{ fields: {}, archived: false }];
  const pf = product.fields as Record<string, unknown>;
  const misread = overriddenAsProducts(product, variants, layout);
  for (const field of misread) {
    warnings.push(
      `${product.handle}: its variants' ${field.label.toLowerCase()} (some their own, some the product's or none) cannot be shown in this file, so those cells are left empty; importing the file leaves them as they are. Change them in Passport.`,
    );
  }

  const valueFor = (field: FieldDef, vf: Record<string, unknown>, first: boolean): unknown => {
    if (field.level === "variant") return vf[field.key];
    if (field.variantOverride) return misread.has(field) ? undefined : (vf[field.key] ?? pf[field.key]);
    return first ? pf[field.key] : undefined;
  };

  // A text too long for its cell leaves its column out; a list too long for the columns, its field.
  // (Two sets: the primary locale's column key is the bare field key.)
  const columnsLeftOut = new Set<string>();
  const fieldsLeftOut = new Set<string>();
  const rows = variants.map((variant, i) => {
    const vf = variant.fields as Record<string, unknown>;
    const first = i === 0;
    return layout.columns.map((column: Column): CellValue => {
      const role = column.role;
      switch (role.type) {
        case "handle":
          return product.handle;
        case "archived":
          return product.archived || variant.archived ? "Yes" : undefined;
        case "field": {
          const v = fieldValue(role.field, valueFor(role.field, vf, first), role.locale ?? layout.primaryLocale);
          if (typeof v === "string" && v.length > limits.maxCellChars && !columnsLeftOut.has(column.key)) {
            columnsLeftOut.add(column.key);
            warnings.push(
              `${product.handle}: "${column.header}" is longer than ${limits.maxCellChars} characters, the most a cell can hold, so it is left empty in the file; importing the file leaves it as it is.`,
            );
          }
          return v;
        }
        case "group": {
          const list = valueFor(role.field, vf, first) as Record<string, unknown>[] | undefined;
          if (!Array.isArray(list)) return undefined;
          if (list.length > layout.groups[role.field.kind] && !fieldsLeftOut.has(role.field.key)) {
            fieldsLeftOut.add(role.field.key);
            warnings.push(
              `${product.handle}: has ${list.length} ${role.field.label.toLowerCase()}, the file has columns for ${layout.groups[role.field.kind]}, so they are left out of the file; importing it leaves them as they are.`,
            );
          }
          const item = list[role.index - 1];
          return item ? partValue(column.format, item[role.part.part]) : undefined;
        }
      }
    });
  });
  if (columnsLeftOut.size + fieldsLeftOut.size > 0) {
    // Left out on every row: an override left out on some rows only would be read differently.
    layout.columns.forEach((column, c) => {
      if (!columnsLeftOut.has(column.key) && !(column.role.type === "group" && fieldsLeftOut.has(column.role.field.key))) return;
      for (const row of rows) row[c] = undefined;
    });
  }
  return { rows, warnings };
}

/**
 * The overridable fields whose effective values, written on every row, the reader would read as
 * the product's value (the rows that have one agree) while a variant's effective value is
 * something else: a variant without a value (the product has none) or one that takes the
 * product's on an archived row (whose values the reader skips). Imported, those variants would
 * take the value of the others. Rows that disagree read back as each variant's own value: safe.
 */
function overriddenAsProducts(product: ExportProduct, variants: readonly ExportVariant[], layout: ColumnLayout): Set<FieldDef> {
  const misread = new Set<FieldDef>();
  if (product.archived) return misread; // the reader skips every row
  const pf = product.fields as Record<string, unknown>;
  for (const field of overridableFields(layout)) {
    const own = (variant: ExportVariant) => (variant.fields as Record<string, unknown>)[field.key];
    // Every variant takes the product's value (or has none): the rows read back as it is.
    if (!variants.some((v) => own(v) !== undefined)) continue;
    const read = variants.filter((v) => !v.archived).map((v) => own(v) ?? pf[field.key]).filter((value) => value !== undefined);
    if (read.length === 0) continue;
    const shared = canonicalJson(read[0]);
    if (!read.every((value) => canonicalJson(value) === shared)) continue;
    // Read back as the product's value: each variant without its own value would take it.
    const productValue = pf[field.key] === undefined ? undefined : canonicalJson(pf[field.key]);
    if (variants.some((v) => own(v) === undefined && productValue !== shared)) misread.add(field);
  }
  return misread;
}

const overridableFieldsOf = new WeakMap<ColumnLayout, FieldDef[]>();

/** The product-level fields of a layout that a variant may override, each once (a group has many columns). */
function overridableFields(layout: ColumnLayout): FieldDef[] {
  let fields = overridableFieldsOf.get(layout);
  if (!fields) {
    const found = new Set<FieldDef>();
    for (const column of layout.columns) {
      const field = column.role.type === "field" || column.role.type === "group" ? column.role.field : undefined;
      if (field?.variantOverride && field.level === "product") found.add(field);
    }
    fields = [...found];
    overridableFieldsOf.set(layout, fields);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Styles

const HEADER_FILL = "FF1F3A5F";
const REQUIRED_FILL = "FF7A1F2B";
const TO_CREATE_FILL = "FF8A5A00";
const FLAG_FILL = "FF6B6B6B";
const TEXT_FORMATS: readonly CellFormat[] = ["handle", "text", "longText", "gtin", "list", "urls", "url", "country"];

function columnStyle(format: CellFormat): Partial<ExcelJS.Style> {
  if (TEXT_FORMATS.includes(format)) return { numFmt: "@", alignment: { vertical: "top", wrapText: format === "longText" || format === "urls" } };
  if (format === "date") return { numFmt: "yyyy-mm-dd", alignment: { vertical: "top" } };
  if (format === "number" || format === "percent") return { numFmt: "General", alignment: { vertical: "top" } };
  return { alignment: { vertical: "top" } };
}

/** Data validation for a column, where Excel has one. */
function validationFor(column: Column, countryCount: number): ExcelJS.DataValidation | null {
  const prompt = column.description.length > 250 ? `${column.description.slice(0, 249)}…` : column.description;
  const common = {
    allowBlank: true,
    showInputMessage: true,
    promptTitle: column.header.slice(0, 32),
    prompt,
    showErrorMessage: true,
  };
  // A field with fixed values (Product status) gets them as a dropdown.
  const choices = column.role.type === "field" ? column.role.field.choices : undefined;
  if (choices) {
    return {
      ...common,
      type: "list",
      formulae: [`"${choices.join(",")}"`],
      errorStyle: "stop",
      errorTitle: column.header.slice(0, 32),
      error: `Pick one of: ${choices.join(", ")}.`,
    };
  }
  switch (column.format) {
    case "country":
      return {
        ...common,
        type: "list",
        formulae: [`${LISTS_SHEET}!$A$2:$A$${countryCount + 1}`],
        errorStyle: "stop",
        errorTitle: "Country code",
        error: "Enter an ISO 3166 two-letter country code (PT, DE, CN …) from the list.",
      };
    case "percent":
      return {
        ...common,
        type: "decimal",
        operator: "between",
        formulae: [0, 100],
        errorStyle: "stop",
        errorTitle: "Percentage",
        error: "Enter a percentage between 0 and 100.",
      };
    case "number":
      return {
        ...common,
        type: "decimal",
        operator: "greaterThanOrEqual",
        formulae: [0],
        errorStyle: "stop",
        errorTitle: column.header.slice(0, 32),
        error: `Enter a number of 0 or more${column.unit ? ` (in ${column.unit}, without the unit)` : ""}.`,
      };
    case "date":
      return {
        ...common,
        type: "date",
        operator: "greaterThan",
        formulae: [new Date(Date.UTC(1900, 0, 1))],
        errorStyle: "stop",
        errorTitle: "Date",
        error: "Enter a date, e.g. 2027-01-31.",
      };
    case "gtin":
      return {
        ...common,
        type: "textLength",
        operator: "between",
        formulae: [8, 18],
        errorStyle: "warning",
        errorTitle: "Barcode (GTIN)",
        error: "A GTIN has 8, 12, 13 or 14 digits.",
      };
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sheets

type StreamWorkbook = ExcelJS.stream.xlsx.WorkbookWriter;
type StreamSheet = ExcelJS.Worksheet;

function addProductsSheet(wb: StreamWorkbook, layout: ColumnLayout): StreamSheet {
  const ws = wb.addWorksheet(PRODUCTS_SHEET, {
    views: [{ state: "frozen", xSplit: 1, ySplit: 1, topLeftCell: "B2", activeCell: "B2" }],
    properties: { defaultRowHeight: 15 },
  });
  ws.columns = layout.columns.map((c) => ({ key: c.key, width: c.width, style: columnStyle(c.format) }));
  const header = ws.addRow(layout.columns.map((c) => c.header));
  header.height = 32;
  layout.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    const fill = c.required ? REQUIRED_FILL : c.requiredToCreate ? TO_CREATE_FILL : c.format === "flag" ? FLAG_FILL : HEADER_FILL;
    cell.style = {
      numFmt: "@",
      font: { bold: true, color: { argb: "FFFFFFFF" } },
      fill: { type: "pattern", pattern: "solid", fgColor: { argb: fill } },
      alignment: { vertical: "middle", horizontal: "left", wrapText: true },
      border: { bottom: { style: "thin", color: { argb: "FF000000" } } },
    };
  });
  header.commit();
  return ws;
}

function addValidations(ws: StreamSheet, layout: ColumnLayout, lastRow: number): void {
  const countries = countryList().length;
  const last = Math.min(lastRow, 1_048_576);
  layout.columns.forEach((c, i) => {
    const v = validationFor(c, countries);
    if (!v) return;
    const letter = ws.getColumn(i + 1).letter;
    // The streaming writer keeps data validations by address; a range address is written as is.
    (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(
      `${letter}2:${letter}${last}`,
      v,
    );
  });
}

function levelText(field: FieldDef): string {
  if (field.level === "variant") return "Variant";
  return field.variantOverride ? "Product (a variant may differ)" : "Product";
}

/** The rules and the column reference, for merchants. */
export function instructionsContent(layout: ColumnLayout, limits: Limits, examples: ReadonlyMap<string, string>) {
  const overrides = layout.fields.filter((f) => f.level === "product" && f.variantOverride).map((f) => f.label.toLowerCase());
  const groupFields = layout.fields.filter((f) => isGroupKind(f.kind));
  const localized = layout.fields.filter((f) => f.kind === "localizedText").map((f) => f.label);
  const rules = [
    `Fill in the "${PRODUCTS_SHEET}" sheet: one row per variant (each size, colour …). Keep row 1 as it is (the column headers) and do not rename the sheet.`,
    `"${HANDLE_HEADER}" is required on every row. Rows with the same handle are the variants of one product; they do not have to be next to each other.`,
    "Product information (title, description, brand …) can be filled in on one row of the product — usually the first — or repeated on every row. If two rows of one product disagree, the product is not imported and the cells are marked.",
    overrides.length
      ? `Product values a variant may override (${overrides.join(", ")}): the same value on every row, or on one row only, is the product's value; different values on different rows are each variant's own value.`
      : "",
    "Variant columns (SKU, barcode, options) belong to the row's variant. A variant is recognised by its SKU, else its barcode, else its option values.",
    "An empty cell means the file gives no value for it: it never erases a value already in Passport.",
    `The template's example products (${TEMPLATE_EXAMPLE_HANDLES.join(" and ")}, with their SKUs) are never imported: add your products under them or type over them, and delete them whenever you like.`,
    ...groupFields.map((f) => {
      const n = layout.groups[f.kind as keyof ColumnLayout["groups"]];
      const cols = layout.columns.filter((c) => c.role.type === "group" && c.role.field.key === f.key && c.role.index === 1).map((c) => `"${c.header}"`);
      const max = MAX_GROUPS[f.kind as keyof typeof MAX_GROUPS];
      return max !== undefined
        ? `${f.label}: one group of columns per entry (${cols.join(", ")}), at most ${max}.`
        : `${f.label}: one group of columns per entry (${cols.join(", ")}), ${n} groups are prepared; add more groups with the next number if you need them.`;
    }),
    localized.length
      ? `Translations: the plain text columns (${localized.map((l) => `"${l}"`).join(", ")}) are in the shop's main language (${layout.primaryLocale}). Add a translation as a column with the language code in brackets, e.g. "${localized[0]} [de]" or "${localized[localized.length - 1]} [fr]".`
      : "",
    "Numbers: enter the number only, in the unit shown in the header, e.g. 12.5 or 12,5. Dates: an Excel date or YYYY-MM-DD. Countries: ISO 3166 two-letter codes (PT, DE …), the dropdown lists them.",
    "Barcodes (GTIN): keep the column formatted as Text so leading zeros stay; the check digit is verified.",
    "Columns Passport does not know are ignored (the upload lists them as warnings). Rows marked Yes in \"Archived in source\" (written on export) are not imported: their variants stay as they are; set No to import such a row.",
  ].filter((s) => s !== "");

  const reference = layout.columns
    .filter((c) => c.role.type !== "group" || c.role.index === 1)
    .map((c) => {
      const role = c.role;
      const level = role.type === "field" || role.type === "group" ? levelText(role.field) : role.type === "handle" ? "Row" : "";
      const required = c.required ? "Yes, every row" : c.requiredToCreate ? "To create a product" : "";
      return {
        header: c.header,
        required,
        level,
        description: c.description || formatDescription(c.format, c.unit),
        unit: c.format === "percent" ? "%" : (c.unit ?? ""),
        example: examples.get(c.key) ?? "",
      };
    });
  return { rules, limits: describeLimits(limits), reference };
}

function addInstructionsSheet(wb: StreamWorkbook, layout: ColumnLayout, limits: Limits, examples: ReadonlyMap<string, string>): void {
  const ws = wb.addWorksheet(INSTRUCTIONS_SHEET, { views: [{ showGridLines: false }] });
  ws.columns = [{ width: 34 }, { width: 20 }, { width: 22 }, { width: 90 }, { width: 10 }, { width: 44 }];
  const content = instructionsContent(layout, limits, examples);
  const wrap: Partial<ExcelJS.Alignment> = { wrapText: true, vertical: "top" };

  const title = ws.addRow(["How to fill in the Products sheet"]);
  title.getCell(1).font = { bold: true, size: 16 };
  title.commit();
  ws.addRow([]).commit();
  for (const [i, rule] of content.rules.entries()) {
    const row = ws.addRow([`${i + 1}.`, rule]);
    ws.mergeCells(row.number, 2, row.number, 6);
    row.getCell(2).alignment = wrap;
    row.height = Math.max(15, Math.ceil(rule.length / 150) * 15);
    row.commit();
  }
  ws.addRow([]).commit();
  const limitsTitle = ws.addRow(["Limits"]);
  limitsTitle.getCell(1).font = { bold: true, size: 13 };
  limitsTitle.commit();
  for (const line of content.limits) {
    const row = ws.addRow(["", line]);
    ws.mergeCells(row.number, 2, row.number, 6);
    row.commit();
  }
  ws.addRow([]).commit();
  const tableTitle = ws.addRow(["Columns"]);
  tableTitle.getCell(1).font = { bold: true, size: 13 };
  tableTitle.commit();
  const head = ws.addRow(["Column", "Required", "Level", "What it means and how to fill it in", "Unit", "Example"]);
  head.eachCell((cell) => {
    cell.font = { bold: true, color: { argb: "FFFFFFFF" } };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: HEADER_FILL } };
    cell.alignment = { vertical: "middle" };
  });
  head.commit();
  for (const r of content.reference) {
    const row = ws.addRow([r.header, r.required, r.level, r.description, r.unit, r.example]);
    row.eachCell((cell) => {
      cell.alignment = wrap;
    });
    row.getCell(1).font = { bold: true };
    row.height = Math.max(15, Math.ceil(Math.max(r.description.length / 85, r.example.length / 40, 1)) * 15);
    row.commit();
  }
  ws.commit();
}

/** What the export left out of the file and why (productRows), where the merchant downloading it sees it. */
function addExportNotesSheet(wb: StreamWorkbook, warnings: readonly string[]): void {
  const ws = wb.addWorksheet(EXPORT_NOTES_SHEET, { properties: { tabColor: { argb: "FFC55A11" } }, views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = [{ width: 160 }];
  const head = ws.addRow(["Left out of this file (the Products sheet shows these cells empty; importing the file leaves these values as they are in Passport)"]);
  head.font = { bold: true };
  head.commit();
  for (const warning of warnings) ws.addRow([cellText(warning)]).commit();
  ws.commit();
}

function addListsSheet(wb: StreamWorkbook): void {
  const ws = wb.addWorksheet(LISTS_SHEET, { state: "hidden" });
  ws.columns = [{ width: 10 }, { width: 40 }];
  const head = ws.addRow(["Code", "Country"]);
  head.font = { bold: true };
  head.commit();
  for (const { code, name } of countryList()) ws.addRow([code, name]).commit();
  ws.commit();
}

/** Example values per column key (first non-empty value of the example products). */
export function exampleValues(products: readonly ExportProduct[], layout: ColumnLayout): Map<string, string> {
  const out = new Map<string, string>();
  for (const product of products) {
    const { rows } = productRows(product, layout);
    for (const row of rows) {
      layout.columns.forEach((c, i) => {
        const v = row[i];
        if (v === undefined || out.has(c.key)) return;
        out.set(c.key, v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
      });
    }
  }
  return out;
}

export interface WriteWorkbookOptions {
  layout: ColumnLayout;
  limits?: Limits;
  /** Example values for the Instructions sheet, by column key. */
  examples: ReadonlyMap<string, string>;
}

/** The archive's input for a sheet (exceljs 4 internals: the sheet's stream pipes into it). */
type SheetArchiveInput = { _writableState?: { length: number }; once(event: "drain", listener: () => void): unknown };

/**
 * Waits until the rows written so far are nearly all compressed. exceljs's streaming writer hands
 * a sheet's XML to its zip archive without waiting for it: while the archive still writes the
 * entries before the sheet, or compresses slower than rows come, the XML would pile up in memory
 * (the whole sheet, uncompressed: ~55 MB for 50,000 rows).
 */
async function compressedSoFar(ws: StreamSheet): Promise<void> {
  const input = (ws as unknown as { stream?: { pipes?: SheetArchiveInput[] } }).stream?.pipes?.[0];
  const waiting = input?._writableState?.length;
  if (input && waiting !== undefined && waiting > 1 << 20) await new Promise<void>((resolve) => input.once("drain", resolve));
  else await new Promise((resolve) => setImmediate(resolve)); // let the archive take what there is
}

/** Rejects when the output stream fails (a full disk, a closed connection). */
function outputFailure(output: Writable): Promise<never> {
  const failed = new Promise<never>((_, reject) => output.once("error", reject));
  failed.catch(() => undefined);
  return failed;
}

/**
 * Streams a workbook: the Products sheet with one row per variant, then the Instructions and
 * Lists sheets. Returns the number of product rows written and any warnings (cut-off values).
 */
export async function writeWorkbook(
  output: Writable,
  products: AsyncIterable<ExportProduct> | Iterable<ExportProduct>,
  options: WriteWorkbookOptions,
): Promise<{ rows: number; warnings: string[] }> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const { layout } = options;
  const failed = outputFailure(output);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  wb.creator = "Passport";
  wb.created = new Date();

  const work = async () => {
    const ws = addProductsSheet(wb, layout);
    let rows = 0;
    const warnings: string[] = [];
    for await (const product of products as AsyncIterable<ExportProduct>) {
      const result = productRows(product, layout, limits);
      warnings.push(...result.warnings);
      for (const values of result.rows) {
        const row = ws.addRow(values.map(cellText));
        row.commit();
        rows++;
        if (rows % 500 === 0) await compressedSoFar(ws);
      }
    }
    addValidations(ws, layout, Math.max(rows + 1, limits.maxRows + 1));
    ws.commit();
    if (warnings.length > 0) addExportNotesSheet(wb, warnings);
    addInstructionsSheet(wb, layout, limits, options.examples);
    addListsSheet(wb);
    await wb.commit();
    return { rows, warnings };
  };
  const writing = work().catch((err: unknown) => {
    // A failing source (e.g. a database error mid-export): the file is unusable, say so downstream.
    output.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  });
  return Promise.race([writing, failed]);
}
