// Excel uploads: upload → check every cell → preview of what would change → commit (all or
// nothing, a sync run with trigger "upload") or cancel. The admin stores the file in one request
// and checks it in the next, so that the page can show the check's progress meanwhile (the
// preview's run, recorded on the upload before the file is read). The file is kept in the
// database between preview and commit, so any app instance can commit it, with the records the
// preview checked: the commit uses them unless what they depend on changed meanwhile, and reads
// the file otherwise.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { textOf } from "../../catalog/catalog.server";
import { canonicalJson, fieldDef, FIELDS, isFieldKey, type FieldDef, type FieldKey } from "../../catalog/fields";
import { postgresBytesPool, sqliteWriteAllowed, type Db } from "../../db.server";
import type { ShopDb, ShopTx } from "../../db/scoped.server";
import { MerchantError, merchantMessage } from "../../errors";
import type { JobQueue } from "../../jobs/queue";
import { requestSync } from "../../jobs/sync-jobs.server";
import { shopSettings } from "../../shop-settings.server";
import { executeSync, RunCancelled } from "../../sync/engine.server";
import type { FieldWrite, MatchBy, RunReport } from "../../sync/merge";
import type { RecordRef, SourceBatch, SourceRecord } from "../../sync/records";
import { sqlParam } from "../../sync/bulk-insert.server";
import { getRun, interruptedPreview, interruptedRun, recordRefusedRun, RUN_STALE_MS, startRun, type RunContext, type RunView } from "../../sync/runs.server";
import { connectIntegration, type IntegrationRow } from "../integrations.server";
import { annotateWorkbook } from "./error-workbook";
import { DEFAULT_LIMITS, formatBytes, formatCount, UPLOAD_KEEP_DAYS, WorkbookRejected } from "./limits";
import { streamProductsWorkbook, type CellIssue, type ReadOptions, type WorkbookReadSummary, type WorkbookStream } from "./reader";
import { templateExampleTitle } from "./examples";
import { RecordArchiver, unpackRecords } from "./record-archive";

export type UploadStatus = "uploaded" | "checking" | "rejected" | "invalid" | "previewed" | "committing" | "committed" | "failed" | "cancelled" | "expired";

/** One change the commit would make, for the preview ("old → new"). */
export interface PreviewChange {
  sheet?: string;
  row?: number;
  entity: "product" | "variant";
  /** The product's handle and (for a variant's change) its SKU, as the file names them; missing on previews stored before they were kept. */
  handle?: string;
  sku?: string;
  /** The field's label. */
  field: string;
  /** The field (its values' text is read with it, textOf); missing on previews stored before it was kept. */
  fieldKey?: FieldKey;
  /** How its values read (displayValue); missing on previews stored before it was kept. */
  kind?: FieldDef["kind"];
  unit?: string;
  locale: string;
  oldValue: string | null;
  /** null: the value is cleared (its owner has none any more). */
  newValue: string | null;
}

/**
 * A change as the preview shows it: with the text of a value that does not read as itself (an
 * HTML description's text, textOf), as the product page shows it. Not stored: read from the value.
 */
export interface ShownChange extends PreviewChange {
  oldText?: string;
  newText?: string;
}

export interface UploadPreview {
  uploadId: string;
  fileName: string;
  status: UploadStatus;
  /** Why a whole file was refused, for the merchant. */
  message: string | null;
  createMissing: boolean;
  rows: number;
  products: number;
  errors: CellIssue[];
  warnings: CellIssue[];
  /** A copy of the file with its problems marked can be downloaded (errorWorkbook): not for files refused as a whole, nor once the file is deleted (expired, cancelled). */
  markedCopy: boolean;
  /** The preview run (counts of variants and products), when the file was valid; its details list the rows that match no variant. */
  run: RunView | null;
  /** What the Excel integration matches rows to variants by (the unmatched rows are named by it). */
  matchBy: MatchBy;
  /** A previewed file that would change nothing: there is nothing to import (changesNothing). */
  nothingToImport: boolean;
  /** Per-row changes, old → new (the first MAX_PREVIEW_CHANGES); with their texts (shownChange) only while previewed, the one status that shows them. */
  changes: ShownChange[];
  changeCount: number;
  /** The run that committed the upload. */
  commitRunId: string | null;
  /** Why an upload being committed does not go on (its integration was paused or disconnected meanwhile). */
  commitBlocked: string | null;
}

export const MAX_PREVIEW_CHANGES = 2000;

/** The shop's Excel integration, connected on first use (primary if the shop has none). */
export async function excelIntegration(db: ShopDb): Promise<IntegrationRow> {
  const existing = await db.integration.findUnique({ where: { shop_kind: { shop: db.shopDomain, kind: "excel" } } });
  if (existing && existing.status !== "disconnected") return existing;
  return (await connectIntegration(db, "excel")).integration;
}

/** Keeps an uploaded file and checks it; returns the preview (nothing is changed in the catalog). */
export async function uploadWorkbook(db: ShopDb, file: UploadedFile): Promise<UploadPreview> {
  return checkUpload(db, await storeUpload(db, file));
}

interface UploadedFile {
  name: string;
  bytes: Uint8Array;
  createMissing: boolean;
}

