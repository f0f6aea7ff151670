// One sync run: records from an integration adapter → merge (by the rules) → the catalog, in ONE
// transaction → a recorded run. The run is merged and applied batch by batch inside that
// transaction, so memory holds one batch's changes, not the whole run's; the passports of what it
// touched are regenerated at the end. A run that fails before its transaction commits leaves the
// catalog exactly as it was. A dry run (a preview) merges the same way and writes nothing.
import { newRowId } from "../db/ids";
import { forShop, type ShopDb, type ShopTx } from "../db/scoped.server";
import { MerchantError, merchantMessage } from "../errors";
import type { IntegrationRow } from "../integrations/integrations.server";
import { integrationKind, kindLabel } from "../integrations/kinds";
import { shopSettings } from "../shop-settings.server";
import { loadOwnership } from "../ownership/ownership.server";
import { addAffectedEntities, noAffectedEntities, regeneratePassports } from "../passports/passports.server";
import { applyChangeSet, type ApplyContext } from "./apply.server";
import { addToReport, emptyChangeSet, emptyReport, finishRun, mergeRecords, newRunState, type ChangeSet, type MergeContext, type RunReport } from "./merge";
import type { SourceBatch, SourceRecord } from "./records";
import { completeRun, failRun, keepRunAlive, RunTakenOver, startRun, updateRunProgress, type RunTrigger } from "./runs.server";
import { SliceLoader } from "./slice.server";

/** Records merged (and applied) per step. */
const BATCH = 1000;

export interface SyncOptions {
  shop: string;
  integrationId: string;
  trigger: RunTrigger;
  /** Where the records come from: called once the run is recorded, so fetch failures are recorded too. */
  source: () => Promise<SourceBatch>;
  /** Secondary only: create products for records that match nothing. */
  createUnmatched?: boolean;
  /** Merge and report without writing anything (a preview). */
  dryRun?: boolean;
  /** Merge as this role instead of the integration's own (the preview of a promotion). */
  roleOverride?: "primary";
  /** Take over a run that was recorded before (queued upload, retried job). */
  runId?: string;
  attempt?: number;
  /** A failure other than a permanent one is retried: the caller runs the same request again (a job with tries left). */
  retriedOnFailure?: boolean;
  /**
   * Called with each batch's changes: once merged in a dry run, once written in a run (inside its
   * transaction). Callers collect what they need here (a preview's list of changes, what the
   * Shopify write-back pushes) instead of the engine holding a large run's changes. A run that
   * then fails is rolled back: use what was collected only once it succeeded.
   */
  onChanges?: (changes: ChangeSet) => void;
  /** How often the run writes its heartbeat while it goes (default RUN_HEARTBEAT_MS). */
  heartbeatMs?: number;
}

export interface SyncOutcome {
  runId: string;
  report: RunReport;
  /** Variants the run's records resolved to. */
  coveredVariants: number;
}

