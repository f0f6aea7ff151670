// The error workbook: a copy of the uploaded file with every problem marked where it is, so the
// merchant can fix the cells and upload the file again.
// - each cell with an error gets a red fill and a note (comment) saying what is wrong; warnings a
//   yellow fill; several problems in one cell share one note;
// - problems of a whole row (no cell given) are marked on the row's Product Handle cell;
// - an "Errors" sheet lists every problem (replacing an "Errors" sheet from an earlier round).
// The copy is streamed, sheet by sheet and row by row (exceljs's worksheet parser, on the thread
// the import reads sheets with, into exceljs's streaming writer), so memory stays flat whatever
// the file's size: loading a 50,000-row file whole took more than 512 MB. Cell values and styles,
// row heights, column widths, frozen panes, merged cells, hidden sheets and data validations are
// kept; what exceljs's streaming reader does not read (images, charts, comments of the original,
// conditional formats) is not.
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { HANDLE_HEADER, normalizeHeader, columnIndex, cellRef as toCellRef } from "./columns";
import { inspectWorkbookFile, ElementCollector, parseAttributes, decodeXml, openZipPart, openZipPartText, parseWorkbookStructure, readZipTextParts, streamZipParts, xmlElements } from "./workbook-file";
import { type Limits, resolveLimits } from "./limits";
import type { CellIssue } from "./reader";
import { parseSharedStrings } from "./shared-strings";
import { parseSheetOnThread, rowCells } from "./sheet-thread";
import { decodeXString, encodeXString } from "./xstring";

export const ERRORS_SHEET = "Errors";

// exceljs's workbook writer hands each part's XML to JSZip as a string, and JSZip encodes it to
// UTF-8 in slices of 16 KB: a character outside the BMP (an emoji) cut by a slice became two "�".
// Each part is encoded whole instead (exceljs does so itself only in browsers).
const { ZipWriter } = createRequire(import.meta.url)("exceljs/lib/utils/zip-stream.js") as {
  ZipWriter: { prototype: { append(data: unknown, options: object): void } };
};
const appendToZip = ZipWriter.prototype.append;
const appendEncoded = Object.assign(
  function (this: unknown, data: unknown, options: object) {
    appendToZip.call(this, typeof data === "string" ? Buffer.from(data, "utf8") : data, options);
  },
  { encodesWhole: true },
);
if (!("encodesWhole" in appendToZip)) ZipWriter.prototype.append = appendEncoded; // once per process

const ERROR_FILL = "FFFFC7CE";
const ERROR_FONT = "FF9C0006";
const WARNING_FILL = "FFFFEB9C";
const WARNING_FONT = "FF9C5700";

export interface AnnotateOptions {
  /** Warnings are marked in yellow and listed too. */
  warnings?: CellIssue[];
  /** The limits the file was read with (the file is checked against them again). */
  limits?: Partial<Limits>;
}

type DataValidationModel = Record<string, unknown> & { type: string; formulae?: unknown[] };

function excelSerialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** Parses `<dataValidation>` elements (plain and x14 extension forms) into exceljs models by range. */
export function parseDataValidations(xmlBlocks: readonly string[]): Map<string, DataValidationModel> {
  const out = new Map<string, DataValidationModel>();
  const re = /<((?:[\w.-]+:)?)dataValidation(?=[\s/>])([^>]*?)(?:\/>|>([\s\S]*?)<\/\1dataValidation>)/g;
  for (const block of xmlBlocks) {
    for (const m of block.matchAll(re)) {
      const a = parseAttributes(m[2]);
      const inner = m[3] ?? "";
      const type = a.type ?? "any";
      const model: DataValidationModel = { type };
      for (const key of ["operator", "errorStyle", "errorTitle", "error", "promptTitle", "prompt"]) {
        if (a[key] !== undefined) model[key] = a[key];
      }
      for (const key of ["allowBlank", "showInputMessage", "showErrorMessage"]) {
        if (a[key] !== undefined) model[key] = a[key] === "1" || a[key] === "true";
      }
      if (type !== "any" && type !== "list" && type !== "custom" && model.operator === undefined) model.operator = "between";
      const formulae: unknown[] = [];
      let valid = true;
      for (const n of [1, 2]) {
        const f = new RegExp(`<(?:[\\w.-]+:)?formula${n}>([\\s\\S]*?)</(?:[\\w.-]+:)?formula${n}>`).exec(inner);
        if (!f) continue;
        const text = decodeXml(f[1].replace(/<[^>]+>/g, "")).trim();
        if (type === "date" || type === "time") {
          const serial = Number(text);
          if (!Number.isFinite(serial)) valid = false;
          else formulae.push(excelSerialToDate(serial));
        } else if (type === "whole" || type === "textLength" || type === "decimal") {
          formulae.push(/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);
        } else {
          formulae.push(text);
        }
      }
      if (!valid) continue;
      if (formulae.length) model.formulae = formulae;
      const sqref = a.sqref ?? /<(?:[\w.-]+:)?sqref>([\s\S]*?)<\/(?:[\w.-]+:)?sqref>/.exec(inner)?.[1] ?? "";
      for (const range of sqref.trim().split(/\s+/)) {
        if (/^[A-Z]+\d+(:[A-Z]+\d+)?$/.test(range)) out.set(range, model);
      }
    }
  }
  return out;
}