/** Keeps an uploaded file, to be checked (checkUpload); returns the upload's id. */
export async function storeUpload(db: ShopDb, file: UploadedFile): Promise<string> {
  if (file.bytes.byteLength > DEFAULT_LIMITS.maxFileBytes) {
    throw new MerchantError(`This file is ${formatBytes(file.bytes.byteLength)}; the limit is ${formatBytes(DEFAULT_LIMITS.maxFileBytes)}. Split it into smaller files.`, true);
  }
  const integration = await excelIntegration(db);
  await expireUploads(db);
  const upload = await db.upload.create({
    data: { shop: db.shopDomain, integrationId: integration.id, fileName: file.name.slice(0, 255) || "upload.xlsx", createMissing: file.createMissing },
    select: { id: true },
  });
  await storeUploadBytes(db, upload.id, "file", file.bytes);
  return upload.id;
}

/**
 * Checks a stored upload and previews it (once: an upload already being checked, or checked, is
 * returned as it is). While it runs, the upload is "checking" and its preview run shows progress.
 */
export async function checkUpload(db: ShopDb, uploadId: string): Promise<UploadPreview> {
  const claimed = await db.upload.updateMany({ where: { id: uploadId, status: "uploaded" }, data: { status: "checking" } });
  if (claimed.count === 0) return getUploadPreview(db, uploadId);
  return previewUpload(db, uploadId);
}

/** An upload's columns (its file and records are rows of UploadBytes, read and written on their own: uploadBytes). */
const UPLOAD_ROW = { id: true, integrationId: true, fileName: true, status: true, preview: true, recordsKey: true, createMissing: true, runId: true } as const;

type UploadBytesKind = "file" | "records";

// The file and records go in and out as plain statements, beside Prisma: through its query
// compiler (WebAssembly) a 6 MB value grows the compiler's memory by 70–100 MB, for good. SQLite
// uses the app's connection, PostgreSQL a small pool of its own (postgresBytesPool).
async function storeUploadBytes(db: ShopDb, uploadId: string, kind: UploadBytesKind, bytes: Uint8Array): Promise<void> {
  const sql = `INSERT INTO "UploadBytes" ("shop", "uploadId", "kind", "bytes") VALUES (${[1, 2, 3, 4].map(sqlParam).join(", ")})
    ON CONFLICT ("uploadId", "kind") DO UPDATE SET "bytes" = excluded."bytes" WHERE "UploadBytes"."shop" = excluded."shop"`;
  const params = [db.shopDomain, uploadId, kind, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
  if (db.sqlite) {
    await sqliteWriteAllowed(db.sqlite);
    db.sqlite.prepare(sql).run(params);
  }
  else await bytesPool().query(sql, params);
}

async function uploadBytes(db: ShopDb, uploadId: string, kind: UploadBytesKind): Promise<Uint8Array> {
  type Row = { bytes: Buffer | null };
  const sql = `SELECT "bytes" FROM "UploadBytes" WHERE "shop" = ${sqlParam(1)} AND "uploadId" = ${sqlParam(2)} AND "kind" = ${sqlParam(3)}`;
  const params = [db.shopDomain, uploadId, kind];
  const row = db.sqlite ? (db.sqlite.prepare(sql).get(params) as Row | undefined) : (await bytesPool().query<Row>(sql, params)).rows[0];
  return row?.bytes ?? new Uint8Array();
}

/** What an upload keeps once it is done with (committed, cancelled, expired): the preview, no file, no records (deleteUploadBytes). */
const DONE_WITH = { recordsKey: null };

async function deleteUploadBytes(db: ShopDb | ShopTx | Db, uploadIds: string[], kind?: UploadBytesKind): Promise<void> {
  if (uploadIds.length) await db.uploadBytes.deleteMany({ where: { uploadId: { in: uploadIds }, ...(kind ? { kind } : {}) } });
}

function bytesPool() {
  const pool = postgresBytesPool();
  if (!pool) throw new Error("No PostgreSQL database is configured");
  return pool;
}

/**
 * An upload's file copied from the database to a temporary file, for the streaming reader. The
 * bytes live only in this function: a suspended async caller keeps what it awaited alive (V8 keeps
 * it in the generator's registers), which would hold the file in memory for the whole import.
 */
async function temporaryUploadFile(db: ShopDb, uploadId: string): Promise<{ path: string; remove: () => void }> {
  const bytes = await uploadBytes(db, uploadId, "file");
  const dir = mkdtempSync(path.join(os.tmpdir(), "passport-upload-"));
  const filePath = path.join(dir, "upload.xlsx");
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    writeFileSync(filePath, bytes);
  } catch (error) {
    remove();
    throw error;
  }
  return { path: filePath, remove };
}

async function withUploadFile<T>(db: ShopDb, uploadId: string, fn: (filePath: string) => Promise<T>): Promise<T> {
  const file = await temporaryUploadFile(db, uploadId);
  try {
    return await fn(file.path);
  } finally {
    file.remove();
  }
}

type ReadSettings = Pick<ReadOptions, "primaryLocale">;

