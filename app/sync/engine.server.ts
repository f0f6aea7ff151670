// One sync run: records from an integration adapter → merge (by the rules) → one transaction that
// applies the change set and regenerates the passports it touched → a recorded run. A run that
// fails before its transaction commits leaves the catalog exactly as it was.
import { randomUUID } from "node:crypto";
import { forShop, type ShopDb } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { integrationKind } from "../integrations/kinds";
import { shopSettings } from "../shop-settings.server";
import { loadOwnership } from "../ownership/ownership.server";
import { regeneratePassports, affectedVariantIds } from "../passports/passports.server";
import { applyChangeSet } from "./apply.server";
import { emptyChangeSet, finishRun, mergeRecords, newRunState, type ChangeSet, type MergeIntegration } from "./merge";
import type { SourceBatch, SourceRecord } from "./records";
import { completeRun, failRun, startRun, updateRunProgress, type RunTrigger } from "./runs.server";
import { SliceLoader } from "./slice.server";

/** Records merged per database round trip. */
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
}

export interface SyncOutcome {
  runId: string;
  changes: ChangeSet;
  /** Variants the run's records resolved to. */
  coveredVariants: number;
}

export async function executeSync(options: SyncOptions): Promise<SyncOutcome> {
  const db = forShop(options.shop);
  const integration = await db.integration.findUniqueOrThrow({ where: { id: options.integrationId } });
  const [shop, ownership, primary] = await Promise.all([
    shopSettings(db),
    loadOwnership(db),
    db.integration.findFirst({ where: { primaryOfShop: options.shop }, select: { id: true } }),
  ]);
  const role = options.roleOverride ?? (integration.primaryOfShop ? "primary" : "secondary");

  let runId = options.runId;
  let batch: SourceBatch | undefined;
  try {
    batch = await options.source();
    const mergeIntegration: MergeIntegration = {
      id: integration.id,
      role,
      matchBy: integration.matchBy === "barcode" ? "barcode" : "sku",
      createUnmatched: role === "secondary" && (options.createUnmatched ?? batch.createUnmatched) === true,
    };
    runId = await startRun(db, { runId, integrationId: integration.id, trigger: options.trigger, scope: batch.scope, total: batch.total, attempt: options.attempt });
    const ctx = { integration: mergeIntegration, primaryId: options.roleOverride ? integration.id : (primary?.id ?? null), ownership, newId: randomUUID };
    const loader = new SliceLoader(db, mergeIntegration, batch.scope);
    await loader.start();
    const state = newRunState(batch.scope);
    const changes = emptyChangeSet();
    let processed = 0;
    for await (const records of inBatches(batch.records, BATCH)) {
      await loader.load(records);
      mergeRecords(records, ctx, loader.slice, state, changes);
      processed += records.length;
      await updateRunProgress(db, runId, { processed, phase: "merging" });
    }
    await loader.loadDeleted(batch.deletedExternalIds ?? []);
    finishRun(ctx, loader.slice, state, changes, batch.deletedExternalIds);
    if (options.dryRun) {
      await completeRun(db, runId, changes, "preview", undefined, batch.warnings);
      return { runId, changes, coveredVariants: state.claimedVariants.size };
    }
    if (batch.atomic && changes.errors.length > 0) {
      const message = `Nothing was saved: ${changes.errors.length} ${changes.errors.length === 1 ? "record has" : "records have"} a problem (see the errors). Fix them and try again.`;
      await completeRun(db, runId, changes, "failed", message, batch.warnings);
      throw new RunRefused(message);
    }

    await updateRunProgress(db, runId, { processed, phase: "applying" });
    const now = new Date();
    const finishedRunId = runId;
    const onCommit = batch.onCommit;
    const warnings = batch.warnings;
    await db.$transaction(
      async (tx) => {
        await applyChangeSet(tx, changes, {
          shop: options.shop,
          sourceId: integration.id,
          sourceLabel: integrationLabel(integration.kind, options.trigger),
          runId: finishedRunId,
          primaryLocale: shop.primaryLocale,
          now,
        });
        await regeneratePassports(tx, options.shop, affectedVariantIds(changes), now);
        await onCommit?.(tx);
        await completeRun(tx, finishedRunId, changes, "succeeded", undefined, warnings);
      },
      { timeout: 30 * 60_000, maxWait: 60_000 },
    );
    await recordSuccess(db, integration.id, integration.syncIntervalMinutes);
    await batch.afterRun?.({ ok: true, runId });
    return { runId, changes, coveredVariants: state.claimedVariants.size };
  } catch (error) {
    if (!(error instanceof RunRefused)) {
      // (A refused all-or-nothing run is already recorded, with its errors.)
      const failure = await failRun(db, runId ?? null, { integrationId: integration.id, trigger: options.trigger, attempt: options.attempt }, error);
      runId = failure.runId;
      // A preview that fails says nothing about the integration's health.
      if (!options.dryRun) await recordFailure(db, integration.id, failure.message, error instanceof MerchantError && error.permanent);
    }
    await batch?.afterRun?.({ ok: false, runId: runId ?? null });
    throw error;
  }
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

/** An all-or-nothing run refused because records failed; the run already holds the errors. */
export class RunRefused extends MerchantError {
  constructor(message: string) {
    super(message, true);
  }
}

/** How history and run lists name a writer. */
export function integrationLabel(kind: string, trigger: RunTrigger): string {
  const name = integrationKind(kind)?.label ?? kind;
  return trigger === "upload" ? `${name} upload` : name;
}

/** After this many failed runs in a row an integration shows as "error". */
export const FAILURES_BEFORE_ERROR = 3;

async function recordSuccess(db: ShopDb, integrationId: string, intervalMinutes: number): Promise<void> {
  const now = new Date();
  await db.integration.updateMany({
    where: { id: integrationId },
    data: { lastSyncAt: now, nextSyncAt: new Date(now.getTime() + intervalMinutes * 60_000), consecutiveFailures: 0 },
  });
  // Recovery: a successful run clears the error state.
  await db.integration.updateMany({ where: { id: integrationId, status: "error" }, data: { status: "active", statusMessage: null } });
}

/** Repeated failures, or one the merchant must act on (reconnect), show the integration as "error". */
async function recordFailure(db: ShopDb, integrationId: string, message: string, permanent: boolean): Promise<void> {
  const integration = await db.integration.update({ where: { id: integrationId }, data: { consecutiveFailures: { increment: 1 } } });
  if ((permanent || integration.consecutiveFailures >= FAILURES_BEFORE_ERROR) && integration.status === "active") {
    await db.integration.update({ where: { id: integrationId }, data: { status: "error", statusMessage: message } });
  }
}
