// The operator commands behind `npm run dpp` (argument parsing is in dpp.ts).
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { db as rootDb } from "../db.server";
import type { ShopDb } from "../db/scoped.server";
import { forShop } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { commitUpload, getUploadPreview, uploadWorkbook, type UploadPreview } from "../integrations/excel/uploads.server";
import { writeCatalogWorkbook, type ExportFilter } from "../integrations/excel/export.server";
import { issueLine } from "../integrations/excel/issues";
import { UPLOAD_KEEP_DAYS } from "../integrations/excel/limits";
import { findIntegration, listIntegrations } from "../integrations/integrations.server";
import { INTEGRATION_KINDS, integrationKind } from "../integrations/kinds";
import { previewFailureMessage, promotedMessage, promoteIntegration } from "../integrations/promote.server";
import { jobQueue } from "../jobs/index.server";
import { processSyncJob, requestSync } from "../jobs/sync-jobs.server";
import { passportList, writeQrZip } from "../passports/listing.server";
import { getRun, hasLiveRun, type RunView } from "../sync/runs.server";
import type { Command } from "./command-names";
import type { CliOptions } from "./dpp";

const log = (message: string) => process.stderr.write(`${message}\n`);

/** The one-line reason of a command that ran and failed (GUIDE §5), beside what it prints on stdout. */
const failure = (reason: string) => log(`dpp: ${reason}`);

/** A path as the operator typed it: relative to where they ran npm (which runs scripts in the package's folder). */
function operatorPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** Why a file cannot be read or written, in one line: a missing file or folder, a folder, no permission. */
function fileProblem(verb: "read" | "write", file: string, error: unknown): MerchantError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EISDIR") return new MerchantError(`${file} is a folder: give the path of a file`, true);
  const why =
    code === "ENOENT"
      ? verb === "read" ? ": no such file" : ": its folder does not exist"
      : code === "EACCES" || code === "EPERM"
        ? ": permission denied"
        : code ? ` (${code})` : "";
  return new MerchantError(`cannot ${verb} ${file}${why}`, true);
}

/** A file to write, opened before any work is done: a missing folder or no permission is a one-line error. */
async function outputFile(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file);
  try {
    await once(stream, "open");
  } catch (error) {
    throw fileProblem("write", file, error);
  }
  return stream;
}

/** A file's bytes; a missing file, a folder or no permission is a one-line error. */
async function inputFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw fileProblem("read", file, error);
  }
}

function out(opts: CliOptions, value: unknown, human: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

/** The run as scripts read it (GUIDE §5). */
function runJson(run: RunView) {
  return { id: run.id, integration: run.integration, trigger: run.trigger, status: run.status, counts: run.counts, errors: run.errors, ...(run.message ? { message: run.message } : {}) };
}

function runLine(run: RunView): string {
  const c = run.counts;
  return `${run.integration} ${run.trigger} run ${run.status}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.unmatched} unmatched, ${c.archived} archived, ${c.failed} failed${run.message ? ` — ${run.message}` : ""}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Works the queue in this process until `done` says the awaited run has ended. */
async function workUntil<T>(done: () => Promise<T | null>, progress: () => Promise<string | null>): Promise<T> {
  const queue = jobQueue();
  await queue.work((job) => processSyncJob(job));
  let lastLine = "";
  try {
    for (;;) {
      const result = await done();
      if (result) return result;
      const line = await progress();
      if (line && line !== lastLine) log((lastLine = line));
      await sleep(500);
    }
  } finally {
    await queue.stop();
  }
}

async function latestRunSince(db: ShopDb, integrationId: string, since: Date): Promise<RunView | null> {
  const row = await db.syncRun.findFirst({ where: { integrationId, createdAt: { gte: since } }, orderBy: { createdAt: "asc" } });
  return row ? getRun(db, row.id) : null;
}

async function sync(db: ShopDb, opts: CliOptions): Promise<number> {
  const integration = opts.integration
    ? await findIntegration(db, opts.integration)
    : await db.integration.findFirst({ where: { primaryOfShop: { not: null } } });
  if (!integration) throw new MerchantError(`${db.shopDomain} has no integration to sync. Install the app in the shop first (or run the demo).`, true);
  if (!integrationKind(integration.kind)?.syncsOnSchedule) throw new MerchantError(`${integration.kind} syncs by upload: use \`npm run dpp -- import\`.`, true);
  // The run that serves this request starts after it (one that was going already does not).
  const since = new Date();
  if (!(await requestSync(jobQueue(), db, integration.id, "manual", "full"))) {
    throw new MerchantError(`The ${integration.kind} integration is ${integration.status}: resume or reconnect it first.`, true);
  }
  const run = await workUntil(
    async () => {
      const r = await latestRunSince(db, integration.id, since);
      return r && (r.status === "succeeded" || r.status === "failed") ? r : null;
    },
    async () => {
      const r = await latestRunSince(db, integration.id, since);
      return r ? `${r.status}${r.phase ? ` (${r.phase})` : ""}: ${r.processed}${r.total ? ` of ${r.total}` : ""} records` : "waiting for the run to start…";
    },
  );
  out(opts, { run: runJson(run) }, runLine(run));
  if (run.status === "succeeded") return 0;
  failure(run.message ?? "the sync failed (see its errors)");
  return 1;
}