/**
 * How the upload's file is to be read now: in the shop's language. Titles are not required here:
 * a row may update a product the catalog has, and only the merge knows; it refuses to create a
 * product without one (an error for its row, like any other).
 */
async function readSettings(db: ShopDb): Promise<ReadSettings> {
  const settings = await shopSettings(db);
  return { primaryLocale: settings.primaryLocale };
}

/** The field definitions: records checked under other ones are not reused. */
const FIELDS_FINGERPRINT = createHash("sha256").update(canonicalJson(FIELDS)).digest("base64url");

/** What the records read from a file depend on besides its bytes. */
function recordsKey(settings: ReadSettings): string {
  return canonicalJson({ ...settings, fields: FIELDS_FINGERPRINT });
}

type OpenOutcome = { ok: true; stream: WorkbookStream } | { ok: false; message: string };

/** Opens an upload's file for reading product by product (a refused file gives its message). */
async function openUpload(settings: ReadSettings, filePath: string): Promise<OpenOutcome> {
  try {
    return { ok: true, stream: await streamProductsWorkbook(filePath, settings) };
  } catch (error) {
    if (error instanceof WorkbookRejected) return { ok: false, message: error.message };
    throw error;
  }
}

function invalidFileMessage(errors: readonly CellIssue[]): string {
  return `Nothing was imported: ${errors.length} ${errors.length === 1 ? "cell has a problem" : "cells have problems"}. Download the file with the errors marked, fix them and upload it again.`;
}

/**
 * Whether the reading stopped at the row limit (its error names a row past the limit, and no
 * cell): the file is refused as a whole, and no marked copy is made of it. A copy would mean
 * rewriting a file larger than any the app accepts, for problems listed on the page anyway.
 */
function stoppedAtRowLimit(summary: WorkbookReadSummary): boolean {
  return summary.rowCount >= DEFAULT_LIMITS.maxRows && summary.errors.some((e) => !e.cellRef && e.row > DEFAULT_LIMITS.maxRows);
}

const TOO_MANY_ROWS_MESSAGE = `Nothing was imported: this file has more than ${formatCount(DEFAULT_LIMITS.maxRows)} rows, the limit for one file. Split your products into several files (keep all rows of a product in the same file) and upload them one by one. No copy of a file this large is made with its problems marked: they are listed below.`;

/**
 * A sheet with its header row but no data row (the template with its example rows deleted). Rows
 * the file marks archived are rows: they are read (and left as they are), so they are no reason.
 */
function noRowsMessage(sheet: string): string {
  return `Nothing was imported: the ${sheet} sheet has its column headers but no product rows under them. Add one row per variant under the header row (the Instructions sheet says what each column takes), then upload the file again.`;
}

/** A refused file is a failed upload run in the sync history (the preview's run, if any), with its errors. */
function refuse(db: ShopDb, integrationId: string, message: string, issues: CellIssue[], runId?: string): Promise<string> {
  return recordRefusedRun(db, {
    runId,
    integrationId,
    trigger: "upload",
    message,
    errors: issues.map((i) => ({ externalId: i.cellRef ?? `${i.sheet}!${i.row}`, ref: { sheet: i.sheet, row: i.row, column: i.column }, message: i.message })),
    // Each row with a problem is a variant that failed.
    failed: new Set(issues.filter((i) => i.row > 0).map((i) => `${i.sheet}!${i.row}`)).size,
  });
}

function recordErrorsAsIssues(report: RunReport): CellIssue[] {
  return report.errors.map((e) => ({ sheet: e.ref?.sheet ?? "Products", row: e.ref?.row ?? 0, column: e.ref?.column ?? "", message: e.message }));
}

/** A row's product handle and variant SKU, as the file names them. */
interface RowNames {
  handle: string;
  sku?: string;
}

/**
 * Passes the records on, noting the names of their rows by each record's ref: the merge hands that
 * ref on to the writes it plans, so a change is named by the row it comes from. A WeakMap, so the
 * names go with the records once merged (a file has up to 100,000 rows).
 */
async function* namingRows(records: AsyncIterable<SourceRecord>, names: WeakMap<RecordRef, RowNames>): AsyncGenerator<SourceRecord> {
  for await (const record of records) {
    const handle = record.handle ?? record.externalId;
    if (record.ref) names.set(record.ref, { handle });
    for (const v of record.variants) {
      const sku = v.fields.sku;
      if (v.ref) names.set(v.ref, { handle, ...(typeof sku === "string" && sku ? { sku } : {}) });
    }
    yield record;
  }
}

function previewChange(w: FieldWrite, names: RowNames | undefined): PreviewChange {
  const key = isFieldKey(w.field) ? w.field : null;
  const def = key ? fieldDef(key) : null;
  return {
    sheet: w.ref?.sheet,
    row: w.ref?.row,
    entity: w.entityType,
    ...(names ? { handle: names.handle } : {}),
    ...(names?.sku && w.entityType === "variant" ? { sku: names.sku } : {}),
    field: def?.label ?? w.field,
    ...(key && def ? { fieldKey: key, kind: def.kind, ...(def.unit ? { unit: def.unit } : {}) } : {}),
    locale: w.locale,
    oldValue: w.oldValue,
    newValue: w.newValue,
  };
}

