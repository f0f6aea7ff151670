// The last row of each product handle, read straight from the Products sheet's XML.
//
// The reader needs these rows before it parses (it hands each product over as soon as its last
// row is read, wherever the product's rows are), and a pass of exceljs over the whole sheet for
// them cost as much as the parse itself. The sheet's XML is plain enough for the handle column:
// this scan reads only the cells it can read exactly as exceljs does (shared strings, and plain
// text stored in the cell, as Excel, LibreOffice and exceljs write text). On anything else (a
// number or a formula as a handle, rich inline text, entities, comments, a cell without its
// address, a row of over a megabyte, rows out of order) it gives up, and the reader makes its
// exceljs pass instead (which refuses a sheet whose rows are out of order as damaged).
// A row it missed would make the reader hand a product over before its last row, so it never
// guesses.
import { rawCell, type RawCell } from "./cells";
import { columnIndex, columnLetter } from "./columns";
import { openZipPartText, parseAttributes, TAG_ATTRIBUTES } from "./workbook-file";

/** The handle column of a header row (-1 when it has none); undefined when the row is not the header row (blank). */
export type HandleColumnOf = (cols: readonly number[], raws: readonly RawCell[]) => number | undefined;

export interface HandleScanInput {
  path: string;
  /** The Products sheet's part in the zip. */
  sheetPath: string;
  /** The workbook's shared strings, as exceljs reads them. */
  sharedStrings: readonly unknown[];
  handleColumnOf: HandleColumnOf;
  /** Text of a handle cell as the parser keys products (empty: no handle). */
  handleKey: (raw: RawCell) => string;
  /** Stop after this many rows with a handle, as the parser does. */
  maxRows: number;
}

// A row's start tag: found loosely, then read whole at that place, its attributes as in CELL_TAG
// below (with `[^>]*?`, each of 50,000 "<row " without a ">" read the rest of the text again: 27 s).
const ROW_START = /<(?:[\w.-]+:)?row(?=[\s/>])/g;
const ROW_OPEN = new RegExp(String.raw`<(?:[\w.-]+:)?row(?=[\s/>])(${TAG_ATTRIBUTES}?)(\/?)>`, "y");
const ROW_CLOSE = /<\/(?:[\w.-]+:)?row\s*>/g;
// A cell's start or end tag (`<c …>`, `<c …/>`, `</c>`, `</c >`, any namespace prefix). An
// attribute value may hold ">" (quoted) but never "<", so no match reaches past the next "<": the
// tags of a row are found in one pass over it, however its cells are written. (Matching a whole
// cell with a lazy `[\s\S]*?</c>` instead read the rest of the row for each cell whose end tag it
// did not expect, "</c >": 35 s for a row of 60,000 such cells.)
const CELL_TAG = new RegExp(String.raw`<(\/?)((?:[\w.-]+:)?)c(?=[\s/>])(${TAG_ATTRIBUTES})>`, "g");
const SHARED_STRING = /^\s*<(?:[\w.-]+:)?v>(\d+)<\/(?:[\w.-]+:)?v>\s*$/;
// Text without entities or carriage returns (exceljs decodes those twice, or changes them), and
// inline text without runs (exceljs keeps only the last run).
const PLAIN_STRING = /^\s*<(?:[\w.-]+:)?v>([^<&\r]*)<\/(?:[\w.-]+:)?v>\s*$/;
const PLAIN_INLINE = /^\s*<((?:[\w.-]+:)?)is>\s*<\1t(?:\s[^>]*)?>([^<&\r]*)<\/\1t>\s*<\/\1is>\s*$/;
const CELL_REF = /^([A-Z]+)(\d+)$/;
const MAX_ROW_CHARS = 1024 * 1024;

/** Thrown inside the scan when the sheet holds something it cannot read exactly. */
class Unreadable extends Error {}

interface CellXml {
  attrs: Record<string, string>;
  content: string;
}

/** A cell's value as exceljs's streaming reader gives it, for the kinds this scan reads. */
function cellValue(cell: CellXml, sharedStrings: readonly unknown[]): unknown {
  const { t } = cell.attrs;
  if (cell.content.trim() === "") return null;
  if (t === "s") {
    const shared = SHARED_STRING.exec(cell.content);
    if (shared) return sharedStrings[Number(shared[1])];
  } else if (t === "str") {
    // A formula's text result has a <f> too: not plain.
    const plain = PLAIN_STRING.exec(cell.content);
    if (plain) return plain[1];
  } else if (t === "inlineStr") {
    const inline = PLAIN_INLINE.exec(cell.content);
    if (inline) return inline[2];
  }
  throw new Unreadable();
}

interface CellTag {
  end: boolean;
  prefix: string;
  attrs: string;
  /** Where the tag starts and where it ends (just after its ">"). */
  from: number;
  to: number;
}

/** The first cell tag at or after `from` in a row's XML. */
function nextCellTag(body: string, from: number): CellTag | null {
  CELL_TAG.lastIndex = from;
  const m = CELL_TAG.exec(body);
  return m && { end: m[1] === "/", prefix: m[2], attrs: m[3], from: m.index, to: CELL_TAG.lastIndex };
}

/**
 * The cell that `start` opens, and where it ends. Its end tag must be the next cell tag: a cell
 * inside a cell, or one never closed, is not XML exceljs reads.
 */