/** What a worksheet keeps besides its rows, read from its XML (exceljs's streaming reader skips it). */
interface SheetLayout {
  validations: Map<string, DataValidationModel>;
  widths: { min: number; max: number; width: number; hidden: boolean }[];
  views: Partial<ExcelJS.WorksheetView>[];
  merges: string[];
}

/** Column widths, views (frozen panes), merged cells and data validations of every worksheet, by part path. */
async function readSheetLayouts(path: string, sheetParts: readonly string[]): Promise<Map<string, SheetLayout>> {
  const tags = ["dataValidations", "cols", "sheetViews", "mergeCells"] as const;
  const byPart = new Map(sheetParts.map((part) => [part, Object.fromEntries(tags.map((t) => [t, new ElementCollector(t)])) as Record<(typeof tags)[number], ElementCollector>]));
  await streamZipParts(path, new Set(sheetParts), (name, chunk) => {
    for (const collector of Object.values(byPart.get(name)!)) collector.push(chunk);
  });
  const out = new Map<string, SheetLayout>();
  for (const [part, c] of byPart) {
    const cols = c.cols.blocks.flatMap((b) => xmlElements(b, "col"));
    out.set(part, {
      validations: parseDataValidations(c.dataValidations.blocks),
      widths: cols
        .map((a) => ({ min: Number(a.min), max: Math.min(Number(a.max), 16_384), width: Number(a.width), hidden: a.hidden === "1" || a.hidden === "true" }))
        .filter((w) => Number.isInteger(w.min) && Number.isInteger(w.max) && w.min >= 1 && w.max >= w.min),
      views: c.sheetViews.blocks.flatMap(parseSheetViews).slice(0, 1),
      merges: c.mergeCells.blocks.flatMap((b) => xmlElements(b, "mergeCell").map((a) => a.ref ?? "")).filter((ref) => /^[A-Z]+\d+:[A-Z]+\d+$/.test(ref)),
    });
  }
  return out;
}

function parseSheetViews(block: string): Partial<ExcelJS.WorksheetView>[] {
  return xmlElements(block, "sheetView").map((view) => {
    const pane = xmlElements(block, "pane")[0];
    const showGridLines = view.showGridLines === "0" || view.showGridLines === "false" ? { showGridLines: false } : {};
    if (pane && (pane.state === "frozen" || pane.state === "frozenSplit")) {
      return { state: "frozen", xSplit: Number(pane.xSplit ?? 0), ySplit: Number(pane.ySplit ?? 0), ...(pane.topLeftCell ? { topLeftCell: pane.topLeftCell } : {}), ...showGridLines };
    }
    return showGridLines;
  });
}

function noteText(kind: "error" | "warning", messages: string[]): string {
  const head = kind === "error" ? (messages.length > 1 ? "Problems:" : "Problem:") : messages.length > 1 ? "Warnings:" : "Warning:";
  return [head, ...messages.map((m) => (messages.length > 1 ? `• ${m}` : m))].join("\n");
}

type Located = CellIssue & { kind: "error" | "warning"; ref?: string };

/** The marks to put on one cell: its worst kind and every message. */
interface Mark {
  kind: "error" | "warning";
  messages: string[];
}