export async function executeSync(options: SyncOptions): Promise<SyncOutcome> {
  const db = forShop(options.shop);
  let integration: IntegrationRow | undefined;
  let runId = options.runId;
  let batch: SourceBatch | undefined;
  // The run's heartbeat is written on a timer, not only per batch: a run waiting for its source
  // (a bulk export) for hours is alive, and closeInterruptedRuns must not close it.
  let stopHeartbeat = () => {};
  try {
    // Inside the try: a run given by the caller (runId) is failed, not left running, when these fail.
    integration = await db.integration.findUniqueOrThrow({ where: { id: options.integrationId } });
    const shop = await shopSettings(db);
    batch = await options.source();
    runId = await startRun(db, { runId, integrationId: integration.id, trigger: options.trigger, scope: batch.scope, total: batch.total, attempt: options.attempt });
    await batch.onRunStarted?.(runId);
    stopHeartbeat = keepRunAlive(db, runId, options.heartbeatMs);
    const started: StartedRun = { db, runId, options, batch };
    // The first batch is read before any transaction opens: a source that waits (a Shopify bulk
    // export) does so without holding the database's write lock.
    const batches = inBatches(batch.records, BATCH);
    const first = await batches.next();

    if (options.dryRun) {
      const ctx = await mergeContext(db, started);
      const { report, coveredVariants } = await mergeBatches(db, started, ctx, { first, rest: batches }, "merging", async (changes) => options.onChanges?.(changes));
      await completeRun(db, runId, report, "preview", undefined, batch.warnings);
      return { runId, report, coveredVariants };
    }

    const now = new Date();
    const applyContext: ApplyContext = {
      shop: options.shop,
      sourceId: integration.id,
      sourceLabel: integrationLabel(integration.kind, options.trigger),
      runId,
      primaryLocale: shop.primaryLocale,
      now,
    };
    const outcome = await db
      .$transaction((tx) => applyRun(tx, started, { first, rest: batches }, applyContext, options.onChanges), { timeout: 30 * 60_000 })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return error.outcome;
        throw error;
      });
    if (outcome.refused) {
      // All or nothing: the transaction was rolled back; the run keeps the errors.
      const { errors } = outcome.report;
      const message = `Nothing was saved: ${errors.length} ${errors.length === 1 ? "record has" : "records have"} a problem (see the errors). Fix them and try again.`;
      await completeRun(db, runId, outcome.report, "failed", message, batch.warnings);
      throw new RunRefused(message);
    }
    await recordSuccess(db, integration.id, integration.syncIntervalMinutes, batch.scope);
    await batch.afterRun?.({ ok: true, runId });
    return { runId, report: outcome.report, coveredVariants: outcome.coveredVariants };
  } catch (error) {
    // A run taken over is another run's work now: no failure of the integration, and its source
    // hears nothing of it (an upload follows the run that took over).
    const takenOver = error instanceof RunTakenOver;
    if (!(error instanceof RunRefused)) {
      // (A refused all-or-nothing run is already recorded, with its errors.) The integration's
      // health is recorded first: whoever sees the run failed sees the integration's state too.
      // A preview that fails says nothing about the integration's health.
      if (integration && !options.dryRun && !(error instanceof RunCancelled) && !takenOver) {
        await recordFailure(db, integration.id, merchantMessage(error), error instanceof MerchantError && error.permanent);
      }
      runId = (await failRun(db, runId ?? null, { integrationId: options.integrationId, trigger: options.trigger, attempt: options.attempt }, error)).runId;
    }
    const retried = options.retriedOnFailure === true && !(error instanceof MerchantError && error.permanent);
    if (!takenOver) await batch?.afterRun?.({ ok: false, runId: runId ?? null, retried, error });
    throw error;
  } finally {
    stopHeartbeat();
  }
}

interface StartedRun {
  db: ShopDb;
  runId: string;
  options: SyncOptions;
  batch: SourceBatch;
}

/**
 * How the run merges: the integration's role and identifier and the shop's field owners as they
 * are when its records are there, read by its transaction (`reader`). A Shopify run waits for its
 * bulk export, maybe for minutes: what was read before would be what the merchant changed since
 * (a field switched off and edited by hand would be overwritten; a promotion ignored).
 */
async function mergeContext(reader: ShopDb | ShopTx, { options, batch }: StartedRun): Promise<MergeContext> {
  const integration = await reader.integration.findUniqueOrThrow({ where: { id: options.integrationId } });
  if (integration.status === "disconnected" && !options.dryRun) {
    throw new MerchantError(`${kindLabel(integration.kind)} was disconnected while this sync was running, so nothing was saved.`, true);
  }
  const ownership = await loadOwnership(reader);
  const primary = await reader.integration.findFirst({ where: { primaryOfShop: options.shop }, select: { id: true } });
  const role = options.roleOverride ?? (integration.primaryOfShop ? "primary" : "secondary");
  return {
    integration: {
      id: integration.id,
      role,
      matchBy: integration.matchBy === "barcode" ? "barcode" : "sku",
      createUnmatched: role === "secondary" && (options.createUnmatched ?? batch.createUnmatched) === true,
    },
    primaryId: options.roleOverride ? integration.id : (primary?.id ?? null),
    ownership,
    newId: newRowId,
    valuesChecked: batch.valuesChecked,
  };
}

interface Batches {
  first: IteratorResult<SourceRecord[]>;
  rest: AsyncIterator<SourceRecord[]>;
}

/**
 * The batch loop of a run or a preview: each batch merged against the catalog as `reader` sees
 * it, then handed to `handle`; at the end what the run did not see is archived (finishRun).
 */
async function mergeBatches(
  reader: ShopDb | ShopTx,
  { db, runId, batch }: StartedRun,
  ctx: MergeContext,
  batches: Batches,
  phase: "merging" | "applying",
  handle: (changes: ChangeSet) => Promise<void>,
): Promise<{ report: RunReport; coveredVariants: number; processed: number }> {
  const loader = new SliceLoader(reader, ctx.integration, batch.scope);
  await loader.start();
  const state = newRunState(batch.scope);
  const report = emptyReport();
  const take = async (changes: ChangeSet) => {
    addToReport(report, changes);
    await handle(changes);
  };
  let processed = 0;
  for (let next = batches.first; !next.done; next = await batches.rest.next()) {
    const records = next.value;
    await loader.load(records);
    await take(mergeRecords(records, ctx, loader.slice, state));
    processed += records.length;
    await updateRunProgress(db, runId, { processed, phase });
  }
  await loader.loadDeleted(batch.deletedExternalIds ?? []);
  await take(finishRun(ctx, loader.slice, state, emptyChangeSet(), batch.deletedExternalIds));
  return { report, coveredVariants: state.claimedVariants.size, processed };
}

