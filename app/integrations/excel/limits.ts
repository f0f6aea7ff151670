// Limits for uploaded workbooks, and the error a whole file is refused with.
// The checks run before a byte of the workbook is parsed (file size, zip central directory),
// while the zip is verified (real uncompressed sizes) and while rows are read (rows, cell length).

export interface Limits {
  /** Largest upload, in bytes. Default 25 MB. */
  maxFileBytes: number;
  /** Total uncompressed size of all parts inside the workbook (it is a zip file). Default 250 MB. */
  maxUncompressedBytes: number;
  /**
   * Highest compression ratio (uncompressed ÷ compressed) of one part larger than
   * `ratioCheckMinBytes`. Real sheets compress 5–60×; a zip bomb compresses 1,000× and more.
   * Default 200.
   */
  maxCompressionRatio: number;
  /** Parts smaller than this are not checked for their compression ratio. Default 1 MB. */
  ratioCheckMinBytes: number;
  /** Parts (files) inside the zip. An .xlsx has a dozen or two. Default 10,000. */
  maxZipEntries: number;
  /** Data rows on the Products sheet, not counting the header row. Default 100,000. */
  maxRows: number;
  /** Characters in one cell: Excel's own limit. Default 32,767. */
  maxCellChars: number;
  /** Errors (and, separately, warnings) listed one by one; the rest are summed up in one last entry. Default 10,000. */
  maxIssues: number;
  /**
   * Cells with a link (hyperlink) on the Products sheet; a link on a range of cells counts every
   * cell of the range. Each is held in memory while the sheet is read, so a few bytes of XML
   * ("A2:XFD100000") must not stand for billions of them. Default 400,000: a link in four columns
   * of every row the row limit allows.
   */
  maxLinkedCells: number;
  /**
   * Uncompressed size of the workbook's formatting part (xl/styles.xml), read whole into memory
   * and copied to the sheet's thread. A workbook's is a few KB, a few MB at most (Excel allows
   * 64,000 cell formats). Default 20 MB.
   */
  maxStylesBytes: number;
  /**
   * Uncompressed size of the shared strings part (xl/sharedStrings.xml: each different text of
   * the workbook, once), held in memory while the sheet is read and copied to the sheet's thread,
   * which takes several times its size (twice for text outside Latin-1). 100,000 generated rows
   * saved by LibreOffice: 19 MB. Default 64 MB.
   */
  maxSharedStringsBytes: number;
  /**
   * Entries in the shared strings part, counted while it is read: each costs memory of its own,
   * and an 18 MB file held 13 million tiny ones (1.4 GB). 100,000 generated rows saved by
   * LibreOffice: 290,722. Default 2,000,000.
   */
  maxSharedStrings: number;
  /**
   * Uncompressed size of xl/workbook.xml and of its relationships, each read whole: a sheet list,
   * a few KB in real workbooks (a few MB with thousands of defined names). Default 10 MB.
   */
  maxWorkbookPartBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFileBytes: 25 * 1024 * 1024,
  maxUncompressedBytes: 250 * 1024 * 1024,
  maxCompressionRatio: 200,
  ratioCheckMinBytes: 1024 * 1024,
  maxZipEntries: 10_000,
  maxRows: 100_000,
  maxCellChars: 32_767,
  maxIssues: 10_000,
  maxLinkedCells: 400_000,
  maxStylesBytes: 20 * 1024 * 1024,
  maxSharedStringsBytes: 64 * 1024 * 1024,
  maxSharedStrings: 2_000_000,
  maxWorkbookPartBytes: 10 * 1024 * 1024,
});

export function resolveLimits(partial?: Partial<Limits>): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (value !== undefined && key in limits) {
      if (typeof value !== "number" || !(value > 0)) throw new TypeError(`Limit ${key} must be a positive number`);
      limits[key as keyof Limits] = value;
    }
  }
  return limits;
}

/** Why a whole file was refused. */
export type RejectionCode =
  | "not-found"
  | "empty"
  | "too-large"
  | "not-xlsx"
  | "legacy-xls"
  | "encrypted"
  | "corrupt"
  | "zip-bomb"
  | "too-many-links"
  | "no-products-sheet"
  | "unsupported";

/** A whole-file problem. `message` is written for the merchant: what is wrong and how to fix it. */
export class WorkbookRejected extends Error {
  readonly code: RejectionCode;
  constructor(code: RejectionCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkbookRejected";
    this.code = code;
  }
}

/** "25 MB", "812 KB" — sizes as merchants read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const mb = bytes / (1024 * 1024);
    return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
  }
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** 100000 → "100,000". */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Uploads not imported within this many days lose their file (uploads.server.ts expireUploads). */
export const UPLOAD_KEEP_DAYS = 7;

/** The limits as lines for the Instructions sheet. */
export function describeLimits(limits: Limits = DEFAULT_LIMITS): string[] {
  return [
    `File size: at most ${formatBytes(limits.maxFileBytes)} (${formatBytes(limits.maxUncompressedBytes)} uncompressed).`,
    `Rows: at most ${formatCount(limits.maxRows)} variant rows per file. Split larger catalogs into several files.`,
    `Cell length: at most ${formatCount(limits.maxCellChars)} characters per cell (Excel's own limit).`,
    `Links: at most ${formatCount(limits.maxLinkedCells)} cells with a link (hyperlink) on the Products sheet. Links are not needed: type or paste the web address as text.`,
    `An upload that is not imported within ${UPLOAD_KEEP_DAYS} days of its preview is deleted; upload the file again.`,
  ];
}
