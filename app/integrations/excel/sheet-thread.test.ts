// The sheet's thread hands over what exceljs's worksheet parser gives on the app's own thread, row
// for row and cell for cell; holds only a few pieces of the sheet at a time; and ends with the
// reading, however the reading ends.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { makeTempDir } from "./fixtures/helpers";
import { parseSheetOnThread, rowCells, type SheetRowBatch, type SheetThreadInput, SheetThreadUnavailable } from "./sheet-thread";

const requireCjs = createRequire(import.meta.url);

const STYLES_XML =
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  "</styleSheet>";

const SHARED_STRINGS: unknown[] = ["Organic Tee", { richText: [{ font: { bold: true }, text: "Bold" }, { text: " tee" }] }];

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

/** A sheet with every kind of cell value exceljs gives, and rows and cells with gaps. */
const SHEET_XML =
  '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
  `<row r="1"><c r="A1" t="s"><v>0</v></c>${inline("B1", "Grüße, 東京 ✓ 😀 &amp; &lt;more&gt;")}<c r="C1" t="b"><v>1</v></c><c r="D1" t="e"><v>#N/A</v></c></row>` +
  '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>0.25</v></c><c r="C2" s="2"><v>45000</v></c><c r="D2" s="3"><v>0.125</v></c>' +
  '<c r="E2"><f>1+1</f><v>2</v></c><c r="F2" t="str"><f>A1&amp;"x"</f><v>Organic Teex</v></c><c r="G2"><f>NOW()</f></c></row>' +
  '<row r="4"><c r="A4"><v>42</v></c><c r="C4"/><c r="AB4" t="s"><v>7</v></c></row>' +
  "</sheetData></worksheet>";

interface ParsedRow {
  number: number;
  cells: { column: number; value: unknown; numFmt: string | undefined }[];
}

/** The rows as exceljs's worksheet parser gives them on this thread (what the reader did before). */
async function parseHere(xml: string, sharedStrings: unknown[], date1904: boolean): Promise<ParsedRow[]> {
  const StyleManager = requireCjs("exceljs/lib/xlsx/xform/style/styles-xform.js") as new () => { parseStream(stream: Readable): Promise<unknown> };
  const WorksheetReader = requireCjs("exceljs/lib/stream/xlsx/worksheet-reader.js") as new (args: unknown) => {
    parse(): AsyncIterable<{ eventType: string; value: { number: number; eachCell(o: unknown, cb: (cell: { value: unknown; numFmt?: string }, col: number) => void): void } }[]>;
  };
  const styles = new StyleManager();
  await styles.parseStream(Readable.from([Buffer.from(STYLES_XML)]));
  const reader = new WorksheetReader({
    workbook: { sharedStrings, styles, properties: { model: { date1904 } } },
    id: 1,
    iterator: [xml],
    options: { worksheets: "emit", hyperlinks: "ignore" },
  });
  const rows: ParsedRow[] = [];
  for await (const events of reader.parse()) {
    for (const { eventType, value: row } of events) {
      if (eventType !== "row") continue;
      const cells: ParsedRow["cells"] = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => cells.push({ column, value: cell.value, numFmt: cell.numFmt }));
      rows.push({ number: row.number, cells });
    }
  }
  return rows;
}

function rowsOf(batches: SheetRowBatch[]): ParsedRow[] {
  return batches.flatMap((batch) =>
    batch.rowNumbers.map((number, row) => {
      const { start, end } = rowCells(batch, row);
      const cells: ParsedRow["cells"] = [];
      for (let i = start; i < end; i++) cells.push({ column: batch.columns[i], value: batch.values[i], numFmt: batch.numFmts[i] });
      return { number, cells };
    }),
  );
}

/** The text's bytes in pieces of `size` bytes (splitting characters), counting the pieces taken. */
function piecesOf(text: string, size: number): { bytes: AsyncIterable<Buffer>; taken: () => number } {
  const all = Buffer.from(text, "utf8");
  let taken = 0;
  async function* bytes(): AsyncGenerator<Buffer> {
    for (let at = 0; at < all.length; at += size) {
      taken++;
      yield all.subarray(at, at + size);
    }
  }
  return { bytes: bytes(), taken: () => taken };
}

function input(xml: string, pieceBytes: number, extra: Partial<SheetThreadInput> = {}): SheetThreadInput {
  return { bytes: piecesOf(xml, pieceBytes).bytes, sheetId: 1, sharedStrings: SHARED_STRINGS, stylesXml: STYLES_XML, date1904: false, ...extra };
}