function cellFrom(body: string, start: CellTag): { cell: CellXml; to: number } {
  if (start.end) throw new Unreadable();
  if (start.attrs.endsWith("/")) return { cell: { attrs: parseAttributes(start.attrs.slice(0, -1)), content: "" }, to: start.to };
  const end = nextCellTag(body, start.to);
  if (!end?.end || end.prefix !== start.prefix || end.attrs.trim() !== "") throw new Unreadable();
  return { cell: { attrs: parseAttributes(start.attrs), content: body.slice(start.to, end.from) }, to: end.to };
}

/** Every cell of a row, with its column (a column twice: unreadable, exceljs keeps the last). */
function rowCells(body: string): { col: number; cell: CellXml }[] {
  const cells: { col: number; cell: CellXml }[] = [];
  const seen = new Set<number>();
  for (let tag = nextCellTag(body, 0); tag; ) {
    const { cell, to } = cellFrom(body, tag);
    const ref = CELL_REF.exec(cell.attrs.r ?? "");
    if (!ref) throw new Unreadable();
    const col = columnIndex(ref[1]);
    if (seen.has(col)) throw new Unreadable();
    seen.add(col);
    cells.push({ col, cell });
    tag = nextCellTag(body, to);
  }
  return cells;
}

/** The cell at `ref` in a row's XML (null when the row has none). */
function findCell(body: string, ref: string): CellXml | null {
  // Fast: the address appears once in the row, as the r attribute of a cell.
  const quoted = `"${ref}"`;
  const at = body.indexOf(quoted);
  if (at !== -1 && body.indexOf(quoted, at + 1) === -1) {
    const start = nextCellTag(body, body.lastIndexOf("<", at));
    if (start && start.from < at && at < start.to) {
      const { cell } = cellFrom(body, start);
      if (cell.attrs.r === ref) return cell;
    }
  }
  // Else every cell, by its parsed address.
  const col = columnIndex(CELL_REF.exec(ref)![1]);
  return rowCells(body).find((c) => c.col === col)?.cell ?? null;
}

/** The rows of the sheet's XML, as they stream by: row number and the XML between its tags. */
async function* sheetXmlRows(xml: AsyncIterable<string>): AsyncGenerator<{ number: number; body: string }> {
  let text = "";
  for await (const piece of xml) {
    text += piece;
    if (text.includes("<!--") || text.includes("<![CDATA[")) throw new Unreadable();
    let consumed = 0;
    for (;;) {
      ROW_START.lastIndex = consumed;
      const start = ROW_START.exec(text);
      if (!start) break;
      ROW_OPEN.lastIndex = start.index;
      const open = ROW_OPEN.exec(text);
      if (!open) {
        // Not all here yet, or a start tag no XML parser reads (a "<" in an attribute).
        if (text.includes("<", start.index + 1)) throw new Unreadable();
        break;
      }
      let end: number;
      let body: string;
      if (open[2] === "/") {
        end = ROW_OPEN.lastIndex;
        body = "";
      } else {
        ROW_CLOSE.lastIndex = ROW_OPEN.lastIndex;
        const close = ROW_CLOSE.exec(text);
        if (!close) break; // the rest of the row is in the next chunk
        end = ROW_CLOSE.lastIndex;
        body = text.slice(ROW_OPEN.lastIndex, close.index);
      }
      // As exceljs reads it (r="60e-1" is row 60), so that both passes agree on every row.
      const number = parseInt(parseAttributes(open[1]).r, 10);
      if (!Number.isInteger(number) || number < 1) throw new Unreadable();
      consumed = end;
      yield { number, body };
    }
    // Keep what follows the last whole row (all of it when the row is still open).
    text = text.slice(consumed);
    // Each piece searches the open row again: a row of megabytes (100 KB strings in many cells)
    // is left to exceljs, which reads it in one pass.
    if (text.length > MAX_ROW_CHARS) throw new Unreadable();
  }
}

/**
 * The last row of each handle (keyed as the parser keys products), or null when the sheet holds
 * something this scan does not read exactly as exceljs does.
 */
export async function scanLastRowOfEachHandle(input: HandleScanInput): Promise<Map<string, number> | null> {
  const part = await openZipPartText(input.path, input.sheetPath);
  if (!part) return null;
  const lastRow = new Map<string, number>();
  let handleRef: string | null = null;
  let rows = 0;
  let previous = 0;
  try {
    for await (const row of sheetXmlRows(part.text)) {
      if (row.number <= previous) throw new Unreadable();
      previous = row.number;
      if (handleRef === null) {
        const cells = rowCells(row.body);
        const handleCol = input.handleColumnOf(
          cells.map((c) => c.col),
          cells.map((c) => rawCell(cellValue(c.cell, input.sharedStrings))),
        );
        if (handleCol === undefined) continue;
        if (handleCol < 1) break; // the parser reports the missing column
        handleRef = columnLetter(handleCol);
        continue;
      }
      const cell = findCell(row.body, `${handleRef}${row.number}`);
      const key = cell ? input.handleKey(rawCell(cellValue(cell, input.sharedStrings))) : "";
      if (key === "") continue;
      lastRow.set(key, row.number);
      if (++rows > input.maxRows) break;
    }
  } catch (err) {
    if (err instanceof Unreadable) return null;
    throw err;
  } finally {
    part.close();
  }
  return lastRow;
}
