// The shared strings part (xl/sharedStrings.xml): each different text of a workbook, once; a cell
// of type "s" holds its entry's index. Read streaming, with saxes (exceljs's XML parser, loaded
// the way exceljs loads it: the app does not depend on it itself), one piece of the part at a time.
//
// An entry (<si>) is the text of its <t> elements, as Excel shows it: a plain <t>, or the <t> of
// each run (<r>: rich text, part bold …), joined. Left out: phonetic guides (<rPh>, the reading
// Excel keeps of Japanese typed with an IME: `<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>`
// is "東京") and the layout between elements. exceljs's own parse (WorkbookReader._parseSharedStrings)
// read such an entry as its guide and added the layout after a <t> to the text.
//
// Entries have the shape exceljs's readers give cells: a string, or `{ richText: [{ text, font? }] }`
// for runs (cells.ts joins them; see withRuns). Escaped characters (`_x000D_`) are left as they
// are: cells.ts decodes them, once, for every kind of text cell.
import { createRequire } from "node:module";
import type { SaxesParser as Parser, SaxesTagPlain } from "saxes";
import { detach } from "./cells";
import { formatCount, WorkbookRejected } from "./limits";

const requireFromExceljs = createRequire(createRequire(import.meta.url).resolve("exceljs"));
const { SaxesParser } = requireFromExceljs("saxes") as { SaxesParser: typeof Parser };

/** exceljs's parser of a run's properties (`<rPr>`) into its font model, as its non-streaming reader uses it. */
interface FontParser {
  model: Record<string, unknown>;
  parseOpen(node: { name: string; attributes: Record<string, string> }): boolean;
  parseText(text: string): void;
  parseClose(name: string): boolean;
}
const FontXform = requireFromExceljs("./lib/xlsx/xform/style/font-xform.js") as new (options: { tagName: string; fontNameTag: string }) => FontParser;

export interface SharedStringRun {
  text: string;
  /** The run's font, as exceljs models it (with `fonts` only). */
  font?: Record<string, unknown>;
}

/** One entry: its text, or its runs (see withRuns). */
export type SharedString = string | { richText: SharedStringRun[] };

export interface SharedStringsOptions {
  /**
   * Entries allowed: each costs memory of its own (13 million tiny ones fit in 18 MB of file and
   * took 1.4 GB), so they are counted as they are read and the part is refused past this many.
   */
  maxStrings: number;
  /** Keep each run's font (the error workbook writes runs back as they were); the reader needs only the text. */
  fonts?: boolean;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * An entry with runs. The reader needs their text only, and runs only when they hold an escape:
 * cells.ts decodes each run on its own (`_x00` + `41_` is no escape, `_x0041_` is). Other runs are
 * kept as their text joined, as cells.ts would join them: a table of 1,000,000 entries of two runs
 * kept 358 MB of heap as runs, 48 MB as strings.
 */
function withRuns(runs: SharedStringRun[], fonts: boolean): SharedString {
  if (fonts) return { richText: runs };
  const text = runs.length === 1 ? runs[0].text : runs.map((run) => run.text).join("");
  return text.includes("_x") ? { richText: runs } : text;
}

/**
 * The entries of a shared strings part, from its text. Throws WorkbookRejected ("too-large") past
 * `maxStrings` entries, and the XML parser's error when the part is not well-formed XML.
 */
export async function parseSharedStrings(xml: AsyncIterable<string>, { maxStrings, fonts = false }: SharedStringsOptions): Promise<SharedString[]> {
  const strings: SharedString[] = [];
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  let failure: Error | null = null;
  let tooMany = false;

  let inEntry = false;
  /** Depth of <rPh> elements (phonetic guides) around the parser. */
  let phonetic = 0;
  /** In a <t> whose text counts, and that text so far. */
  let inText = false;
  let text = "";
  /** The entry's text while it has no run; its runs once it has one. */
  let plain = "";
  let runs: SharedStringRun[] | null = null;
  let run: SharedStringRun | null = null;
  /** Parsing a run's properties (with `fonts`). */
  let font: FontParser | null = null;

  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    if (font) {
      font.parseOpen({ name, attributes: tag.attributes });
      return;
    }
    if (!inEntry) {
      if (name === "si") {
        inEntry = true;
        phonetic = 0;
        plain = "";
        runs = null;
        run = null;
      }
      return;
    }
    if (name === "rPh") phonetic++;
    if (phonetic > 0) return;
    if (name === "t") {
      inText = true;
      text = "";
    } else if (name === "r") {
      runs ??= plain === "" ? [] : [{ text: plain }];
      run = { text: "" };
      runs.push(run);
    } else if (name === "rPr" && fonts && run) {
      font = new FontXform({ tagName: "rPr", fontNameTag: "rFont" });
      font.parseOpen({ name, attributes: tag.attributes });
    }
  });
  const onText = (value: string) => {
    if (inText) text += value;
    else font?.parseText(value);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    if (font) {
      if (!font.parseClose(name)) {
        if (run) run.font = font.model;
        font = null;
      }
      return;
    }
    if (!inEntry) return;
    if (name === "rPh") {
      if (phonetic > 0) phonetic--;
    } else if (phonetic > 0) {
      // inside a phonetic guide
    } else if (name === "t") {
      if (!inText) return;
      inText = false;
      // The text is copied out of the parser's pieces of the part, which it would keep alive.
      if (run) run.text += detach(text);
      else if (runs) runs.push({ text: detach(text) });
      else plain += detach(text);
    } else if (name === "r") {
      run = null;
    } else if (name === "si") {
      inEntry = false;
      if (strings.length < maxStrings) strings.push(runs ? withRuns(runs, fonts) : plain);
      else tooMany = true;
      runs = null;
      run = null;
    }
  });

  const check = () => {
    if (tooMany) {
      throw new WorkbookRejected(
        "too-large",
        `This workbook holds more than ${formatCount(maxStrings)} different texts, the limit, so it was not read. Split your products into several files (each product's rows in the same file) and upload them one by one.`,
      );
    }
    if (failure) throw failure;
  };
  for await (const piece of xml) {
    parser.write(piece);
    check();
  }
  parser.close();
  check();
  return strings;
}