/** A stored change with the text of its values where they do not read as themselves (textOf). */
function shownChange(change: PreviewChange): ShownChange {
  const key = change.fieldKey;
  if (!key) return change;
  const text = (json: string | null) => (json === null ? undefined : textOf(key, JSON.parse(json)));
  const oldText = text(change.oldValue);
  const newText = text(change.newValue);
  return { ...change, ...(oldText === undefined ? {} : { oldText }), ...(newText === undefined ? {} : { newText }) };
}

/** What the run of an upload's check keeps on it (RunContext): it is a preview, worked out while the page waits. */
const CHECK_CONTEXT: RunContext = { preview: "upload" };

/**
 * Records the run of an upload's check, marked as a background preview (backgroundPreviewWhere):
 * one cut short by a restart is closed as an interrupted preview, which nothing retries
 * (closeInterruptedRuns), and a commit's run is told apart from it (excelUploadSource).
 */
export function startCheckRun(db: ShopDb, integrationId: string): Promise<string> {
  return startRun(db, { integrationId, trigger: "upload", scope: "partial", context: CHECK_CONTEXT });
}

async function previewUpload(db: ShopDb, uploadId: string): Promise<UploadPreview> {
  const upload = await db.upload.findUniqueOrThrow({ where: { id: uploadId }, select: UPLOAD_ROW });
  // The preview's run, recorded before the file is read: the page follows its progress.
  const runId = await startCheckRun(db, upload.integrationId);
  await db.upload.update({ where: { id: uploadId }, data: { preview: JSON.stringify({ previewRunId: runId } satisfies StoredPreview) }, select: { id: true } });
  const rejected = async (message: string) => {
    await refuse(db, upload.integrationId, message, [], runId);
    return savePreview(db, uploadId, { status: "rejected", message, previewRunId: runId });
  };
  const settings = await readSettings(db);
  let file: { path: string; remove: () => void } | null = null;
  try {
    file = await temporaryUploadFile(db, uploadId);
    const opened = await openUpload(settings, file.path);
    if (!opened.ok) return await rejected(opened.message);
    try {
      return await previewStream(db, upload, runId, opened.stream, recordsKey(settings));
    } finally {
      await opened.stream.close();
    }
  } catch (error) {
    if (error instanceof WorkbookRejected) return await rejected(error.message);
    // Not the file's fault: the upload and its run say so, and the caller hears of it.
    await rejected(`This file could not be checked. ${merchantMessage(error, "Upload it again; if this keeps happening, contact support.")}`);
    throw error;
  } finally {
    file?.remove();
  }
}

/**
 * The dry run merges the products as the reader hands them over, and keeps them for the commit.
 * When the file turns out to have errors, that run becomes the refused upload run, with the errors.
 */
async function previewStream(db: ShopDb, upload: { id: string; integrationId: string; createMissing: boolean }, previewRunId: string, stream: WorkbookStream, key: string): Promise<UploadPreview> {
  // The preview keeps the first changes (old → new) and counts the rest.
  const changes: PreviewChange[] = [];
  let changeCount = 0;
  let movedVariants = 0;
  const names = new WeakMap<RecordRef, RowNames>();
  const examples: CellIssue[] = [];
  const archiver = new RecordArchiver();
  const { runId, report } = await executeSync({
    shop: db.shopDomain,
    integrationId: upload.integrationId,
    trigger: "upload",
    runId: previewRunId,
    dryRun: true,
    createUnmatched: upload.createMissing,
    source: async () => ({ scope: "partial", records: archiver.keep(namingRows(withoutTemplateExamples(stream.records, examples), names)), total: stream.products, valuesChecked: true }),
    onChanges: (part) => {
      changeCount += part.writes.length;
      movedVariants += part.variantMoves.length;
      for (const w of part.writes.slice(0, MAX_PREVIEW_CHANGES - changes.length)) changes.push(previewChange(w, w.ref && names.get(w.ref)));
    },
  });
  const result = stream.summary();
  const base = { rows: result.rowCount, products: result.productCount, warnings: [...examples, ...result.warnings] };
  if (result.errors.length > 0) {
    const tooManyRows = stoppedAtRowLimit(result);
    const message = tooManyRows ? TOO_MANY_ROWS_MESSAGE : invalidFileMessage(result.errors);
    await refuse(db, upload.integrationId, message, result.errors, runId);
    return savePreview(db, upload.id, { ...base, status: "invalid", message, errors: result.errors, markedCopy: !tooManyRows, previewRunId: runId });
  }
  if (result.rowCount === 0 || (examples.length > 0 && examples.length === result.productCount)) {
    // Headers and nothing under them, or only the template's examples: a preview of nothing to
    // import is refused (the warnings say which values were left out, such as those of columns
    // without a header).
    const message = result.rowCount === 0 ? noRowsMessage(result.sheet) : ONLY_EXAMPLES_MESSAGE;
    await refuse(db, upload.integrationId, message, [], runId);
    return savePreview(db, upload.id, { ...base, status: "rejected", message, previewRunId: runId });
  }
  const errors = recordErrorsAsIssues(report);
  if (errors.length === 0) {
    await storeUploadBytes(db, upload.id, "records", await archiver.finish());
    await db.upload.update({ where: { id: upload.id }, data: { recordsKey: key }, select: { id: true } });
  }
  return savePreview(db, upload.id, {
    ...base,
    status: errors.length ? "invalid" : "previewed",
    errors,
    previewRunId: runId,
    changes,
    changeCount,
    movedVariants,
  });
}

