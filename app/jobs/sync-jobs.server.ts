// Sync requests → the job queue → runs. Requests ("Sync now", schedule, webhooks) are merged per
// integration in Integration.pendingScope, and the queue runs one job per integration at a time:
// a request made while a run goes is picked up right after it, never lost, never run twice.
import type { Db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { integrationKind } from "../integrations/kinds";
import { setPaused } from "../integrations/integrations.server";
import { sourceFor } from "../integrations/sources.server";
import { executeSync } from "../sync/engine.server";
import { afterCatalogChange, CatalogChanges, type AfterRunResult } from "../integrations/shopify/after-run.server";
import type { RunTrigger } from "../sync/runs.server";
import type { JobQueue, QueuedJob } from "./queue";

export type SyncScope = "full" | "partial";

/** Asks for a sync of an integration. Returns false when the integration does not sync now. */
export async function requestSync(queue: JobQueue, db: ShopDb, integrationId: string, trigger: RunTrigger, scope: SyncScope): Promise<boolean> {
  const integration = await db.integration.findUnique({ where: { id: integrationId } });
  if (!integration || integration.status === "disconnected") return false;
  // "full" beats "partial"; the first trigger of the waiting request is kept.
  const nextScope = integration.pendingScope === "full" || scope === "full" ? "full" : "partial";
  await db.integration.update({
    where: { id: integrationId },
    data: { pendingScope: nextScope, pendingTrigger: integration.pendingTrigger ?? trigger, pendingSince: integration.pendingSince ?? new Date() },
  });
  // Paused integrations keep the request (and their webhook events) until they are resumed.
  if (integration.status === "paused") return false;
  await queue.send({ shop: db.shopDomain, key: integrationId });
  return true;
}

/** Atomically takes the waiting request of an integration (compare-and-set on pendingSince). */
async function takePending(db: ShopDb, integrationId: string): Promise<{ scope: SyncScope; trigger: RunTrigger } | null> {
  for (;;) {
    const row = await db.integration.findUnique({ where: { id: integrationId }, select: { pendingScope: true, pendingTrigger: true, pendingSince: true } });
    if (!row?.pendingScope || !row.pendingSince) return null;
    const taken = await db.integration.updateMany({
      where: { id: integrationId, pendingSince: row.pendingSince, pendingScope: row.pendingScope },
      data: { pendingScope: null, pendingTrigger: null, pendingSince: null },
    });
    if (taken.count === 1) return { scope: row.pendingScope === "full" ? "full" : "partial", trigger: (row.pendingTrigger ?? "manual") as RunTrigger };
  }
}

/** Problems writing back to Shopify are added to the run's warnings (the run itself succeeded). */
async function reportAfterRun(db: ShopDb, runId: string, result: AfterRunResult): Promise<void> {
  if (result.problems.length === 0) return;
  const run = await db.syncRun.findUnique({ where: { id: runId }, select: { details: true } });
  if (!run) return;
  const details = JSON.parse(run.details) as { warnings?: { externalId: string; message: string }[] };
  details.warnings = [...(details.warnings ?? []), ...result.problems.map((message) => ({ externalId: "shopify", message }))];
  await db.syncRun.update({ where: { id: runId }, data: { details: JSON.stringify(details) } });
}

/** Puts a request back (the run failed and will be retried). */
async function restorePending(db: ShopDb, integrationId: string, request: { scope: SyncScope; trigger: RunTrigger }): Promise<void> {
  const row = await db.integration.findUnique({ where: { id: integrationId }, select: { pendingScope: true, pendingSince: true } });
  if (!row) return;
  await db.integration.update({
    where: { id: integrationId },
    data: {
      pendingScope: row.pendingScope === "full" || request.scope === "full" ? "full" : "partial",
      pendingTrigger: request.trigger,
      pendingSince: row.pendingSince ?? new Date(),
    },
  });
}

type SourceResolver = typeof sourceFor;

/** The queue's handler: runs the waiting request of one integration. */
export async function processSyncJob(job: QueuedJob, resolveSource: SourceResolver = sourceFor): Promise<void> {
  const db = forShop(job.shop);
  const integration = await db.integration.findUnique({ where: { id: job.key } });
  if (!integration || integration.status === "paused" || integration.status === "disconnected") return;
  const request = await takePending(db, integration.id);
  if (!request) return;
  try {
    const changes = new CatalogChanges();
    const { runId } = await executeSync({
      shop: job.shop,
      integrationId: integration.id,
      trigger: request.trigger,
      attempt: job.attempt,
      source: () => resolveSource(db, integration, request),
      onChanges: (part) => changes.add(part),
    });
    await reportAfterRun(db, runId, await afterCatalogChange(db, changes, integration.id));
  } catch (error) {
    if (error instanceof MerchantError && error.permanent) return; // retrying cannot help: the run says what to do
    await restorePending(db, integration.id, request);
    throw error;
  }
}

/** Resumes a paused integration; what was asked for while it was paused runs now. */
export async function resumeSyncs(queue: JobQueue, db: ShopDb, integrationId: string): Promise<void> {
  const integration = await setPaused(db, integrationId, false);
  if (integration.pendingScope) await queue.send({ shop: db.shopDomain, key: integration.id });
}

/**
 * The schedule: every active integration that syncs on a schedule gets a full run when its next
 * sync time has come. Safe to run on several instances at once (requests merge).
 */
export async function enqueueDueSyncs(queue: JobQueue, client: Db, now = new Date()): Promise<number> {
  const due = await client.integration.findMany({
    where: { status: { in: ["active", "error"] }, nextSyncAt: { lte: now } },
    select: { id: true, shop: true, kind: true, syncIntervalMinutes: true },
  });
  let count = 0;
  for (const integration of due) {
    if (!integrationKind(integration.kind)?.syncsOnSchedule) continue;
    const db = forShop(integration.shop, client);
    // Move the next time forward at once, so the schedule does not ask again while this one waits.
    await db.integration.update({ where: { id: integration.id }, data: { nextSyncAt: new Date(now.getTime() + integration.syncIntervalMinutes * 60_000) } });
    if (await requestSync(queue, db, integration.id, "scheduled", "full")) count++;
  }
  return count;
}

/** Runs left "running" by a process that died are closed as failed (their job is retried). */
export async function closeInterruptedRuns(client: Db, staleMs = 10 * 60_000): Promise<number> {
  const closed = await client.syncRun.updateMany({
    where: { status: "running", heartbeatAt: { lt: new Date(Date.now() - staleMs) } },
    data: { status: "failed", phase: null, finishedAt: new Date(), message: "The sync was interrupted (the app stopped while it ran). It is retried automatically." },
  });
  return closed.count;
}
