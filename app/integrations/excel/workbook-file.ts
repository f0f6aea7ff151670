// Checks an uploaded file before exceljs sees it, so that bad files are refused with a clear
// message instead of crashing or stalling the parser:
//   1. size on disk; the first bytes (PDF, CSV/text, legacy .xls, password-protected workbooks
//      — both are OLE compound files, `D0 CF 11 E0` — or random bytes);
//   2. the zip central directory, read with yauzl before anything is extracted: entry count,
//      total uncompressed size, compression ratio per part, the size of the parts the reader
//      holds in memory whole (styles, shared strings), encrypted entries, and which kind of zip it
//      is (.xlsx, .ods, .docx …);
//   3. the workbook's structure (sheet names, date system, the Products sheet's part);
//   4. a verification pass that inflates every part and counts the real bytes: yauzl stops a part
//      that inflates to more than its header declared (a zip bomb that lies about its size), and
//      damaged compressed data is found here rather than inside the parser.
// Pass 4 also collects the Products sheet's hyperlink targets (they come after the rows in the
// sheet's XML, too late for a streaming reader). The reader reads alongside pass 4 (its first
// pass; see InspectOptions): pass 4 waits on zlib's threads while it works on the main one.
import { open as fsOpen, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { cellRef, columnIndex, PRODUCTS_SHEET } from "./columns";
import { formatBytes, formatCount, type Limits, WorkbookRejected } from "./limits";

export interface SheetInfo {
  name: string;
  /** sheetId from xl/workbook.xml. */
  sheetId: number;
  /** Part inside the zip, e.g. "xl/worksheets/sheet1.xml"; null when it is not a worksheet. */
  path: string | null;
}

export interface WorkbookFileInfo extends WorkbookStructure {
  sizeBytes: number;
  uncompressedBytes: number;
  /** The sheet named Products (case-insensitive), if any. */
  productsSheet: SheetInfo | null;
  /** Hyperlink targets of the Products sheet by cell ("B2" → "https://…"), external links only. */
  hyperlinks: Map<string, string>;
  hasSharedStrings: boolean;
}

// ---------------------------------------------------------------------------------------------
// Recognizing what a file is

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function utf16(s: string): Buffer {
  return Buffer.from(s, "utf16le");
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  const text = head.toString("utf8");
  if (text.includes("\uFFFD") && head.length > 16) {
    // Not UTF-8; try Latin-1 style text: mostly printable ASCII bytes.
    for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 160) printable++;
    return printable / head.length > 0.95;
  }
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 9 || c === 10 || c === 13 || c >= 32) printable++;
  }
  return printable / [...text].length > 0.97;
}

const FIX_SAVE_AS_XLSX = "Open it in Excel (or LibreOffice, Numbers, Google Sheets) and save or download it as \"Excel Workbook (.xlsx)\", then upload that file.";