interface StoredPreview {
  message?: string | null;
  rows?: number;
  products?: number;
  errors?: CellIssue[];
  warnings?: CellIssue[];
  markedCopy?: boolean;
  previewRunId?: string;
  changes?: PreviewChange[];
  changeCount?: number;
  /** Variants the file moves (another position or product): a change that writes no value. Missing on previews stored before it was counted. */
  movedVariants?: number;
}

/** The preview saved with an upload (savePreview). */
function storedPreview(upload: { preview: string | null }): StoredPreview {
  return JSON.parse(upload.preview ?? "{}") as StoredPreview;
}

async function savePreview(db: ShopDb, uploadId: string, preview: StoredPreview & { status: UploadStatus }): Promise<UploadPreview> {
  const { status, ...stored } = preview;
  await db.upload.update({ where: { id: uploadId }, data: { status, preview: JSON.stringify(stored) }, select: { id: true } });
  return getUploadPreview(db, uploadId);
}

export async function getUploadPreview(db: ShopDb, uploadId: string): Promise<UploadPreview> {
  const upload = await db.upload.findUnique({
    where: { id: uploadId },
    select: { id: true, integrationId: true, fileName: true, status: true, preview: true, createMissing: true, runId: true, updatedAt: true },
  });
  if (!upload) throw new MerchantError("This upload does not exist (or belongs to another shop).", true);
  const stored = storedPreview(upload);
  const integration = await db.integration.findUnique({ where: { id: upload.integrationId }, select: { status: true, matchBy: true } });
  const run = stored.previewRunId ? await getRun(db, stored.previewRunId) : null;
  // A check the app stopped in the middle of is over; one whose run has ended is still saving its preview.
  const interrupted = upload.status === "checking" && (await checkCutShort(db, upload.updatedAt, stored.previewRunId));
  return {
    uploadId: upload.id,
    fileName: upload.fileName,
    status: interrupted ? "rejected" : (upload.status as UploadStatus),
    message: interrupted ? "Checking this file was interrupted (the app restarted). Upload it again." : (stored.message ?? null),
    createMissing: upload.createMissing,
    rows: stored.rows ?? 0,
    products: stored.products ?? 0,
    errors: stored.errors ?? [],
    warnings: stored.warnings ?? [],
    markedCopy: (stored.errors ?? []).length > 0 && stored.markedCopy !== false && fileDeletedReason(upload.status) === null,
    run,
    matchBy: integration?.matchBy === "barcode" ? "barcode" : "sku",
    nothingToImport: upload.status === "previewed" && run !== null && changesNothing(run, stored),
    // Shown (with their texts) only while the upload waits to be imported: the page and the
    // command line ask for the preview again and again while it is checked and committed.
    changes: upload.status === "previewed" ? (stored.changes ?? []).map(shownChange) : (stored.changes ?? []),
    changeCount: stored.changeCount ?? 0,
    commitRunId: upload.runId,
    commitBlocked: upload.status === "committing" ? blockedCommit(integration?.status) : null,
  };
}

/**
 * Whether importing a previewed file would change nothing: no variant or product created, updated
 * or archived, no value written, no variant moved. (Rows that match no variant are left out either
 * way.) A preview stored before moves were counted may move some: it is not said to change nothing.
 */
export function changesNothing(run: Pick<RunView, "counts" | "details">, stored: Pick<StoredPreview, "changeCount" | "movedVariants">): boolean {
  const variants = run.counts;
  const products = run.details.products ?? { created: 0, updated: 0, archived: 0 };
  const counted = variants.created + variants.updated + variants.archived + products.created + products.updated + products.archived;
  return counted === 0 && (stored.changeCount ?? 0) === 0 && stored.movedVariants === 0;
}

/**
 * The upload the Excel page shows when opened without one (the merchant comes back to it from
 * another page): the shop's last upload, its preview or outcome with the marked copy of its file,
 * while it is kept. Not once cancelled or expired, nor when last touched longer ago than uploads
 * are kept (an import long done is no news).
 */
export async function lastUploadId(db: ShopDb, now = new Date()): Promise<string | null> {
  const last = await db.upload.findFirst({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, status: true, updatedAt: true } });
  if (!last || last.status === "cancelled" || last.status === "expired") return null;
  return last.updatedAt.getTime() >= now.getTime() - UPLOAD_KEEP_DAYS * 86_400_000 ? last.id : null;
}

/** What a run closed because its process stopped says (closeInterruptedRuns, closeStaleRuns): as a check's run, and as one recorded before checks were marked. */
const INTERRUPTED_MESSAGES: ReadonlySet<string> = new Set([interruptedPreview().message, interruptedRun().message]);