/** The issues of one sheet by row, placed on their cells as the rows stream by. */
class SheetMarks {
  /** Issues by row; row-level ones (no cell) get the handle cell once the header has shown which it is. */
  private readonly byRow = new Map<number, Located[]>();
  /** The rows of byRow in order, and how many of them have been taken. */
  private readonly rows: number[];
  private next = 0;
  private handleCol = 0;

  constructor(issues: Located[]) {
    for (const issue of issues) {
      if (issue.row <= 0 && !issue.cellRef) continue; // about the whole sheet: listed only
      const row = issue.cellRef ? refRow(issue.cellRef) : issue.row;
      const list = this.byRow.get(row);
      if (list) list.push(issue);
      else this.byRow.set(row, [issue]);
    }
    this.rows = [...this.byRow.keys()].sort((a, b) => a - b);
  }

  /** Looks for the handle column in the first rows (the header). */
  seeHeader(rowNumber: number, texts: Map<number, string>): void {
    if (this.handleCol || rowNumber > 5) return;
    const targets = new Set([normalizeHeader(HANDLE_HEADER), "handle"]);
    for (const [col, text] of texts) {
      if (targets.has(normalizeHeader(text))) {
        this.handleCol = col;
        return;
      }
    }
  }

  /** Rows with issues not taken yet, in order, up to `row`. */
  rowsUpTo(row: number): number[] {
    const out: number[] = [];
    for (; this.next < this.rows.length && this.rows[this.next] <= row; this.next++) {
      if (this.byRow.has(this.rows[this.next])) out.push(this.rows[this.next]);
    }
    return out;
  }

  /** The marks of a row by column (its issues placed, and forgotten here). */
  take(row: number): Map<number, Mark> {
    const marks = new Map<number, Mark>();
    for (const issue of this.byRow.get(row) ?? []) {
      issue.ref ??= toCellRef(this.handleCol || 1, row);
      const col = columnOf(issue.ref);
      const mark = marks.get(col) ?? { kind: issue.kind, messages: [] };
      if (issue.kind === "error") mark.kind = "error";
      mark.messages.push(issue.message);
      marks.set(col, mark);
    }
    this.byRow.delete(row);
    return marks;
  }
}

function refRow(ref: string): number {
  return Number(/(\d+)$/.exec(ref)?.[1] ?? 0);
}

function markCell(cell: ExcelJS.Cell, mark: Mark): void {
  const style = cell.style ?? {};
  // Styles are shared between cells: this cell gets its own style object.
  cell.style = {
    ...style,
    fill: { type: "pattern", pattern: "solid", fgColor: { argb: mark.kind === "error" ? ERROR_FILL : WARNING_FILL } },
    font: { ...(style.font ?? {}), color: { argb: mark.kind === "error" ? ERROR_FONT : WARNING_FONT } },
  };
  cell.note = noteText(mark.kind, mark.messages);
}

/** A part's text, or null when the zip has no such part. */
async function withPartText<T>(path: string, part: string, use: (text: AsyncIterable<string>) => Promise<T>): Promise<T | null> {
  const opened = await openZipPartText(path, part);
  if (!opened) return null;
  try {
    return await use(opened.text);
  } finally {
    opened.close();
  }
}

/** Workbook-level parts: relationships resolved to part paths ("xl/styles.xml"). */
function workbookParts(relsXml: string): { sharedStrings?: string; styles?: string } {
  const out: { sharedStrings?: string; styles?: string } = {};
  for (const rel of xmlElements(relsXml, "Relationship")) {
    const target = rel.Target ?? "";
    const part = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
    if (/\/sharedStrings$/.test(rel.Type ?? "")) out.sharedStrings = part;
    if (/\/styles$/.test(rel.Type ?? "")) out.styles = part;
  }
  return out;
}

/**
 * Writes a copy of the workbook with the issues marked on their cells and listed on an "Errors"
 * sheet to `output` (ended when done), streaming.
 */