async function sniff(path: string, size: number): Promise<void> {
  const handle = await fsOpen(path, "r");
  try {
    const head = Buffer.alloc(Math.min(size, 4096));
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, 4).equals(Buffer.from("PK\x03\x04", "latin1"))) return;
    if (head.subarray(0, 4).equals(Buffer.from("PK\x05\x06", "latin1"))) {
      throw new WorkbookRejected("not-xlsx", "This file is an empty zip archive, not an Excel workbook (.xlsx). " + FIX_SAVE_AS_XLSX);
    }
    if (head.subarray(0, 8).equals(OLE_MAGIC)) {
      // Both legacy .xls files and password-protected .xlsx files are OLE compound files. An
      // encrypted workbook holds the streams "EncryptionInfo" and "EncryptedPackage".
      const whole = Buffer.alloc(size);
      await handle.read(whole, 0, size, 0);
      if (whole.includes(utf16("EncryptedPackage")) || whole.includes(utf16("EncryptionInfo"))) {
        throw new WorkbookRejected(
          "encrypted",
          "This workbook is protected with a password, so it cannot be read. Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear the password) or use Save As without a password, then upload the new file.",
        );
      }
      if (whole.includes(utf16("Workbook")) || whole.includes(utf16("Book"))) {
        throw new WorkbookRejected(
          "legacy-xls",
          "This is an old-style Excel file (.xls, Excel 97–2003), which is not supported. Open it in Excel and use File › Save As › \"Excel Workbook (.xlsx)\", then upload the .xlsx file.",
        );
      }
      throw new WorkbookRejected("not-xlsx", "This is an older Microsoft Office file, not an Excel workbook (.xlsx). " + FIX_SAVE_AS_XLSX);
    }
    if (head.subarray(0, 5).toString("latin1") === "%PDF-") {
      throw new WorkbookRejected("not-xlsx", "This file is a PDF, not an Excel workbook (.xlsx). Upload the spreadsheet itself: fill in the Passport template and save it as .xlsx.");
    }
    const start = head.subarray(0, 64).toString("utf8").replace(/^\uFEFF/, "").trimStart().toLowerCase();
    if (start.startsWith("<?xml") || start.startsWith("<html") || start.startsWith("<!doctype") || start.startsWith("<table")) {
      throw new WorkbookRejected("not-xlsx", "This file is an XML or HTML file, not an Excel workbook (.xlsx). " + FIX_SAVE_AS_XLSX);
    }
    if (looksLikeText(head)) {
      throw new WorkbookRejected(
        "not-xlsx",
        "This file is a text file (for example CSV), not an Excel workbook (.xlsx). " + FIX_SAVE_AS_XLSX,
      );
    }
    throw new WorkbookRejected("not-xlsx", "This file is not an Excel workbook (.xlsx). " + FIX_SAVE_AS_XLSX);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// yauzl helpers

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    const onEntry = (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    };
    const cleanup = () => {
      zip.removeListener("entry", onEntry);
      zip.removeListener("end", onEnd);
      zip.removeListener("error", onError);
    };
    const onEnd = () => {
      cleanup();
      resolve(entries);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Inflates a part, calling onChunk for each piece; returns the byte count. */
async function drainEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, onChunk?: (chunk: Buffer) => void): Promise<number> {
  const stream = await openEntry(zip, entry);
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onChunk?.(chunk);
    }
  } finally {
    stream.destroy();
  }
  return bytes;
}

async function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  const chunks: Buffer[] = [];
  await drainEntry(zip, entry, (c) => chunks.push(c));
  return Buffer.concat(chunks).toString("utf8");
}

// ---------------------------------------------------------------------------------------------
// Small XML parts (workbook.xml, relationships): attributes read with regular expressions.

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The character a reference names; U+FFFD for one no character has (&#x110000;), which XML forbids. */
function referencedCharacter(codePoint: number): string {
  return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : "\uFFFD";
}

export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith("#x")) return referencedCharacter(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return referencedCharacter(parseInt(e.slice(1), 10));
    return XML_ENTITIES[e];
  });
}

// A name is tried from its first character only (the lookbehind): tried again from each of its
// characters, a name of a million characters with no "=" after it took minutes.
const ATTRIBUTE = /(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseAttributes(s: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of s.matchAll(ATTRIBUTE)) attrs[m[1]] = decodeXml(m[2] ?? m[3] ?? "");
  return attrs;
}

/**
 * A start tag's attributes: a value may hold ">" (quoted), never "<". Each search for a tag stops
 * at the next "<": with `[^>]*`, each of 20,000 "<sheet " without a ">" read the rest of the part
 * again (3 s for 140 KB of workbook.xml; 24 s for a 20 MB sheet of "<hyperlink ").
 */
export const TAG_ATTRIBUTES = String.raw`(?:[^<>"']|"[^"<]*"|'[^'<]*')*`;

