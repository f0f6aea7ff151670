// exceljs's streaming worksheet parser, run on a thread of its own. Parsing a sheet's XML
// (saxes, exceljs's cell objects, entity decoding) took most of the app's thread while a file was
// read, and its garbage the rest; the app's thread now only unzips the sheet (zlib inflates on
// libuv's threads), posts its bytes to this thread, and checks the rows it gets back, while this
// thread parses the next piece. The thread knows nothing of the app's rules: it hands over each
// non-empty cell's value and number format (and, for the marked copy, its style) exactly as
// exceljs gives them (but for three exceljs bugs, below: text decoded twice, inline rich text cut
// to its last run, and formula results of 0, "" or FALSE dropped). Excel's escaped characters
// (`_x000D_`) are left to cells.ts, as in shared strings, so that they are decoded once, in the
// same place for both passes.
//
// Plain CommonJS, run with `eval` (as the checkpoint thread in app/db/sqlite-checkpoints.server.ts):
// no file of its own to find in the built app, the dev server, the tests or the command line; the
// modules it requires are resolved here. Messages from the thread: "ready" once its modules are
// loaded; then, each time the parser takes a piece of the sheet, the rows parsed since the last
// message (and `took`, room for another piece); `done` with the last rows; or `error`.
import { createRequire } from "node:module";
import { serialize } from "node:v8";
import { Worker } from "node:worker_threads";

const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { Readable } = require("node:stream");
const { deserialize } = require("node:v8");

// An inline string's text (<c t="inlineStr"><is>…</is></c>): the text of its <t> elements, those of
// its runs (<r>, rich text) included, joined; its phonetic guides (<rPh>, the reading of Japanese
// text) and the layout between its elements left out, as Excel reads it. exceljs's worksheet parser
// starts the cell's text again at each <t> (only the last run was left, or the phonetic guide) and
// adds any text between the elements. Its XML parser's events are rewritten before it sees them:
// within <is>, only the text of those <t> is passed on, with "\\0" between runs (a character no XML
// holds), and the cell's value is made rich text of those runs, as a shared string's (below).
// Outside <is>, events are passed on as they are; a piece without an inline string is not copied.
const parseSaxPath = workerData.parseSax;
const parseSax = require(parseSaxPath);
let inInline = false;
let phonetic = 0;
let inText = false;
let runs = [];
function inlineText(events) {
  let out = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!inInline) {
      if (out !== null) out.push(event);
      if (event.eventType === "opentag" && event.value.name === "is") {
        inInline = true;
        phonetic = 0;
        inText = false;
        runs = [];
      }
      continue;
    }
    if (out === null) out = events.slice(0, i);
    const { eventType, value } = event;
    if (eventType === "text") {
      if (inText) runs[runs.length - 1] += value;
    } else if (value.name === "t") {
      if (phonetic === 0) {
        inText = eventType === "opentag";
        if (inText) runs.push("");
      }
    } else if (value.name === "rPh") {
      phonetic += eventType === "opentag" ? 1 : -1;
    } else if (value.name === "is" && eventType === "closetag") {
      inInline = false;
      if (runs.length > 0) out.push({ eventType: "text", value: runs.join("\\0") });
      out.push(event);
    }
  }
  return out ?? events;
}
require(parseSaxPath); // in require's cache, so that the worksheet parser loads the version below
require.cache[parseSaxPath].exports = async function* (iterable) {
  for await (const events of parseSax(iterable)) yield inlineText(events);
};

const WorksheetReader = require(workerData.worksheetReader);
const StyleManager = require(workerData.styleManager);

// exceljs decodes the text of inline and formula string cells (t="inlineStr", t="str") a second
// time, after its XML parser (saxes) has decoded it: the text "Fish &amp; Chips" (in the file
// "Fish &amp;amp; Chips", as the app's export writes it) became "Fish & Chips". Its worksheet
// parser is the only user of this function on this thread, so its text is decoded once. An inline
// string of several runs (joined with "\\0" above) becomes rich text.
require(workerData.exceljsUtils).xmlDecode = (text) =>
  text.includes("\\0") ? { richText: text.split("\\0").map((run) => ({ text: run })) } : text;

// exceljs's style table (number formats: dates, percentages); without number formats when unreadable.
async function loadStyles(xml) {
  if (xml) {
    try {
      const styles = new StyleManager();
      await styles.parseStream(Readable.from([Buffer.from(xml, "utf8")]));
      return styles;
    } catch {}
  }
  const plain = new StyleManager();
  plain.init();
  return plain;
}

// A formula's value with its saved result: exceljs keeps only results that are truthy (its
// _copyModel), so a formula that came to 0, "" or FALSE looked as if it had none.
function withSavedResult(cell) {
  const value = cell.value;
  if (value === null || typeof value !== "object" || "result" in value || !("formula" in value || "sharedFormula" in value)) return value;
  const saved = cell._value && cell._value.model ? cell._value.model.result : undefined;
  return saved === undefined ? value : { ...value, result: saved };
}

const pieces = [];
let inputEnded = false;
let wake = null;
parentPort.on("message", (piece) => {
  if (piece === null) inputEnded = true;
  else pieces.push(piece);
  const resume = wake;
  wake = null;
  if (resume) resume();
});