/** How long a committed upload may wait with no run of its integration going before the CLI stops waiting. */
export const COMMIT_START_TIMEOUT_MS = 120_000;

/** When a commit's wait last saw something happen (a run going), to tell a queued import from a stuck one. */
export class CommitStall {
  private lastSignOfLife = Date.now();
  constructor(private readonly timeoutMs = COMMIT_START_TIMEOUT_MS) {}
  alive(): void {
    this.lastSignOfLife = Date.now();
  }
  get stuck(): boolean {
    return Date.now() - this.lastSignOfLife > this.timeoutMs;
  }
  get seconds(): number {
    return Math.round(this.timeoutMs / 1000);
  }
}

/**
 * The committed upload once its run has ended, null while it is on its way; throws (with what to
 * do) when it will not end by itself: the upload left "committing" some other way, its integration
 * was paused or disconnected, or no run of the integration has gone on for a while.
 */
export async function commitOutcome(db: ShopDb, uploadId: string, stall: CommitStall): Promise<UploadPreview | null> {
  const upload = await getUploadPreview(db, uploadId);
  if (upload.status === "committed" || upload.status === "failed") return upload;
  if (upload.status === "expired") throw new MerchantError(`The import did not run and the upload has expired: files not imported within ${UPLOAD_KEEP_DAYS} days are deleted. Import the file again.`, true);
  if (upload.status !== "committing") throw new MerchantError(`The import did not run: the upload is ${upload.status}. Import the file again.`, true);
  if (upload.commitBlocked) throw new MerchantError(upload.commitBlocked, true);
  const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId }, select: { integrationId: true } });
  if (await hasLiveRun(db, row.integrationId)) stall.alive();
  else if (stall.stuck) {
    throw new MerchantError(
      `The import has not started after ${stall.seconds} seconds and stays queued: nothing is saved yet. See the Excel integration's sync history in the app (another sync of it may still be running).`,
      true,
    );
  }
  return null;
}

async function commitProgress(db: ShopDb, uploadId: string): Promise<string> {
  const row = await db.upload.findUnique({ where: { id: uploadId }, select: { integrationId: true } });
  const run = row ? await db.syncRun.findFirst({ where: { integrationId: row.integrationId, trigger: "upload", status: "running" }, orderBy: { createdAt: "desc" } }) : null;
  if (!run) return "waiting for the import to start…";
  return `saving${run.phase ? ` (${run.phase})` : ""}: ${run.processed}${run.total ? ` of ${run.total}` : ""} records`;
}

/**
 * Why a checked file cannot be imported, as the CLI says it (null when it can): the upload's
 * message, except that the admin's "download the file with the errors marked" is not something
 * the command line can do.
 */
function refusalMessage(preview: UploadPreview, listed: "see errors" | "listed below" | null): string | null {
  if (preview.status === "previewed") return null;
  if (preview.status === "invalid" && preview.markedCopy) {
    const one = preview.errors.length === 1;
    return `The file cannot be imported: it has ${one ? "1 problem" : `${preview.errors.length} problems`}${listed ? ` (${listed})` : ""}. Fix ${one ? "it" : "them"} and run the import again; the Excel page of Passport in the Shopify admin also gives you the file with the problems marked.`;
  }
  return preview.message ?? "The file cannot be imported.";
}