/** Elements `<tag …>` (any namespace prefix) with their attributes. */
export function xmlElements(xml: string, tag: string): Record<string, string>[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${tag}(?=[\\s/>])(${TAG_ATTRIBUTES})>`, "g");
  return [...xml.matchAll(re)].map((m) => parseAttributes(m[1]));
}

interface Relationship {
  id: string;
  type: string;
  target: string;
  external: boolean;
}

function parseRelationships(xml: string): Relationship[] {
  return xmlElements(xml, "Relationship").map((a) => ({
    id: a.Id ?? "",
    type: a.Type ?? "",
    target: a.Target ?? "",
    external: (a.TargetMode ?? "").toLowerCase() === "external",
  }));
}

/** Resolves a relationship target against the folder of the part that holds it. */
function resolvePartPath(baseDir: string, target: string): string {
  const raw = target.startsWith("/") ? target.slice(1) : `${baseDir}/${target}`;
  const out: string[] = [];
  for (const seg of raw.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}

export interface WorkbookStructure {
  sheets: SheetInfo[];
  date1904: boolean;
}

/** Sheets of a workbook from xl/workbook.xml and its relationships. */
export function parseWorkbookStructure(workbookXml: string, relsXml: string): WorkbookStructure {
  // By id, the first of each: searching the list for each sheet took 14 s for 40,000 sheets.
  const rels = new Map<string, Relationship>();
  for (const rel of parseRelationships(relsXml)) if (!rels.has(rel.id)) rels.set(rel.id, rel);
  const sheets: SheetInfo[] = [];
  for (const a of xmlElements(workbookXml, "sheet")) {
    const rId = a["r:id"] ?? Object.entries(a).find(([k]) => k.endsWith(":id"))?.[1];
    const rel = rId === undefined ? undefined : rels.get(rId);
    const isWorksheet = !!rel && /\/worksheet$/.test(rel.type);
    const path = rel && isWorksheet ? resolvePartPath("xl", rel.target) : null;
    sheets.push({ name: a.name ?? "", sheetId: Number(a.sheetId ?? 0), path });
  }
  const pr = xmlElements(workbookXml, "workbookPr")[0] ?? {};
  const date1904 = pr.date1904 === "1" || pr.date1904 === "true";
  return { sheets, date1904 };
}

/** A cell range "B2:C4" (or one cell "B2") as 1-based row and column bounds; null when it is not one. */
function parseRange(ref: string): { r1: number; r2: number; c1: number; c2: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?$/i.exec(ref.trim());
  if (!m) return null;
  const a = { c: columnIndex(m[1].toUpperCase()), r: Number(m[2]) };
  const b = m[3] ? { c: columnIndex(m[3].toUpperCase()), r: Number(m[4]) } : a;
  return { r1: Math.min(a.r, b.r), r2: Math.max(a.r, b.r), c1: Math.min(a.c, b.c), c2: Math.max(a.c, b.c) };
}

/**
 * Calls `onElement` with the attributes of each `<tag …>` element (any namespace prefix) of a part
 * as it streams by, without holding the part in memory.
 */
class ElementScanner {
  private decoder = new StringDecoder("utf8");
  private carry = "";
  private readonly re: RegExp;

  constructor(
    tag: string,
    private readonly onElement: (attributes: Record<string, string>) => void,
  ) {
    this.re = new RegExp(`<(?:[\\w.-]+:)?${tag}\\s(${TAG_ATTRIBUTES})>`, "g");
  }

  push(chunk: Buffer): void {
    const text = this.carry + this.decoder.write(chunk);
    this.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = this.re.exec(text))) {
      this.onElement(parseAttributes(m[1]));
      consumed = this.re.lastIndex;
    }
    // Keep a tag that may be unfinished (the last one, unless it matched) for the next chunk.
    const lastOpen = text.lastIndexOf("<");
    this.carry = lastOpen >= consumed ? text.slice(lastOpen, lastOpen + 4096) : "";
  }
}

/** The relationship id attribute ("r:id", whatever the namespace prefix). */
function relationshipId(attributes: Record<string, string>): string | undefined {
  return attributes["r:id"] ?? Object.entries(attributes).find(([k]) => k.endsWith(":id"))?.[1];
}

function tooManyLinks(sheetName: string, maxCells: number): WorkbookRejected {
  return new WorkbookRejected(
    "too-many-links",
    `The "${sheetName}" sheet has links (hyperlinks) on more than ${formatCount(maxCells)} cells, the limit, so it was not read. Passport does not need links: remove them (in Excel, select the columns, right-click › Remove Hyperlinks) or type the web addresses as plain text, save the file and upload it again.`,
  );
}

/**
 * The Products sheet's hyperlinks by cell ("B2" → "https://…", external links only). A link on
 * a range is a link on each of its cells. Cells are counted before they are noted, and a sheet
 * with more than `maxCells` linked cells is refused: a few bytes such as ref="A2:XFD25000" stand
 * for 400 million cells. Its link targets (one relationship per link) are held to the same limit.
 */
class SheetHyperlinks {
  readonly cells = new Map<string, string>();
  /** External link targets by relationship id, from the sheet's relationships part. */
  private readonly targets = new Map<string, string>();
  private counted = 0;
  readonly relationships = new ElementScanner("Relationship", (a) => {
    if (!/\/hyperlink$/.test(a.Type ?? "") || (a.TargetMode ?? "").toLowerCase() !== "external") return;
    this.targets.set(a.Id ?? "", a.Target ?? "");
    if (this.targets.size > this.maxCells) throw tooManyLinks(this.sheetName, this.maxCells);
  });
  readonly sheet = new ElementScanner("hyperlink", (a) => {
    const rId = relationshipId(a);
    const target = rId ? this.targets.get(rId) : undefined;
    const range = a.ref && target !== undefined ? parseRange(a.ref) : null;
    if (target !== undefined && range) this.add(range, target);
  });

  constructor(
    private readonly maxCells: number,
    private readonly sheetName: string,
  ) {}

  get hasTargets(): boolean {
    return this.targets.size > 0;
  }

  private add(range: { r1: number; r2: number; c1: number; c2: number }, target: string): void {
    this.counted += (range.r2 - range.r1 + 1) * (range.c2 - range.c1 + 1);
    if (this.counted > this.maxCells) throw tooManyLinks(this.sheetName, this.maxCells);
    for (let r = range.r1; r <= range.r2; r++) {
      for (let c = range.c1; c <= range.c2; c++) this.cells.set(cellRef(c, r), target);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function zipError(err: unknown): WorkbookRejected {
  const detail = err instanceof Error ? err.message : String(err);
  if (/too many bytes|expected .* bytes|uncompressed size/i.test(detail)) {
    return new WorkbookRejected(
      "zip-bomb",
      "This file's contents are larger than the file says they are, which is how harmful “zip bomb” files work, so it was not opened. If it is a real workbook, open it in Excel, save it again and upload the new file.",
      { cause: err },
    );
  }
  return new WorkbookRejected(
    "corrupt",
    `This file is damaged or incomplete (it may not have finished uploading or saving), so it cannot be opened as an Excel workbook. Open it in Excel; if it opens, save it again and upload the new file, otherwise export it again from where it came from. (Detail: ${detail})`,
    { cause: err },
  );
}

/**
 * The parts the reader holds in memory whole (styles and shared strings are also copied to the
 * sheet's thread): a file of a megabyte or two (within the compression ratio) held 240 MB of
 * styles, which took the server down, and 240 MB of workbook.xml took 1.1 GB. Their sizes as
 * declared in the directory are the real ones: yauzl stops a part that inflates to more. A name
 * given twice counts twice (every copy is read).
 */
const TEMPLATE_FIX = "copy your rows into the Passport template (paste values only) and upload that file.";
const SHEET_LIST = { limit: "maxWorkbookPartBytes", what: "list of sheets", fix: `It holds far more than a workbook's sheets and names: ${TEMPLATE_FIX}` } as const;
const WHOLE_PARTS = new Map<string, { limit: "maxStylesBytes" | "maxSharedStringsBytes" | "maxWorkbookPartBytes"; what: string; fix: string }>([
  ["xl/workbook.xml", SHEET_LIST],
  ["xl/_rels/workbook.xml.rels", SHEET_LIST],
  ["xl/styles.xml", { limit: "maxStylesBytes", what: "formatting (cell styles)", fix: `It holds far more cell styles than a workbook needs: ${TEMPLATE_FIX}` }],
  [
    "xl/sharedStrings.xml",
    { limit: "maxSharedStringsBytes", what: "table of cell texts", fix: "Split your products into several files (each product's rows in the same file) and upload them one by one." },
  ],
]);

function checkWholePart(entry: yauzl.Entry, sizes: Map<string, number>, limits: Limits): void {
  const part = WHOLE_PARTS.get(entry.fileName);
  if (!part) return;
  const bytes = (sizes.get(entry.fileName) ?? 0) + entry.uncompressedSize;
  sizes.set(entry.fileName, bytes);
  if (bytes > limits[part.limit]) {
    throw new WorkbookRejected(
      "zip-bomb",
      `This workbook's ${part.what} takes ${formatBytes(bytes)} unpacked; the limit is ${formatBytes(limits[part.limit])}, so it was not opened. ${part.fix}`,
    );
  }
}

export interface InspectOptions {
  /** Collect hyperlink targets of the Products sheet (default true). */
  hyperlinks?: boolean;
  /**
   * The caller's own reading of the file, started once the central directory has passed its
   * checks (every part's declared size within the limits, which yauzl holds each part to) and
   * run while every part is inflated to verify it. Awaited; a failed verification wins.
   */
  alongsideVerification?: (workbook: { productsSheet: SheetInfo | null; hasSharedStrings: boolean }) => Promise<unknown>;
}

/**
 * Checks an uploaded .xlsx file against the limits without parsing it, and reads its structure.
 * Throws WorkbookRejected for whole-file problems.
 */
export async function inspectWorkbookFile(path: string, limits: Limits, options: InspectOptions = {}): Promise<WorkbookFileInfo> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error("not a file");
    size = st.size;
  } catch (err) {
    throw new WorkbookRejected("not-found", "The uploaded file could not be found. Please upload it again.", { cause: err });
  }
  if (size === 0) throw new WorkbookRejected("empty", "The uploaded file is empty (0 bytes). Save the workbook again and upload it.");
  if (size > limits.maxFileBytes) {
    throw new WorkbookRejected(
      "too-large",
      `This file is ${formatBytes(size)}; the limit is ${formatBytes(limits.maxFileBytes)}. Split your products into several files (each product's rows in the same file) and upload them one by one.`,
    );
  }
  await sniff(path, size);

  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw zipError(err);
  }
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw new WorkbookRejected(
        "zip-bomb",
        `This file holds ${formatCount(zip.entryCount)} parts; an Excel workbook has a few dozen. It was not opened. Save your products into a new workbook from the Passport template and upload that.`,
      );
    }
    let entries: yauzl.Entry[];
    try {
      entries = await readEntries(zip);
    } catch (err) {
      throw zipError(err);
    }
    const byName = new Map(entries.map((e) => [e.fileName, e]));

    // Which kind of zip is it?
    if (!byName.has("xl/workbook.xml")) {
      const mimetype = byName.get("mimetype");
      let kind = "a zip archive";
      if (mimetype && mimetype.uncompressedSize < 200) {
        const text = await readEntryText(zip, mimetype).catch(() => "");
        if (text.includes("opendocument.spreadsheet")) kind = "an OpenDocument spreadsheet (.ods)";
        else if (text.includes("opendocument")) kind = "an OpenDocument file";
      } else if (byName.has("xl/workbook.bin")) kind = "an Excel binary workbook (.xlsb)";
      else if (byName.has("word/document.xml")) kind = "a Word document";
      else if ([...byName.keys()].some((n) => n.startsWith("ppt/"))) kind = "a PowerPoint presentation";
      throw new WorkbookRejected("not-xlsx", `This file is ${kind}, not an Excel workbook (.xlsx). ${FIX_SAVE_AS_XLSX}`);
    }
    if (entries.some((e) => e.isEncrypted())) {
      throw new WorkbookRejected(
        "encrypted",
        "This file is protected with a password, so it cannot be read. Open it, save it without a password as an Excel Workbook (.xlsx), and upload the new file.",
      );
    }

    // Zip bomb checks on the central directory, before anything is extracted.
    let declared = 0;
    const wholeParts = new Map<string, number>();
    for (const e of entries) {
      declared += e.uncompressedSize;
      if (e.uncompressedSize > limits.ratioCheckMinBytes) {
        const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
        if (ratio > limits.maxCompressionRatio) {
          throw new WorkbookRejected(
            "zip-bomb",
            `This file was not opened: one of its parts (${e.fileName}) expands ${Math.round(ratio)} times when unpacked (at most ${limits.maxCompressionRatio} times is allowed), which is how harmful “zip bomb” files work. If it is a real workbook, copy your rows into the Passport template and upload that.`,
          );
        }
      }
      checkWholePart(e, wholeParts, limits);
    }
    if (declared > limits.maxUncompressedBytes) {
      throw new WorkbookRejected(
        "zip-bomb",
        `This workbook unpacks to ${formatBytes(declared)}; the limit is ${formatBytes(limits.maxUncompressedBytes)}. Split your products into several files and upload them one by one.`,
      );
    }

    // Structure.
    const workbookXml = await readEntryText(zip, byName.get("xl/workbook.xml")!).catch((err) => {
      throw zipError(err);
    });
    const relsEntry = byName.get("xl/_rels/workbook.xml.rels");
    const relsXml = relsEntry ? await readEntryText(zip, relsEntry).catch((err) => { throw zipError(err); }) : "";
    const structure = parseWorkbookStructure(workbookXml, relsXml);
    const { sheets } = structure;
    const productsSheet = sheets.find((s) => s.name.trim().toLowerCase() === PRODUCTS_SHEET.toLowerCase()) ?? null;

    // Hyperlink relationships of the Products sheet.
    let links: SheetHyperlinks | null = null;
    if (productsSheet?.path && options.hyperlinks !== false) {
      const part = productsSheet.path;
      const slash = part.lastIndexOf("/");
      const sheetRels = byName.get(`${part.slice(0, slash)}/_rels/${part.slice(slash + 1)}.rels`);
      if (sheetRels) {
        links = new SheetHyperlinks(limits.maxLinkedCells, productsSheet.name);
        const relationships = links.relationships;
        await drainEntry(zip, sheetRels, (c) => relationships.push(c)).catch((err: unknown) => {
          throw err instanceof WorkbookRejected ? err : zipError(err);
        });
        if (!links.hasTargets) links = null;
      }
    }

    // Verification pass: inflate every part and count the real bytes.
    let actual = 0;
    const productsPath = productsSheet?.path ?? null;
    let productsTail = "";
    const verifyParts = async () => {
      for (const e of entries) {
        if (e.fileName.endsWith("/")) continue;
        const isProducts = e.fileName === productsPath;
        const onChunk = isProducts
          ? (c: Buffer) => {
              links?.sheet.push(c);
              productsTail = (productsTail + c.subarray(-64).toString("latin1")).slice(-64);
            }
          : undefined;
        try {
          actual += await drainEntry(zip, e, onChunk);
        } catch (err) {
          throw err instanceof WorkbookRejected ? err : zipError(err);
        }
        if (actual > limits.maxUncompressedBytes) {
          throw new WorkbookRejected(
            "zip-bomb",
            `This workbook unpacks to more than ${formatBytes(limits.maxUncompressedBytes)}, the limit. Split your products into several files and upload them one by one.`,
          );
        }
      }
      // A streaming XML parser accepts a sheet that simply stops; a complete one ends with </worksheet>.
      if (productsPath && byName.has(productsPath) && !/<\/(?:[\w.-]+:)?worksheet>\s*$/.test(productsTail)) {
        throw new WorkbookRejected(
          "corrupt",
          `The "${productsSheet!.name}" sheet in this file is incomplete (the file is damaged or was not saved completely). Open it in Excel; if it opens, save it again and upload the new file, otherwise export it again from where it came from.`,
        );
      }
    };
    const hasSharedStrings = byName.has("xl/sharedStrings.xml");
    const [verified, alongside] = await Promise.allSettled([verifyParts(), options.alongsideVerification?.({ productsSheet, hasSharedStrings })]);
    if (verified.status === "rejected") throw verified.reason;
    if (alongside.status === "rejected") throw alongside.reason;
    const hyperlinks = links?.cells ?? new Map<string, string>();
    return { ...structure, sizeBytes: size, uncompressedBytes: actual, productsSheet, hyperlinks, hasSharedStrings };
  } finally {
    zip.close();
  }
}