// With withStyles (the marked copy): each cell's style as an index into a table the batches fill
// (a style first seen is sent once, with the batch that first uses it; cells share few styles),
// -1 for none; and each row's height.
const withStyles = workerData.withStyles === true;
const styleIndexes = new WeakMap();
const styleIndexesByText = new Map();
function styleIndex(style) {
  if (!style || Object.keys(style).length === 0) return -1;
  let index = styleIndexes.get(style);
  if (index === undefined) {
    const text = JSON.stringify(style);
    index = styleIndexesByText.get(text);
    if (index === undefined) {
      index = styleIndexesByText.size;
      styleIndexesByText.set(text, index);
      batch.newStyles.push(style);
    }
    styleIndexes.set(style, index);
  }
  return index;
}

const emptyBatch = () =>
  withStyles
    ? { rowNumbers: [], cellEnds: [], columns: [], values: [], numFmts: [], heights: [], styles: [], newStyles: [] }
    : { rowNumbers: [], cellEnds: [], columns: [], values: [], numFmts: [] };
let batch = emptyBatch();
function post(message) {
  parentPort.postMessage({ rows: batch, ...message });
  batch = emptyBatch();
}

// The sheet's text; a character split between two pieces is decoded whole.
async function* sheetText() {
  const decoder = new TextDecoder();
  for (;;) {
    while (pieces.length === 0 && !inputEnded) await new Promise((resolve) => (wake = resolve));
    if (pieces.length === 0) break;
    post({ took: true });
    yield decoder.decode(pieces.shift(), { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function parse() {
  const worksheet = new WorksheetReader({
    workbook: {
      sharedStrings: deserialize(workerData.sharedStrings),
      styles: await loadStyles(workerData.stylesXml),
      properties: { model: { date1904: workerData.date1904 } },
    },
    id: workerData.sheetId,
    iterator: sheetText(),
    options: { worksheets: "emit", hyperlinks: "ignore" }, // the app reads links from the sheet's relationships
  });
  for await (const events of worksheet.parse()) {
    for (const { eventType, value: row } of events) {
      if (eventType !== "row") continue;
      batch.rowNumbers.push(row.number);
      if (withStyles) batch.heights.push(row.height);
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        batch.columns.push(column);
        batch.values.push(withSavedResult(cell));
        batch.numFmts.push(cell.numFmt);
        if (withStyles) batch.styles.push(styleIndex(cell.style));
      });
      batch.cellEnds.push(batch.columns.length);
    }
  }
  post({ done: true });
}

parentPort.postMessage("ready");
parse().catch((error) => parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) }));
`;

/**
 * Rows as the thread posts them: flat arrays with one entry per non-empty cell, which cost less
 * to copy between threads than an object per row or cell.
 */
export interface SheetRowBatch {
  /** Each row's number as exceljs reads it (NaN for a row without one). */
  rowNumbers: number[];
  /** Where each row's cells end in the cell arrays; they start where the row before ends. */
  cellEnds: number[];
  /** Each cell's column (1-based). */
  columns: number[];
  /** Each cell's value, exactly as exceljs gives it (string, number, boolean, Date, rich text, formula, error). */
  values: unknown[];
  /** Each cell's number format, as exceljs gives it. */
  numFmts: (string | undefined)[];
  /** With `withStyles`: each row's height, if the file sets one. */
  heights?: (number | undefined)[];
  /** With `withStyles`: each cell's style, an index into the styles of this and earlier batches' `newStyles` (-1: none). */
  styles?: number[];
  /** With `withStyles`: the styles first used in this batch, in index order. */
  newStyles?: unknown[];
}

/** The cells of row `row` of a batch: indexes [start, end) of its cell arrays. */
export function rowCells(batch: SheetRowBatch, row: number): { start: number; end: number } {
  return { start: row === 0 ? 0 : batch.cellEnds[row - 1], end: batch.cellEnds[row] };
}

type ThreadMessage = "ready" | { rows: SheetRowBatch; took?: true; done?: true } | { error: string };

/** The thread could not be started (or failed before it could read anything): not the file's fault. */
export class SheetThreadUnavailable extends Error {
  override name = "SheetThreadUnavailable";
  constructor(cause: unknown) {
    super(`The thread that reads the sheet could not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface SheetThreadInput {
  /** The sheet's XML as it is inflated. */
  bytes: AsyncIterable<Buffer>;
  sheetId: number;
  /** The workbook's shared strings, as exceljs reads them. */
  sharedStrings: readonly unknown[];
  /** xl/styles.xml; null when the workbook has none. */
  stylesXml: string | null;
  date1904: boolean;
  /** Also hand over each cell's style and each row's height (for a copy of the sheet). */
  withStyles?: boolean;
}

/**
 * The most bytes of the sheet posted at a time (zlib's chunks are this size). exceljs gathers the
 * events of a whole piece before it hands them on: measured, larger pieces (64 KB, 256 KB) cost
 * the thread more time, and the messages of these (a few rows each) cost little.
 */