/**
 * Whether a check (an upload still "checking") was cut short by a process that stopped: its run
 * was closed as interrupted, or nothing was heard of it for RUN_STALE_MS (its run's heartbeat or
 * end; the upload's last change while it has no run yet). Not merely because its run is no longer
 * running: the run ends (a preview, or failed) before the upload's preview is saved.
 */
async function checkCutShort(db: ShopDb, uploadChangedAt: Date, runId: string | undefined): Promise<boolean> {
  const run = runId ? await db.syncRun.findUnique({ where: { id: runId }, select: { status: true, message: true, createdAt: true, heartbeatAt: true, finishedAt: true } }) : null;
  if (run?.status === "failed" && run.message !== null && INTERRUPTED_MESSAGES.has(run.message)) return true;
  const lastSign = run ? Math.max((run.heartbeatAt ?? run.createdAt).getTime(), run.finishedAt?.getTime() ?? 0) : uploadChangedAt.getTime();
  return lastSign < Date.now() - RUN_STALE_MS;
}

/** Why a commit already asked for does not run. A paused integration keeps the request and runs it when resumed. */
function blockedCommit(integrationStatus: string | undefined): string | null {
  if (integrationStatus === "paused") return "The Excel integration was paused before this import ran: nothing is saved yet. Resume it on the Integrations page and the import runs.";
  if (integrationStatus === "disconnected" || integrationStatus === undefined) {
    return "The Excel integration was disconnected before this import ran: nothing was saved. Connect it again on the Integrations page, then upload the file again.";
  }
  return null;
}

/** Commits a previewed upload: queued as a sync run of the Excel integration (trigger "upload"). */
export async function commitUpload(queue: JobQueue, db: ShopDb, uploadId: string): Promise<void> {
  const upload = await db.upload.findUnique({ where: { id: uploadId }, select: UPLOAD_ROW });
  if (!upload) throw new MerchantError("This upload does not exist (or belongs to another shop).", true);
  if (upload.status !== "previewed") throw new MerchantError(notImportable(upload.status), true);
  const integration = await db.integration.findUnique({ where: { id: upload.integrationId }, select: { status: true } });
  const refusal = commitRefusal(integration?.status);
  if (refusal) throw new MerchantError(refusal, true);
  if (await catalogChangedSince(db, storedPreview(upload).previewRunId)) {
    await checkAgain(db, uploadId, "previewed");
    throw new MerchantError(CATALOG_CHANGED, true);
  }
  // previewed → committing once, however often "Import" is clicked.
  const claimed = await db.upload.updateMany({ where: { id: uploadId, status: "previewed" }, data: { status: "committing" } });
  if (claimed.count === 0) throw new MerchantError(notImportable("committing"), true);
  if (!(await requestSync(queue, db, upload.integrationId, "upload", "partial"))) {
    // Paused or disconnected meanwhile: nothing would run it, so it waits as a preview again.
    await db.upload.updateMany({ where: { id: uploadId, status: "committing" }, data: { status: "previewed" } });
    const now = await db.integration.findUnique({ where: { id: upload.integrationId }, select: { status: true } });
    throw new MerchantError(commitRefusal(now?.status) ?? "The Excel integration does not import now. Check it on the Integrations page, then import again.", true);
  }
}

/**
 * Why an upload that is not (or no longer) previewed cannot be imported, for the merchant: an
 * "Import" clicked in a tab left open while the upload went on.
 */
function notImportable(status: string): string {
  switch (status) {
    case "invalid":
    case "rejected":
      return "This file has errors, so nothing can be saved from it. Fix the errors and upload it again.";
    case "expired":
      return `This upload has expired: files not imported within ${UPLOAD_KEEP_DAYS} days are deleted. Upload the file again.`;
    case "uploaded":
    case "checking":
      return "This file is being checked again, so nothing was imported yet. Wait for its new preview on this page, then import it.";
    case "committing":
      return "This file is already being imported. Its progress is shown on this page.";
    case "committed":
      return "This file was already imported. Upload it again only if you changed it since.";
    case "failed":
      return "Importing this file failed and nothing was saved: the reason is shown on this page. Fix the file and upload it again.";
    case "cancelled":
      return "This upload was cancelled, so nothing was imported. Upload the file again to import it.";
    default:
      return "This upload cannot be imported. Upload the file again.";
  }
}

const CATALOG_CHANGED =
  "Your catalog changed since this preview (another import or a sync saved changes), so nothing was imported. The file is being checked again: review the new preview, then import it.";

/**
 * What the merchant saw is no longer what the file would do: the upload is checked again (the
 * page does so by itself for an upload back at "uploaded"), and imported only once seen.
 */
async function checkAgain(db: ShopDb, uploadId: string, from: "previewed" | "committing"): Promise<void> {
  // (runId: no run of an import is its own any more; the page would show the last one's outcome.)
  const sentBack = await db.upload.updateMany({ where: { id: uploadId, status: from }, data: { status: "uploaded", recordsKey: null, runId: null } });
  if (sentBack.count === 1) await deleteUploadBytes(db, [uploadId], "records");
}