/** The file's problems as scripts read them (GUIDE §5); a file refused as a whole is one problem, on no row. */
function issuesJson(preview: UploadPreview, refusal: string | null) {
  const issues = preview.errors.map((e) => ({ sheet: e.sheet, row: e.row, column: e.column, message: e.message }));
  return issues.length === 0 && refusal ? [{ sheet: "", row: 0, column: "", message: refusal }] : issues;
}

/**
 * A dry run needs the Excel integration connected: checking a file keeps it with the integration,
 * which storeUpload connects on first use (and reconnects when disconnected): a change to the shop.
 */
async function requireExcelForDryRun(db: ShopDb): Promise<void> {
  const excel = await db.integration.findUnique({ where: { shop_kind: { shop: db.shopDomain, kind: "excel" } }, select: { status: true } });
  if (!excel || excel.status === "disconnected") {
    throw new MerchantError(
      "Excel is not connected in this shop, and a dry run changes nothing: run the import without --dry-run to connect it, or connect Excel on the Integrations page.",
      true,
    );
  }
}

async function importFile(db: ShopDb, file: string | undefined, opts: CliOptions): Promise<number> {
  if (!file) throw new MerchantError("import needs the workbook to read: npm run dpp -- import --shop <shop> <file.xlsx>", true);
  const dryRun = opts["dry-run"] === true;
  const filePath = operatorPath(file);
  const bytes = await inputFile(filePath);
  if (dryRun) await requireExcelForDryRun(db);
  log(`Reading ${file}…`);
  const preview = await uploadWorkbook(db, { name: path.basename(file), bytes, createMissing: opts["create-missing"] === true });
  for (const w of preview.warnings) log(`warning: ${issueLine(w)}`);
  if (preview.status !== "previewed" || dryRun) {
    const refusal = refusalMessage(preview, opts.json ? "see errors" : "listed below");
    // A dry run's run is a preview (GUIDE §5), refused or not: the exit code and errors say which.
    const run = { ...preview.run!, ...(dryRun ? { status: "preview" } : {}), message: refusal ?? preview.run!.message };
    const human = [runLine(run), ...preview.errors.map(issueLine)].join("\n");
    out(opts, { run: runJson(run), errors: issuesJson(preview, refusal) }, human);
    if (!refusal) return 0;
    failure(refusalReason(preview, refusalMessage(preview, null) ?? refusal));
    return 1;
  }
  await commitUpload(jobQueue(), db, preview.uploadId);
  const stall = new CommitStall();
  const committed = await workUntil(
    () => commitOutcome(db, preview.uploadId, stall),
    () => commitProgress(db, preview.uploadId),
  );
  const run = committed.commitRunId ? await getRun(db, committed.commitRunId) : null;
  if (!run) throw new MerchantError("The import could not start; see the app's sync history.", true);
  const errors = run.errors.map((e) => ({ sheet: e.ref?.sheet ?? "Products", row: e.ref?.row ?? 0, column: e.ref?.column ?? "", message: e.message }));
  out(opts, { run: runJson(run), errors }, runLine(run));
  if (run.status === "succeeded") return 0;
  failure(run.message ?? "the import failed (see its errors)");
  return 1;
}

/** Why a file cannot be imported, in one line: the refusal, and its first problem. */
function refusalReason(preview: UploadPreview, refusal: string): string {
  const problem = preview.errors[0] ? issueLine(preview.errors[0]) : "";
  return problem ? `${refusal} First: ${problem}` : refusal;
}

async function exportFile(db: ShopDb, opts: CliOptions): Promise<number> {
  if (!opts.out) throw new MerchantError("export needs --out <file.xlsx>", true);
  const archived = opts.archived ?? "include";
  if (!["include", "exclude", "only"].includes(archived)) throw new MerchantError("--archived must be include, exclude or only", true);
  const filter: ExportFilter = { search: opts.search, archived: archived as ExportFilter["archived"], missingPassportData: opts.missing };
  const file = operatorPath(opts.out);
  const result = await writeCatalogWorkbook(db, await outputFile(file), filter, (n) => log(`${n} products written…`));
  for (const w of result.warnings) log(`warning: ${w}`);
  out(opts, { file, products: result.products, rows: result.rows }, `Exported ${result.products} products (${result.rows} variant rows) to ${file}`);
  return 0;
}