const PIECE_BYTES = 16 * 1024;
/**
 * Pieces posted to the thread and not yet taken by its parser, and batches of rows received and
 * not yet handed over: the thread keeps parsing while this thread is busy with the rows (or the
 * sync merge), and neither thread ever holds more than a few pieces' worth.
 */
const PIECES_IN_FLIGHT = 4;
const BATCHES_QUEUED = 8;
/**
 * The thread's heap besides its copy of the shared strings (twice their serialized size is added):
 * the styles, a few pieces and their rows. Measured on 50,000 generated rows: 8–15 MB used, 25 MB
 * in all with the young generation; a smaller young generation made the parser collect far more
 * often (a third more time at 8 MB).
 */
const THREAD_OLD_SPACE_MB = 32;
const THREAD_YOUNG_SPACE_MB = 16;

const requireCjs = createRequire(import.meta.url);

/**
 * The rows of a sheet, in order, in batches, parsed by exceljs on a thread of its own. At most a
 * few pieces of the sheet and batches of rows are in flight, whatever the sheet's size. The
 * thread ends when the loop ends, breaks or throws; it never keeps the process alive while the
 * caller is not waiting for it. Throws SheetThreadUnavailable when it cannot start, and the
 * parser's error (damaged XML) as an Error with its message.
 */
export async function* parseSheetOnThread(input: SheetThreadInput): AsyncGenerator<SheetRowBatch> {
  let worker: Worker;
  try {
    const sharedStrings = serialize(input.sharedStrings);
    worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        worksheetReader: requireCjs.resolve("exceljs/lib/stream/xlsx/worksheet-reader.js"),
        parseSax: requireCjs.resolve("exceljs/lib/utils/parse-sax.js"),
        styleManager: requireCjs.resolve("exceljs/lib/xlsx/xform/style/styles-xform.js"),
        exceljsUtils: requireCjs.resolve("exceljs/lib/utils/utils.js"),
        sharedStrings,
        stylesXml: input.stylesXml,
        date1904: input.date1904,
        sheetId: input.sheetId,
        withStyles: input.withStyles === true,
      },
      // Without the app's Node flags, which would override these limits (the production server's --max-old-space-size).
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: THREAD_OLD_SPACE_MB + Math.ceil((2 * sharedStrings.byteLength) / (1024 * 1024)),
        maxYoungGenerationSizeMb: THREAD_YOUNG_SPACE_MB,
      },
    });
  } catch (error) {
    throw new SheetThreadUnavailable(error);
  }
  worker.unref();

  const received: SheetRowBatch[] = [];
  let ready = false;
  let done = false;
  let stopped = false;
  let failure: Error | null = null;
  let wakeReader: (() => void) | null = null;
  const wake = () => {
    const resume = wakeReader;
    wakeReader = null;
    resume?.();
  };
  const fail = (error: Error) => {
    failure ??= ready ? error : new SheetThreadUnavailable(error);
    wake();
  };

  // Posts pieces of the sheet while the thread has room for them and its rows are being read.
  const chunks = input.bytes[Symbol.asyncIterator]();
  let chunkLeft: Buffer | null = null;
  let piecesInFlight = 0;
  let inputEnded = false;
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (!inputEnded && !stopped && !failure && piecesInFlight < PIECES_IN_FLIGHT && received.length < BATCHES_QUEUED) {
        if (!chunkLeft?.length) {
          const chunk = await chunks.next();
          if (stopped) break;
          if (chunk.done) {
            inputEnded = true;
            worker.postMessage(null);
            break;
          }
          chunkLeft = chunk.value;
        }
        // A copy of its own, transferred (zlib's chunks share their memory with the next ones).
        const piece = new Uint8Array(chunkLeft.subarray(0, PIECE_BYTES)).buffer;
        chunkLeft = chunkLeft.subarray(PIECE_BYTES);
        piecesInFlight++;
        worker.postMessage(piece, [piece]);
      }
    } catch (error) {
      // The zip part could not be read (checked whole before, so hardly ever).
      if (!stopped) failure ??= error instanceof Error ? error : new Error(String(error));
      wake();
    } finally {
      pumping = false;
    }
  };

  worker.on("message", (message: ThreadMessage) => {
    if (message === "ready") ready = true;
    else if ("error" in message) failure ??= new Error(message.error);
    else {
      if (message.took) piecesInFlight--;
      if (message.done) done = true;
      if (message.rows.rowNumbers.length > 0) received.push(message.rows);
      void pump();
    }
    wake();
  });
  worker.on("error", fail);
  worker.on("exit", (code) => {
    if (!done) fail(new Error(`the thread that reads the sheet stopped (exit code ${code})`));
  });

  try {
    void pump();
    for (;;) {
      const batch = received.shift();
      if (batch) {
        void pump();
        yield batch;
      } else if (failure) throw failure;
      else if (done) return;
      else {
        // Waiting for the thread: it keeps the process alive meanwhile, as a pending read would.
        worker.ref();
        await new Promise<void>((resolve) => (wakeReader = resolve));
        worker.unref();
      }
    }
  } finally {
    stopped = true;
    await worker.terminate();
  }
}