/** Whether a run of the shop saved changes to the catalog after the preview's run began. */
async function catalogChangedSince(db: ShopDb | ShopTx, previewRunId: string | undefined): Promise<boolean> {
  const preview = previewRunId ? await db.syncRun.findUnique({ where: { id: previewRunId }, select: { startedAt: true, createdAt: true, finishedAt: true } }) : null;
  if (!preview?.finishedAt) return false;
  // Since the preview began reading the catalog: a run that saved while it read, batch by batch,
  // may have changed what its first batches were merged against.
  const since = preview.startedAt ?? preview.createdAt;
  const changed = await db.syncRun.findFirst({
    where: { status: "succeeded", finishedAt: { gt: since }, OR: [{ created: { gt: 0 } }, { updated: { gt: 0 } }, { archived: { gt: 0 } }] },
    select: { id: true },
  });
  return changed !== null;
}

/** Why an upload of this integration cannot be committed now (a paused or disconnected integration runs nothing). */
function commitRefusal(integrationStatus: string | undefined): string | null {
  if (integrationStatus === "paused") return "The Excel integration is paused. Resume it on the Integrations page, then import again.";
  if (integrationStatus === "disconnected" || integrationStatus === undefined) {
    return "The Excel integration is disconnected. Connect it again on the Integrations page, then upload the file again.";
  }
  return null;
}

/** An upload still "uploaded" or "checking" after this long was never previewed (the app stopped mid-check). */
const UNCHECKED_UPLOAD_KEEP_MS = 86_400_000;

/**
 * Uploads left waiting for more than UPLOAD_KEEP_DAYS days (previewed and never committed or
 * cancelled, refused, failed, or committing with nothing to run them: their integration was paused
 * or disconnected), or left unchecked for a day; expiring them deletes their file and records, the
 * preview stays.
 */
function expiredUploads(now: Date) {
  const keptSince = new Date(now.getTime() - UPLOAD_KEEP_DAYS * 86_400_000);
  return {
    OR: [
      { status: { in: ["previewed", "invalid", "rejected", "failed", "committing"] }, updatedAt: { lt: keptSince } },
      { status: { in: ["uploaded", "checking"] }, updatedAt: { lt: new Date(now.getTime() - UNCHECKED_UPLOAD_KEEP_MS) } },
    ],
  };
}

/** Expires the shop's old uploads (on each new upload). */
export async function expireUploads(db: ShopDb, now = new Date()): Promise<number> {
  return expire(db, now);
}

/** Expires every shop's old uploads (the background housekeeping). */
export async function expireAllUploads(client: Db, now = new Date()): Promise<number> {
  return expire(client, now);
}

async function expire(db: ShopDb | Db, now: Date): Promise<number> {
  const due = (await db.upload.findMany({ where: expiredUploads(now), select: { id: true } })).map((u) => u.id);
  if (due.length === 0) return 0;
  const { count } = await db.upload.updateMany({ where: { id: { in: due }, ...expiredUploads(now) }, data: { status: "expired", ...DONE_WITH } });
  // Only the bytes of those that expired: one committed meanwhile (status "committing") keeps its own.
  const expired = await db.upload.findMany({ where: { id: { in: due }, status: "expired" }, select: { id: true } });
  await deleteUploadBytes(db, expired.map((u) => u.id));
  return count;
}

export async function cancelUpload(db: ShopDb, uploadId: string): Promise<void> {
  const updated = await db.upload.updateMany({ where: { id: uploadId, status: { in: ["previewed", "invalid", "rejected"] } }, data: { status: "cancelled", ...DONE_WITH } });
  if (updated.count === 0) throw new MerchantError("This upload cannot be cancelled any more.", true);
  await deleteUploadBytes(db, [uploadId]);
}

/**
 * Why an upload's file is no longer kept, for the merchant, when its status says so: expiring and
 * cancelling an upload delete its file (deleteUploadBytes), so no marked copy can be made of it.
 */
function fileDeletedReason(status: string): string | null {
  if (status === "expired") return `uploads not imported within ${UPLOAD_KEEP_DAYS} days are deleted`;
  if (status === "cancelled") return "a cancelled upload's file is deleted";
  return null;
}

/** The uploaded workbook with its bad cells highlighted and explained. */
export async function errorWorkbook(db: ShopDb, uploadId: string): Promise<{ fileName: string; bytes: Buffer }> {
  const upload = await db.upload.findUnique({ where: { id: uploadId }, select: UPLOAD_ROW });
  if (!upload) throw new MerchantError("This upload does not exist (or belongs to another shop).", true);
  const stored = storedPreview(upload);
  if (!(stored.errors ?? []).length || stored.markedCopy === false) {
    throw new MerchantError("No copy with the problems marked is made of this file: it was refused as a whole. The problems are listed on the Import & export page.", true);
  }
  // Checked before the file is read: a deleted file reads as no bytes, which the workbook reader
  // would refuse as an empty file, an error the merchant cannot act on.
  const deleted = fileDeletedReason(upload.status);
  if (deleted !== null || (await db.uploadBytes.count({ where: { uploadId, kind: "file" } })) === 0) {
    throw new MerchantError(`This file is no longer kept${deleted ? `: ${deleted}` : ""}. Upload the file again to get a new copy with its problems marked.`, true);
  }
  const bytes = await withUploadFile(db, uploadId, (filePath) => annotateWorkbook(filePath, stored.errors ?? []));
  return { fileName: upload.fileName.replace(/(\.xlsx)?$/i, " - errors.xlsx"), bytes };
}