/**
 * The run inside its transaction: each batch is written as soon as it is merged; then the
 * passports of everything touched are regenerated and the run is recorded. An all-or-nothing run
 * with a failed record stops writing, still merges the rest (to report every error), and is
 * rolled back, returning `refused`.
 */
async function applyRun(tx: ShopTx, started: StartedRun, batches: Batches, applyContext: ApplyContext, onChanges: SyncOptions["onChanges"]): Promise<AppliedRun> {
  const { db, runId, batch } = started;
  const ctx = await mergeContext(tx, started);
  await batch.beforeApply?.(tx);
  const affected = noAffectedEntities();
  let refused = false;
  const { report, coveredVariants, processed } = await mergeBatches(tx, started, ctx, batches, "applying", async (changes) => {
    refused ||= batch.atomic === true && changes.errors.length > 0;
    if (refused) return;
    await applyChangeSet(tx, changes, applyContext);
    addAffectedEntities(affected, changes);
    onChanges?.(changes);
  });
  if (refused) throw new Rollback({ report, coveredVariants, refused });

  await updateRunProgress(db, runId, { processed, phase: "passports" });
  await regeneratePassports(tx, applyContext.shop, affected, applyContext.now);
  await batch.onCommit?.(tx);
  await completeRun(tx, runId, report, "succeeded", undefined, batch.warnings);
  return { report, coveredVariants, refused };
}

async function* inBatches(records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>, size: number): AsyncGenerator<SourceRecord[]> {
  let batch: SourceRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

interface AppliedRun {
  report: RunReport;
  coveredVariants: number;
  refused: boolean;
}

/** Thrown inside the transaction to roll it back, carrying what the run found. */
class Rollback extends Error {
  constructor(readonly outcome: AppliedRun) {
    super("The run's changes were rolled back");
  }
}

/**
 * A run its source refused before writing anything, because what its records were checked
 * against has changed (an import's preview the catalog has moved past): nothing is saved, the run
 * says why, and the integration is not in error for it.
 */
export class RunCancelled extends MerchantError {
  constructor(message: string) {
    super(message, true);
  }
}

/** An all-or-nothing run refused because records failed; the run already holds the errors. */
export class RunRefused extends MerchantError {
  constructor(message: string) {
    super(message, true);
  }
}

/** How history and run lists name a writer. */
export function integrationLabel(kind: string, trigger: RunTrigger): string {
  const name = kindLabel(kind);
  return trigger === "upload" ? `${name} upload` : name;
}

/** After this many failed runs in a row an integration shows as "error". */
export const FAILURES_BEFORE_ERROR = 3;

async function recordSuccess(db: ShopDb, integrationId: string, intervalMinutes: number, scope: SourceBatch["scope"]): Promise<void> {
  const now = new Date();
  // Only a full run puts the next scheduled (full) one off: a store whose webhooks come every few
  // minutes would otherwise never get one, and only a full run archives what vanished.
  const nextFull = scope === "full" ? { nextSyncAt: new Date(now.getTime() + intervalMinutes * 60_000) } : {};
  await db.integration.updateMany({ where: { id: integrationId }, data: { lastSyncAt: now, consecutiveFailures: 0, ...nextFull } });
  // Recovery: a successful run clears the error state.
  await db.integration.updateMany({ where: { id: integrationId, status: "error" }, data: { status: "active", statusMessage: null } });
}

/** Repeated failures, or one the merchant must act on (reconnect), show the integration as "error". */
async function recordFailure(db: ShopDb, integrationId: string, message: string, permanent: boolean): Promise<void> {
  const integration = await db.integration.update({ where: { id: integrationId }, data: { consecutiveFailures: { increment: 1 } } });
  // Only a success sets the next scheduled sync: one that has never succeeded (its first sync
  // failed) has none, and the schedule would never try it again.
  if (integration.nextSyncAt === null && integrationKind(integration.kind)?.syncsOnSchedule) {
    await db.integration.updateMany({ where: { id: integrationId, nextSyncAt: null }, data: { nextSyncAt: new Date(Date.now() + integration.syncIntervalMinutes * 60_000) } });
  }
  if ((permanent || integration.consecutiveFailures >= FAILURES_BEFORE_ERROR) && integration.status === "active") {
    await db.integration.update({ where: { id: integrationId }, data: { status: "error", statusMessage: message } });
  }
}