async function passports(db: ShopDb, opts: CliOptions): Promise<number> {
  const list = [];
  for await (const p of passportList(db)) {
    list.push({
      productTitle: p.productTitle,
      variantTitle: p.variantTitle,
      sku: p.sku,
      gtin: p.gtin,
      publicId: p.publicId,
      url: p.url,
      digitalLinkUrl: p.digitalLinkUrl,
      qrSvgUrl: p.qrSvgUrl,
      qrPngUrl: p.qrPngUrl,
      version: p.version,
      completeness: p.completeness,
      // Held back by the merchant, or the product is a draft: its URLs answer 404 until published.
      published: !p.held,
    });
  }
  const human = list.map((p) => `${p.productTitle} — ${p.variantTitle || p.sku || ""}: ${p.url} (v${p.version}, ${p.completeness}% complete${p.published ? "" : ", not published"})`);
  out(opts, list, human.join("\n") || "No passports yet.");
  return 0;
}

async function qr(db: ShopDb, opts: CliOptions): Promise<number> {
  if (!opts.out) throw new MerchantError("qr needs --out <file.zip>", true);
  const file = operatorPath(opts.out);
  const result = await writeQrZip(db, await outputFile(file), (n) => log(`${n} QR codes…`));
  out(opts, { file, passports: result.passports }, `Wrote ${result.passports} QR codes (SVG and PNG) and labels.csv to ${file}`);
  return 0;
}

async function integrations(db: ShopDb, opts: CliOptions): Promise<number> {
  const connected = (await listIntegrations(db)).map((i) => ({
    id: i.id,
    kind: i.kind,
    role: i.role,
    status: i.status,
    error: i.error,
    interval: i.interval,
    lastSyncAt: i.lastSyncAt,
    nextSyncAt: i.nextSyncAt,
  }));
  out(
    opts,
    { available: INTEGRATION_KINDS.map((k) => k.kind), connected },
    connected.map((i) => `${i.kind} (${i.role}): ${i.status}${i.error ? ` — ${i.error}` : ""}, last sync ${i.lastSyncAt ?? "never"}`).join("\n") || "No integrations connected.",
  );
  return 0;
}

async function promote(db: ShopDb, opts: CliOptions): Promise<number> {
  if (!opts.integration) throw new MerchantError("promote needs --integration <kind> (the integration to make primary)", true);
  const dryRun = opts["dry-run"] === true;
  const summary = await promoteIntegration(db, opts.integration, { dryRun }).catch((error: unknown) => {
    throw dryRun ? new MerchantError(previewFailureMessage(error), true) : error;
  });
  // A promotion regroups nothing itself (the new primary's next full run does): it says when.
  const human = !summary.dryRun
    ? promotedMessage(summary)
    : `Preview: promoting ${summary.integration} to primary. ${
        summary.previewed
          ? `${summary.productsSplit} products split, ${summary.productsMerged} merged, ${summary.productsCreated} created, ${summary.productsArchived} archived; ${summary.variantsMoved} variants regrouped, ${summary.variantsUnmatched} unmatched.`
          : "Its structure applies with its next upload."
      }`;
  out(opts, { promotion: summary }, human);
  return 0;
}

export async function runCommand(command: Command, shop: string, args: string[], opts: CliOptions): Promise<number> {
  // A mistyped shop would otherwise look like an empty one (or get an Excel integration of its own).
  if (!(await rootDb.shop.findUnique({ where: { shop }, select: { shop: true } }))) {
    throw new MerchantError(`${shop} has not installed Passport (it is not in this database: check --shop and DATABASE_URL)`, true);
  }
  const db = forShop(shop);
  switch (command) {
    case "sync":
      return sync(db, opts);
    case "import":
      return importFile(db, args[0], opts);
    case "export":
      return exportFile(db, opts);
    case "passports":
      return passports(db, opts);
    case "qr":
      return qr(db, opts);
    case "integrations":
      return integrations(db, opts);
    case "promote":
      return promote(db, opts);
  }
}