export async function writeAnnotatedWorkbook(originalFilePath: string, output: Writable, issues: CellIssue[], options: AnnotateOptions = {}): Promise<void> {
  // The file is checked again (size, zip bomb, structure) before it is read.
  const limits = resolveLimits(options.limits);
  await inspectWorkbookFile(originalFilePath, limits, { hyperlinks: false });
  const parts = await readZipTextParts(originalFilePath, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"]);
  const workbookXml = parts.get("xl/workbook.xml") ?? "";
  const relsXml = parts.get("xl/_rels/workbook.xml.rels") ?? "";
  const { sheets, date1904 } = parseWorkbookStructure(workbookXml, relsXml);
  const hidden = new Map(xmlElements(workbookXml, "sheet").map((a) => [a.name ?? "", a.state === "hidden" || a.state === "veryHidden" ? a.state : "visible"]));
  // An Errors sheet from an earlier round is replaced.
  const copied = sheets.filter((s): s is typeof s & { path: string } => s.path !== null && s.name !== ERRORS_SHEET);
  const layouts = await readSheetLayouts(originalFilePath, copied.map((s) => s.path));

  // The shared strings are where the reader looks for them when the relationships name none.
  const { sharedStrings: sharedStringsPart = "xl/sharedStrings.xml", styles } = workbookParts(relsXml);
  const stylesXml = styles ? ((await readZipTextParts(originalFilePath, [styles])).get(styles) ?? null) : null;
  // Parsed as the reader parses them (exceljs's own parse read an entry with a phonetic guide as
  // the guide), with the runs' fonts, which the copy keeps.
  const sharedStrings = (await withPartText(originalFilePath, sharedStringsPart, (text) => parseSharedStrings(text, { maxStrings: limits.maxSharedStrings, fonts: true }))) ?? [];

  const located: Located[] = [
    ...issues.map((i) => ({ ...i, kind: "error" as const, ref: i.cellRef })),
    ...(options.warnings ?? []).map((i) => ({ ...i, kind: "warning" as const, ref: i.cellRef })),
  ];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  for (const [index, sheet] of copied.entries()) {
    const layout = layouts.get(sheet.path)!;
    const ws = wb.addWorksheet(sheet.name, { state: hidden.get(sheet.name) as ExcelJS.WorksheetState | undefined, views: layout.views });
    const columns: Partial<ExcelJS.Column>[] = [];
    for (const w of layout.widths) for (let col = w.min; col <= w.max; col++) columns[col - 1] = { width: Number.isFinite(w.width) ? w.width : undefined, hidden: w.hidden };
    if (columns.length) ws.columns = Array.from(columns, (c) => c ?? {});
    const dv = (ws as unknown as { dataValidations: { model: Record<string, unknown> } }).dataValidations;
    for (const [range, model] of layout.validations) dv.model[range] = model;
    // Merged cells are set before the rows come (the writer marks their cells as it writes them).
    for (const range of layout.merges) {
      try {
        ws.mergeCells(range);
      } catch {
        // overlapping merges in the original: leave the later one out
      }
    }

    const marks = new SheetMarks(located.filter((i) => i.sheet === sheet.name));
    const markRow = (rowNumber: number) => {
      const row = ws.getRow(rowNumber);
      for (const [col, mark] of marks.take(rowNumber)) markCell(row.getCell(col), mark);
      return row;
    };
    const part = await openZipPart(originalFilePath, sheet.path);
    try {
      // Read as the import reads it (sheet-thread.ts), so the copy's texts are the ones the import read.
      const rowBatches = part ? parseSheetOnThread({ bytes: part.bytes, sheetId: index + 1, sharedStrings, stylesXml, date1904, withStyles: true }) : [];
      const cellStyles: Partial<ExcelJS.Style>[] = [];
      for await (const batch of rowBatches) {
        cellStyles.push(...((batch.newStyles ?? []) as Partial<ExcelJS.Style>[]));
        for (let r = 0; r < batch.rowNumbers.length; r++) {
          const rowNumber = batch.rowNumbers[r];
          // Issues on rows the file does not have (empty rows) are marked on new cells first.
          for (const issueRow of marks.rowsUpTo(rowNumber - 1)) markRow(issueRow).commit();
          const texts = new Map<number, string>();
          const row = ws.getRow(rowNumber);
          const height = batch.heights?.[r];
          if (height) row.height = height;
          const { start, end } = rowCells(batch, r);
          for (let i = start; i < end; i++) {
            const col = batch.columns[i];
            const target = row.getCell(col);
            const value = copiedValue(batch.values[i] as ExcelJS.CellValue);
            // A merged cell's value is its first cell's: only that one is written.
            if (value !== null) target.value = value;
            const style = cellStyles[batch.styles?.[i] ?? -1];
            if (style) target.style = style;
            if (typeof value === "string") texts.set(col, decodeXString(value));
          }
          marks.seeHeader(rowNumber, texts);
          markRow(rowNumber).commit();
        }
      }
    } finally {
      part?.close();
    }
    for (const r of marks.rowsUpTo(Number.MAX_SAFE_INTEGER)) markRow(r).commit();
    ws.commit();
  }
  writeErrorsSheet(wb, located);
  await wb.commit();
}

/**
 * A cell's value as the writer takes it (a shared formula's other cells keep their result), its
 * text as it must be written to read as it did (keptText).
 */
function copiedValue(value: ExcelJS.CellValue): ExcelJS.CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return keptText(value);
  if (typeof value !== "object" || value instanceof Date) return value;
  if ("richText" in value && Array.isArray(value.richText)) return { ...value, richText: value.richText.map((run) => ({ ...run, text: keptText(run.text) })) };
  if ("formula" in value || "sharedFormula" in value) {
    const { result } = value as { result?: ExcelJS.CellValue };
    const kept = typeof result === "string" ? keptText(result) : result;
    if ("formula" in value && !value.formula) return kept ?? null;
    return kept === result ? value : ({ ...value, result: kept } as ExcelJS.CellValue);
  }
  return value;
}