/** The sheets' names for a message: the first few (cut at Excel's 31 characters), then how many more. */
function sheetList(sheets: readonly SheetInfo[], shown = 10): string {
  const names = sheets.slice(0, shown).map((s) => `"${s.name.length > 31 ? `${s.name.slice(0, 31)}…` : s.name}"`);
  if (sheets.length > shown) names.push(`and ${formatCount(sheets.length - shown)} more`);
  return names.join(", ");
}

/** Throws unless the workbook has a readable Products sheet. */
export function requireProductsSheet(info: WorkbookFileInfo): SheetInfo & { path: string } {
  const sheet = info.productsSheet;
  if (!sheet) {
    const names = sheetList(info.sheets);
    throw new WorkbookRejected(
      "no-products-sheet",
      `This workbook has no sheet named "${PRODUCTS_SHEET}". Sheets found: ${names || "none"}. Put your products on a sheet named "${PRODUCTS_SHEET}" (rename the sheet, or copy your rows into the Passport template) and upload the file again.`,
    );
  }
  if (!sheet.path) {
    throw new WorkbookRejected(
      "unsupported",
      `The "${sheet.name}" sheet is stored in an unusual way and cannot be read. Open the file in Excel, save it as "Excel Workbook (.xlsx)" and upload it again.`,
    );
  }
  return { ...sheet, path: sheet.path };
}