/**
 * The records but the template's example products (templateExampleTitle), each of those noted in
 * `leftOut` as a warning on its first row.
 */
async function* withoutTemplateExamples(records: AsyncIterable<SourceRecord>, leftOut: CellIssue[] = []): AsyncGenerator<SourceRecord> {
  for await (const record of records) {
    const example = templateExampleTitle(record);
    if (example === null) {
      yield record;
      continue;
    }
    leftOut.push({
      sheet: record.ref?.sheet ?? "Products",
      row: record.ref?.row ?? 0,
      column: "Product Handle",
      message: `"${record.handle ?? ""}" is the template's example product "${example}", so its rows were not imported. Delete the example rows from the file.`,
    });
  }
}

const ONLY_EXAMPLES_MESSAGE =
  "Nothing was imported: the file holds only the template's two example products. Add your own products under the headers, one row per variant, delete the example rows, then upload the file again.";

/** The records of a stream that was valid at its preview; errors now fail the run (all or nothing). */
async function* previewedRecords(stream: WorkbookStream): AsyncGenerator<SourceRecord> {
  yield* withoutTemplateExamples(stream.records);
  if (stream.summary().errors.length > 0) throw new MerchantError("The file changed since its preview and now has errors; nothing was saved.", true);
}

interface CommitRecords {
  records: AsyncIterable<SourceRecord>;
  total: number;
  close: () => Promise<void>;
}

/**
 * What a commit saves: the records its preview checked, when what they depend on (the shop's
 * language, the fields) is unchanged; else the file read again as the run goes.
 */
async function commitRecords(db: ShopDb, upload: { id: string; preview: string | null; recordsKey: string | null }): Promise<CommitRecords> {
  const settings = await readSettings(db);
  if (upload.recordsKey === recordsKey(settings)) {
    const archive = await uploadBytes(db, upload.id, "records");
    const products = storedPreview(upload).products ?? 0;
    if (archive.byteLength > 0) return { records: unpackRecords(archive), total: products, close: async () => undefined };
  }
  const file = await temporaryUploadFile(db, upload.id);
  const opened = await openUpload(settings, file.path).catch((error: unknown) => {
    file.remove();
    throw error;
  });
  if (!opened.ok) {
    file.remove();
    await db.upload.update({ where: { id: upload.id }, data: { status: "failed" }, select: { id: true } });
    throw new MerchantError(opened.message, true);
  }
  const close = async () => {
    await opened.stream.close();
    file.remove();
  };
  return { records: previewedRecords(opened.stream), total: opened.stream.products, close };
}

/**
 * The Excel integration's source for a run: the oldest upload waiting to be committed, all or
 * nothing (see commitRecords). The upload is marked committed in the run's own transaction.
 */
export async function excelUploadSource(db: ShopDb, integration: IntegrationRow, queue?: JobQueue): Promise<SourceBatch> {
  const upload = await db.upload.findFirst({ where: { integrationId: integration.id, status: "committing" }, orderBy: { updatedAt: "asc" }, select: UPLOAD_ROW });
  if (!upload) return { scope: "partial", records: [] };
  const commit = await commitRecords(db, upload);
  return {
    scope: "partial",
    records: commit.records,
    // On the upload from the start, so the page follows this run's progress (not another upload's
    // check) and shows its counts once committed.
    onRunStarted: async (runId) => {
      await db.upload.update({ where: { id: upload.id }, data: { runId }, select: { id: true } });
    },
    total: commit.total,
    // Read by the reader, which checks every value, now or in the preview (the kept records).
    valuesChecked: true,
    createUnmatched: upload.createMissing,
    atomic: true,
    // Checked again where it is applied: the catalog may have changed since "Import" was clicked
    // (a sync saved while the job waited in the queue, or for days behind a paused integration).
    beforeApply: async (tx) => {
      if (await catalogChangedSince(tx, storedPreview(upload).previewRunId)) throw new RunCancelled(CATALOG_CHANGED);
    },
    onCommit: async (tx) => {
      await tx.upload.update({ where: { id: upload.id }, data: { status: "committed", ...DONE_WITH }, select: { id: true } });
      await deleteUploadBytes(tx, [upload.id]);
    },
    afterRun: async ({ ok, runId, retried, error }) => {
      await commit.close();
      if (error instanceof RunCancelled) await checkAgain(db, upload.id, "committing");
      else {
        // A run its job tries again leaves the upload to be committed by the retry. Only while it
        // is still being imported: an uninstall meanwhile put it back to its preview.
        const failed = !ok && !retried;
        await db.upload.updateMany({ where: { id: upload.id, status: "committing" }, data: { runId, ...(failed ? { status: "failed" } : {}) } });
      }
      // Another upload committed meanwhile gets its own run (this one, retried, waits for its job's retry).
      const next = await db.upload.count({ where: { integrationId: integration.id, status: "committing", id: { not: upload.id } } });
      if (next > 0 && queue) await requestSync(queue, db, integration.id, "upload", "partial");
    },
  };
}

