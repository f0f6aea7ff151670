// The error workbook: a copy of the uploaded file with every problem marked where it is, so the
// merchant can fix the cells and upload the file again.
// - each cell with an error gets a red fill and a note (comment) saying what is wrong; warnings a
//   yellow fill; several problems in one cell share one note;
// - problems of a whole row (no cell given) are marked on the row's Product Handle cell;
// - an "Errors" sheet lists every problem (replacing an "Errors" sheet from an earlier round).
// The file passed the upload limits, so it is loaded with exceljs's (non-streaming) workbook
// reader. Its data validations are read from the sheet XML and put back as ranges: exceljs would
// otherwise expand a validation over 100,000 rows into 100,000 objects per column.
import { createRequire } from "node:module";
import ExcelJS from "exceljs";
import { HANDLE_HEADER, normalizeHeader, columnIndex, cellRef as toCellRef } from "./columns";
import { inspectWorkbookFile, ElementCollector, parseAttributes, decodeXml, parseWorkbookStructure, readZipTextParts, streamZipParts } from "./workbook-file";
import { type Limits, resolveLimits } from "./limits";
import type { CellIssue } from "./reader";

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

/** Data validations of every worksheet, by sheet name. */
async function readDataValidations(path: string): Promise<Map<string, Map<string, DataValidationModel>>> {
  const parts = await readZipTextParts(path, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"]);
  const { sheets } = parseWorkbookStructure(parts.get("xl/workbook.xml") ?? "", parts.get("xl/_rels/workbook.xml.rels") ?? "");
  const byPart = new Map<string, { name: string; collector: ElementCollector }>();
  for (const s of sheets) if (s.path) byPart.set(s.path, { name: s.name, collector: new ElementCollector("dataValidations") });
  await streamZipParts(path, new Set(byPart.keys()), (name, chunk) => byPart.get(name)!.collector.push(chunk));
  const out = new Map<string, Map<string, DataValidationModel>>();
  for (const { name, collector } of byPart.values()) {
    const models = parseDataValidations(collector.blocks);
    if (models.size) out.set(name, models);
  }
  return out;
}

function findHandleColumn(ws: ExcelJS.Worksheet): number {
  const targets = new Set([normalizeHeader(HANDLE_HEADER), "handle"]);
  for (let r = 1; r <= Math.min(5, ws.rowCount); r++) {
    let found = 0;
    ws.getRow(r).eachCell((cell, col) => {
      if (!found && typeof cell.text === "string" && targets.has(normalizeHeader(cell.text))) found = col;
    });
    if (found) return found;
  }
  return 1;
}

function noteText(kind: "error" | "warning", messages: string[]): string {
  const head = kind === "error" ? (messages.length > 1 ? "Problems:" : "Problem:") : messages.length > 1 ? "Warnings:" : "Warning:";
  return [head, ...messages.map((m) => (messages.length > 1 ? `• ${m}` : m))].join("\n");
}

/**
 * A copy of the workbook with the issues marked on their cells and listed on an "Errors" sheet.
 * Returns the .xlsx file's bytes.
 */
export async function annotateWorkbook(originalFilePath: string, issues: CellIssue[], options: AnnotateOptions = {}): Promise<Buffer> {
  // The file is checked again (size, zip bomb, structure) before it is loaded whole.
  await inspectWorkbookFile(originalFilePath, resolveLimits(options.limits), { hyperlinks: false });
  const validations = await readDataValidations(originalFilePath);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(originalFilePath, { ignoreNodes: ["dataValidations"] });
  for (const ws of wb.worksheets) {
    const models = validations.get(ws.name);
    if (!models) continue;
    const dv = (ws as unknown as { dataValidations: { model: Record<string, unknown> } }).dataValidations;
    for (const [range, model] of models) dv.model[range] = model;
  }

  const previous = wb.getWorksheet(ERRORS_SHEET);
  if (previous) wb.removeWorksheet(previous.id);

  const all = [
    ...issues.map((i) => ({ ...i, kind: "error" as const })),
    ...(options.warnings ?? []).map((i) => ({ ...i, kind: "warning" as const })),
  ];

  // Group the issues by cell.
  const byCell = new Map<string, { ws: ExcelJS.Worksheet; ref: string; kind: "error" | "warning"; messages: string[] }>();
  const handleCols = new Map<string, number>();
  const located: (typeof all[number] & { ref?: string })[] = [];
  for (const issue of all) {
    const ws = wb.getWorksheet(issue.sheet);
    let ref = issue.cellRef;
    if (ws && !ref && issue.row > 0) {
      let col = handleCols.get(ws.name);
      if (col === undefined) handleCols.set(ws.name, (col = findHandleColumn(ws)));
      ref = toCellRef(col, issue.row);
    }
    located.push({ ...issue, ref });
    if (!ws || !ref) continue;
    const key = `${ws.name}!${ref}`;
    const entry = byCell.get(key) ?? { ws, ref, kind: issue.kind, messages: [] };
    if (issue.kind === "error") entry.kind = "error";
    entry.messages.push(issue.message);
    byCell.set(key, entry);
  }

  for (const { ws, ref, kind, messages } of byCell.values()) {
    const cell = ws.getCell(ref);
    // Styles can be shared between cells: give this cell its own style object.
    cell.style = {
      ...cell.style,
      fill: { type: "pattern", pattern: "solid", fgColor: { argb: kind === "error" ? ERROR_FILL : WARNING_FILL } },
      font: { ...(cell.style.font ?? {}), color: { argb: kind === "error" ? ERROR_FONT : WARNING_FONT } },
    };
    cell.note = noteText(kind, messages);
  }

  // The Errors sheet.
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
  }
  if (sorted.length === 0) sheet.addRow({ message: "No problems found." });

  return Buffer.from(await wb.xlsx.writeBuffer());
}

function columnOf(ref: string): number {
  const m = /^([A-Z]+)/.exec(ref);
  return m ? columnIndex(m[1]) : 0;
}