// ---------------------------------------------------------------------------------------------
// Reading parts of a workbook that already passed the checks (error workbook).

/** Streams the named zip parts through onChunk, one after the other. */
export async function streamZipParts(path: string, names: ReadonlySet<string>, onChunk: (name: string, chunk: Buffer) => void): Promise<void> {
  const zip = await openZip(path);
  try {
    for (const entry of await readEntries(zip)) {
      if (names.has(entry.fileName)) await drainEntry(zip, entry, (c) => onChunk(entry.fileName, c));
    }
  } finally {
    zip.close();
  }
}

/** The bytes of one part as it is inflated, in pieces (null when the zip has no such part); call close() when done. */
export async function openZipPart(path: string, name: string): Promise<{ bytes: AsyncIterable<Buffer>; close: () => void } | null> {
  const zip = await openZip(path);
  try {
    const entry = (await readEntries(zip)).find((e) => e.fileName === name);
    if (!entry) {
      zip.close();
      return null;
    }
    const bytes = await openEntry(zip, entry);
    return {
      bytes: bytes as AsyncIterable<Buffer>,
      close: () => {
        bytes.destroy();
        zip.close();
      },
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/**
 * The text of one part as it is inflated, in pieces (null when the zip has no such part); call
 * close() when done. A character split between two pieces of bytes arrives whole: exceljs's own
 * reading decodes each piece on its own and turned such characters into "�".
 */
export async function openZipPartText(path: string, name: string): Promise<{ text: AsyncIterable<string>; close: () => void } | null> {
  const part = await openZipPart(path, name);
  if (!part) return null;
  async function* text(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
    const decoder = new StringDecoder("utf8");
    for await (const chunk of bytes) yield decoder.write(chunk);
    const rest = decoder.end();
    if (rest) yield rest;
  }
  return { text: text(part.bytes), close: part.close };
}

/** Small text parts (workbook.xml, relationships) by name; missing parts are left out. */
export async function readZipTextParts(path: string, names: readonly string[]): Promise<Map<string, string>> {
  const chunks = new Map<string, Buffer[]>();
  await streamZipParts(path, new Set(names), (name, chunk) => {
    const list = chunks.get(name) ?? [];
    list.push(chunk);
    chunks.set(name, list);
  });
  return new Map([...chunks].map(([name, list]) => [name, Buffer.concat(list).toString("utf8")]));
}

/**
 * Collects the XML of `<tag>…</tag>` blocks (any namespace prefix) from a part as it streams by,
 * without holding the whole part in memory.
 */
export class ElementCollector {
  private decoder = new StringDecoder("utf8");
  private buffer = "";
  private inside = false;
  private current = "";
  readonly blocks: string[] = [];
  private readonly open: RegExp;
  private readonly close: RegExp;

  constructor(tag: string, private readonly maxChars = 16 * 1024 * 1024) {
    this.open = new RegExp(`<(?:[\\w.-]+:)?${tag}(?=[\\s>])`);
    this.close = new RegExp(`</(?:[\\w.-]+:)?${tag}>`);
  }

  push(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk);
    for (;;) {
      if (!this.inside) {
        const m = this.open.exec(this.buffer);
        if (!m) {
          // Keep a tail long enough to hold a split opening tag.
          this.buffer = this.buffer.slice(-64);
          return;
        }
        this.inside = true;
        this.current = "";
        this.buffer = this.buffer.slice(m.index);
      }
      const end = this.close.exec(this.buffer);
      if (!end) {
        const keep = 64;
        if (this.buffer.length > keep) {
          this.current += this.buffer.slice(0, this.buffer.length - keep);
          this.buffer = this.buffer.slice(-keep);
        }
        if (this.current.length > this.maxChars) {
          this.inside = false;
          this.current = "";
        }
        return;
      }
      const stop = end.index + end[0].length;
      this.current += this.buffer.slice(0, stop);
      this.blocks.push(this.current);
      this.current = "";
      this.inside = false;
      this.buffer = this.buffer.slice(stop);
    }
  }
}