async function readAll(batches: AsyncIterable<SheetRowBatch>): Promise<SheetRowBatch[]> {
  const out: SheetRowBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

function manyRows(count: number): string {
  let xml = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  for (let r = 1; r <= count; r++) xml += `<row r="${r}">${inline(`A${r}`, `handle-${r}`)}<c r="B${r}"><v>${r}</v></c></row>`;
  return `${xml}</sheetData></worksheet>`;
}

/** The threads started while a test runs, to check they have all ended. */
let terminate: MockInstance<Worker["terminate"]>;
beforeAll(() => {
  terminate = vi.spyOn(Worker.prototype, "terminate");
});
afterEach(() => {
  for (const worker of terminate.mock.contexts as Worker[]) expect(worker.threadId).toBe(-1);
  terminate.mockClear();
});
afterAll(() => {
  terminate.mockRestore();
});

describe("the sheet's thread", () => {
  it("keeps a formula's saved result of 0 or an empty text (exceljs drops results that are not truthy)", async () => {
    const xml =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">' +
      '<c r="A1"><f>0*5</f><v>0</v></c><c r="B1" t="str"><f>IF(1=1,"","x")</f><v></v></c><c r="C1"><f>NOW()</f></c><c r="D1"><f>2*2</f><v>4</v></c>' +
      "</row></sheetData></worksheet>";
    const [row] = rowsOf(await readAll(parseSheetOnThread(input(xml, 1024))));
    expect(row.cells.map((c) => c.value)).toEqual([{ formula: "0*5", result: 0 }, { formula: 'IF(1=1,"","x")', result: "" }, { formula: "NOW()" }, { formula: "2*2", result: 4 }]);
  });

  it("decodes the text of inline and formula string cells once (exceljs decodes it twice)", async () => {
    const xml =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">' +
      `${inline("A1", "&lt;p&gt;Fish &amp;amp; Chips &amp;lt;3&lt;/p&gt;")}<c r="B1" t="str"><v>Tom &amp;amp; Jerry</v></c>` +
      '<c r="C1" t="str"><f>"a"</f><v>&amp;quot;x&amp;quot;</v></c></row></sheetData></worksheet>';
    const [row] = rowsOf(await readAll(parseSheetOnThread(input(xml, 1024))));
    expect(row.cells.map((c) => c.value)).toEqual(["<p>Fish &amp; Chips &lt;3</p>", "Tom &amp; Jerry", { formula: '"a"', result: "&quot;x&quot;" }]);
  });

  it("gives an inline string's runs (exceljs kept the last), without phonetic guides or the layout between them, whatever the pieces", async () => {
    const run = (text: string, props = "") => `<r>${props && `<rPr>${props}</rPr>`}<t xml:space="preserve">${text}</t></r>`;
    const guide = '<rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1" type="noConversion"/>';
    const cells = [
      run("Organic ", '<b/><sz val="11"/><rFont val="Calibri"/>') + run("cotton"),
      `\n  ${run("Grüße ")}\n  ${run("aus ", "<i/>")}${run("東京 😀")}\n`,
      `<t>東京</t>${guide}`,
      run("東京", "<b/>") + run("の綿") + guide,
      `\n <t>plain</t>\n`,
      run("one run"),
      run("Fish &amp;amp; ") + run("Chips_x000D_\n"),
      "",
    ];
    const xml =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      cells.map((is, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is>${is}</is></c><c r="B${i + 1}"><v>${i}</v></c></row>`).join("") +
      "</sheetData></worksheet>";
    const rich = (...runs: string[]) => ({ richText: runs.map((text) => ({ text })) });
    const expected = [
      rich("Organic ", "cotton"),
      rich("Grüße ", "aus ", "東京 😀"),
      "東京",
      rich("東京", "の綿"),
      "plain",
      "one run",
      // Entities decoded once; Excel's escapes are left to cells.ts, as in shared strings.
      rich("Fish &amp; ", "Chips_x000D_\n"),
      "",
    ];
    for (const pieceBytes of [1, 7, 1 << 20]) {
      const rows = rowsOf(await readAll(parseSheetOnThread(input(xml, pieceBytes))));
      expect(rows.map((r) => r.cells.map((c) => c.value)), String(pieceBytes)).toEqual(expected.map((value, i) => [value, i]));
    }
  });

  it("gives every row and cell exactly as exceljs's parser does on the app's thread, whatever the pieces", async () => {
    for (const date1904 of [false, true]) {
      const expected = await parseHere(SHEET_XML, SHARED_STRINGS, date1904);
      // Pieces of 7 bytes split the multi-byte characters; one piece holds it all.
      for (const pieceBytes of [7, 1 << 20]) {
        expect(rowsOf(await readAll(parseSheetOnThread(input(SHEET_XML, pieceBytes, { date1904 }))))).toEqual(expected);
      }
    }
    const rows = rowsOf(await readAll(parseSheetOnThread(input(SHEET_XML, 7))));
    // What the comparison covers: each kind of value, the number formats, the row numbers.
    expect(rows.map((r) => r.number)).toEqual([1, 2, 4]);
    expect(rows[0].cells.map((c) => c.value)).toEqual(["Organic Tee", "Grüße, 東京 ✓ 😀 & <more>", true, { error: "#N/A" }]);
    expect(rows[1].cells.map((c) => [c.column, c.numFmt])).toEqual([[1, undefined], [2, "0%"], [3, "mm-dd-yy"], [4, "0.0%"], [5, undefined], [6, undefined], [7, undefined]]);
    expect(rows[1].cells[0].value).toEqual(SHARED_STRINGS[1]);
    expect(rows[1].cells[2].value).toBeInstanceOf(Date);
    expect(rows[1].cells.slice(4).map((c) => c.value)).toEqual([{ formula: "1+1", result: 2 }, { formula: 'A1&"x"', result: "Organic Teex" }, { formula: "NOW()" }]);
    // The empty cell is left out; a shared string past the table's end has no value.
    expect(rows[2].cells.map((c) => c.column)).toEqual([1]);
    expect(terminate).toHaveBeenCalledTimes(5);
  });

  it("reads without number formats when the styles are missing or unreadable", async () => {
    for (const stylesXml of [null, "<styleSheet><numFmts></styleSheet>"]) {
      const rows = rowsOf(await readAll(parseSheetOnThread(input(SHEET_XML, 64, { stylesXml }))));
      expect(rows[1].cells.map((c) => c.numFmt)).toEqual(Array(7).fill(undefined));
      expect(rows[1].cells[2].value).toBe(45000);
    }
  });

  it("takes only a few pieces ahead of the rows read, and all of a large sheet in order", async () => {
    const count = 5000;
    const pieces = piecesOf(manyRows(count), 1024);
    const reading = parseSheetOnThread({ bytes: pieces.bytes, sheetId: 1, sharedStrings: [], stylesXml: null, date1904: false });
    const first = await reading.next();
    expect(first.done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const takenWhilePaused = pieces.taken();
    expect(takenWhilePaused).toBeLessThan(30); // of ~150
    const numbers = [...(first.value as SheetRowBatch).rowNumbers];
    for await (const batch of reading) numbers.push(...batch.rowNumbers);
    expect(pieces.taken()).toBeGreaterThan(100);
    expect(numbers).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it("ends the thread when the reading stops early, and reads no further", async () => {
    const pieces = piecesOf(manyRows(5000), 1024);
    for await (const batch of parseSheetOnThread({ bytes: pieces.bytes, sheetId: 1, sharedStrings: [], stylesXml: null, date1904: false })) {
      expect(batch.rowNumbers[0]).toBe(1);
      break;
    }
    expect(terminate).toHaveBeenCalledTimes(1);
    expect(pieces.taken()).toBeLessThan(30);

    const reading = parseSheetOnThread(input(SHEET_XML, 7));
    await reading.next();
    await reading.return(undefined);
    expect(terminate).toHaveBeenCalledTimes(2);
  });

  it("passes on the parser's error for damaged XML, after the rows before it, and ends the thread", async () => {
    const broken = `${manyRows(200).replace("</sheetData></worksheet>", "")}<row r="201"><c r="A201" <v>1</v></c></row></sheetData></worksheet>`;
    const expected = await parseHere(broken, [], false).catch((error: unknown) => error as Error);
    expect(expected).toBeInstanceOf(Error);
    const numbers: number[] = [];
    const error = await (async () => {
      for await (const batch of parseSheetOnThread(input(broken, 512))) numbers.push(...batch.rowNumbers);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SheetThreadUnavailable);
    expect((error as Error).message).toBe((expected as Error).message);
    expect(numbers.length).toBeGreaterThan(150);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    expect(terminate).toHaveBeenCalledTimes(1);
  });

  it("says so when the thread cannot start", async () => {
    const error = await readAll(parseSheetOnThread(input(SHEET_XML, 64, { sharedStrings: [() => "not data"] }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SheetThreadUnavailable);
    expect((error as Error).message).toMatch(/^The thread that reads the sheet could not start: /);
  });
});

describe("the sheet's thread and the process", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    await tmp.cleanup();
  });

  it("keeps the process alive while the reading waits for it, and not once the reading is left", async () => {
    // Nothing else keeps this script's process alive: its pieces come from memory.
    const script = tmp.path("keep-alive.mts");
    await writeFile(
      script,
      [
        `const { parseSheetOnThread } = await import(${JSON.stringify(new URL("./sheet-thread.ts", import.meta.url).pathname)});`,
        `const xml = ${JSON.stringify(manyRows(20_000))};`,
        "const read = () => parseSheetOnThread({ bytes: (async function* () { yield Buffer.from(xml); })(), sheetId: 1, sharedStrings: [], stylesXml: null, date1904: false });",
        "let count = 0;",
        "for await (const batch of read()) count += batch.rowNumbers.length;",
        'console.log("read", count);',
        "await read().next();",
        'console.log("left");',
      ].join("\n"),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { timeout: 30_000 });
    expect(stdout.trim().split("\n")).toEqual(["read 20000", "left"]);
  }, 40_000);
});