/**
 * A text of the original (a cell's, or a run's) as the copy writes it, so that the copy reads as
 * the original does. exceljs's streaming reader leaves Excel's escapes (`_x000D_`, `_x005F_x0041_`
 * for the text `_x0041_`) as they are, and its writer escapes nothing: the text is what the reader
 * would show (decodeXString) escaped again. Copied as it was, a carriage return the file holds as
 * `&#13;` came back a line feed (XML reads a CR as one); escaped as it was, `_x005F_x0041_` would
 * read as `_x005F_x0041_`, not `_x0041_`. Written again, lower-case escapes (`_x000d_`) are
 * upper-case ones: the same text.
 */
function keptText(text: string): string {
  return encodeXString(decodeXString(text));
}

function writeErrorsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, located: Located[]): void {
  const sheet = wb.addWorksheet(ERRORS_SHEET, { views: [{ state: "frozen", ySplit: 1 }], properties: { tabColor: { argb: "FFC00000" } } });
  sheet.columns = [
    { header: "Type", key: "type", width: 10 },
    { header: "Sheet", key: "sheet", width: 14 },
    { header: "Row", key: "row", width: 8 },
    { header: "Column", key: "column", width: 26 },
    { header: "Cell", key: "cell", width: 8 },
    { header: "Problem", key: "message", width: 100 },
  ];
  sheet.getRow(1).eachCell((cell) => {
    cell.font = { bold: true, color: { argb: "FFFFFFFF" } };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFC00000" } };
  });
  sheet.getRow(1).commit();
  const sorted = [...located].sort(
    (a, b) => (a.kind === b.kind ? 0 : a.kind === "error" ? -1 : 1) || a.sheet.localeCompare(b.sheet) || a.row - b.row || (a.ref && b.ref ? columnOf(a.ref) - columnOf(b.ref) : 0),
  );
  for (const issue of sorted) {
    const row = sheet.addRow({
      type: issue.kind === "error" ? "Error" : "Warning",
      sheet: issue.sheet,
      row: issue.row > 0 ? issue.row : "",
      column: issue.column,
      cell: issue.ref ?? "",
      message: issue.message,
    });
    row.getCell("message").alignment = { wrapText: true, vertical: "top" };
    row.getCell("type").font = { bold: true, color: { argb: issue.kind === "error" ? ERROR_FONT : WARNING_FONT } };
    row.commit();
  }
  if (sorted.length === 0) sheet.addRow({ message: "No problems found." }).commit();
  sheet.commit();
}

/** The marked copy as bytes (see writeAnnotatedWorkbook). */
export async function annotateWorkbook(originalFilePath: string, issues: CellIssue[], options: AnnotateOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await writeAnnotatedWorkbook(originalFilePath, output, issues, options);
  return Buffer.concat(chunks);
}

function columnOf(ref: string): number {
  const m = /^([A-Z]+)/.exec(ref);
  return m ? columnIndex(m[1]) : 0;
}
