// Sync requests → the job queue → runs. Requests ("Sync now", schedule, webhooks) are merged per
// integration in Integration.pendingScope, and the queue runs one job per integration at a time:
// a request made while a run goes is run right after it by the same job, never lost, never run
// twice. The request a run works on stays recorded (Integration.runningScope) until the run ends,
// so a run cut short by a crash or restart runs again when the queue retries its job. The queue
// can hand a job out twice at once (pg-boss retries a job that outlived its expiry; the database
// queue one whose worker missed its heartbeats): a request is taken by one run, in one conditional
// update that names the run (Integration.runningRunId), and only that run settles it (takeRequest).
import type { Db } from "../db.server";
import { forShop, type ShopDb, type ShopTx } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { integrationKind } from "../integrations/kinds";
import { setPaused } from "../integrations/integrations.server";
import { sourceFor } from "../integrations/sources.server";
import { executeSync } from "../sync/engine.server";
import type { SourceBatch } from "../sync/records";
import { afterCatalogChange, CatalogChanges, type AfterRunResult } from "../integrations/shopify/after-run.server";
import { newRowId } from "../db/ids";
import { closeStaleRuns, hasLiveRun, keepRunAlive, RUN_STALE_MS, RunTakenOver, startingRun, type RunTrigger } from "../sync/runs.server";
import type { JobOutcome, JobQueue, QueuedJob } from "./queue";

export type SyncScope = "full" | "partial";

interface SyncRequest {
  scope: SyncScope;
  trigger: RunTrigger;
}

/** "full" beats "partial". */
function mergedScope(a: string | null, b: string | null): SyncScope {
  return a === "full" || b === "full" ? "full" : "partial";
}

/** Asks for a sync of an integration. Returns false when the integration does not sync now. */
export async function requestSync(queue: JobQueue, db: ShopDb, integrationId: string, trigger: RunTrigger, scope: SyncScope): Promise<boolean> {
  const integration = await db.integration.findUnique({ where: { id: integrationId } });
  if (!integration || integration.status === "disconnected") return false;
  await addToPending(db, integrationId, { scope, trigger });
  // Paused integrations keep the request (and their webhook events) until they are resumed.
  if (integration.status === "paused") return false;
  await queue.send({ shop: db.shopDomain, key: integrationId });
  return true;
}

/**
 * Merges a request into the integration's waiting one (compare-and-set on the waiting one, so
 * requests made at the same moment all count). A request given back by the run that took it
 * (`takenBy`) is the older one, whose trigger is kept, and stops running in the same update; not
 * when another run has taken it over since (that run settles it).
 */
async function addToPending(db: ShopDb, integrationId: string, request: SyncRequest, takenBy?: string): Promise<void> {
  for (;;) {
    const row = await db.integration.findUnique({ where: { id: integrationId }, select: { pendingScope: true, pendingTrigger: true, pendingSince: true, runningRunId: true } });
    if (!row || (takenBy !== undefined && row.runningRunId !== takenBy)) return;
    const merged = await db.integration.updateMany({
      where: { id: integrationId, pendingScope: row.pendingScope, pendingSince: row.pendingSince, ...(takenBy === undefined ? {} : { runningRunId: takenBy }) },
      data: takenBy === undefined ? pendingWith(row, request, "newer") : { ...pendingWith(row, request, "older"), ...NOT_RUNNING },
    });
    if (merged.count === 1) return;
  }
}

/** The waiting request's columns with `request` merged in. */
function pendingWith(row: { pendingScope: string | null; pendingTrigger: string | null; pendingSince: Date | null }, request: SyncRequest, age: "newer" | "older") {
  return {
    pendingScope: mergedScope(row.pendingScope, request.scope),
    pendingTrigger: age === "older" ? request.trigger : (row.pendingTrigger ?? request.trigger),
    pendingSince: row.pendingSince ?? new Date(),
  };
}

/** No request running. */
const NOT_RUNNING = { runningScope: null, runningTrigger: null, runningRunId: null, runningSince: null };

/** A request taken for a run, and the run (recorded as it is taken: see takeRequest). */
interface TakenRequest extends SyncRequest {
  runId: string;
}

/**
 * Takes the waiting request for a run: it moves to runningScope/runningTrigger, merged with a
 * request an interrupted run left there, and names the run that takes it (runningRunId), in one
 * compare-and-set on what was read: of two workers that read the same row, one takes it, and a
 * request made meanwhile waits for the next run. The run is recorded right after (running, its
 * heartbeat fresh), before its source is asked for anything. A request taken by a run that still
 * goes is not taken again: "busy" (the other worker's run settles it, or its job's retry runs it).
 * The request stays there until the run ends: a crash mid-run leaves it for the retry.
 */
async function takeRequest(db: ShopDb, integrationId: string, attempt: number): Promise<TakenRequest | "busy" | null> {
  for (;;) {
    const row = await db.integration.findUnique({
      where: { id: integrationId },
      select: { pendingScope: true, pendingTrigger: true, pendingSince: true, runningScope: true, runningTrigger: true, runningRunId: true, runningSince: true },
    });
    if (!row || (!row.pendingScope && !row.runningScope)) return null;
    if (await takenByLiveRun(db, row)) return "busy";
    const request: SyncRequest = {
      scope: mergedScope(row.runningScope, row.pendingScope),
      trigger: (row.runningTrigger ?? row.pendingTrigger ?? "manual") as RunTrigger,
    };
    const runId = newRowId();
    const taken = await db.integration.updateMany({
      where: { id: integrationId, pendingScope: row.pendingScope, pendingSince: row.pendingSince, runningScope: row.runningScope, runningRunId: row.runningRunId },
      data: { pendingScope: null, pendingTrigger: null, pendingSince: null, runningScope: request.scope, runningTrigger: request.trigger, runningRunId: runId, runningSince: new Date() },
    });
    if (taken.count === 0) continue;
    try {
      await db.syncRun.create({ data: { id: runId, shop: db.shopDomain, integrationId, trigger: request.trigger, ...startingRun({ scope: request.scope, attempt }) } });
    } catch (error) {
      await returnRequest(db, integrationId, { ...request, runId }).catch(() => undefined); // (else it waits RUN_STALE_MS)
      throw error;
    }
    return { ...request, runId };
  }
}

/**
 * Whether the run that took the running request still goes: recorded and its heartbeat fresh, or
 * not recorded yet and taken less than RUN_STALE_MS ago (its worker records it right after the take).
 */
async function takenByLiveRun(db: ShopDb, row: { runningScope: string | null; runningRunId: string | null; runningSince: Date | null }, now = new Date()): Promise<boolean> {
  if (!row.runningScope || !row.runningRunId) return false;
  const aliveSince = now.getTime() - RUN_STALE_MS;
  const run = await db.syncRun.findUnique({ where: { id: row.runningRunId }, select: { status: true, heartbeatAt: true } });
  if (run) return run.status === "running" && (run.heartbeatAt?.getTime() ?? 0) >= aliveSince;
  return (row.runningSince?.getTime() ?? 0) >= aliveSince;
}

/**
 * The run is over (done, or failed for good): its request is settled. Only by the run that took
 * it: 0 when another run has taken it over since (this one was taken for stopped).
 */
async function finishRequest(db: ShopDb | ShopTx, integrationId: string, runId: string): Promise<number> {
  const finished = await db.integration.updateMany({ where: { id: integrationId, runningRunId: runId }, data: NOT_RUNNING });
  return finished.count;
}

/** The run failed and is retried: its request waits again, ahead of any made meanwhile (addToPending). */
async function returnRequest(db: ShopDb, integrationId: string, request: TakenRequest): Promise<void> {
  await addToPending(db, integrationId, request, request.runId);
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

/**
 * A job handed out while the integration's run still goes elsewhere (or its request was just taken
 * by another try of the job): nothing is taken or recorded, and the queue retries the job later.
 */
export class SyncStillRunning extends Error {
  constructor() {
    super("A sync of this integration is still running in another process; this job is retried after it.");
  }
}

type SourceResolver = typeof sourceFor;

/**
 * A job runs requests made during its runs for this long after it started; then it leaves what
 * waits to a new job. An integration whose webhooks never stop (a store editing all day) would
 * otherwise hold its job, and the queue's worker, for good, and pg-boss takes a job running past
 * its expiry (an hour) for a crashed one.
 */
export const LATER_RUNS_WITHIN_MS = 15 * 60_000;

/**
 * The queue's handler: runs the waiting request of one integration, then each request made during
 * that run, one run after the other, until none waits. (The pg-boss queue leaves a request made
 * while the integration's job runs to that job: see pgboss-queue.server.ts.) Each run settles its
 * request or throws, which ends the job as before; a paused or disconnected integration stops it.
 * "more" when it stopped for its time (LATER_RUNS_WITHIN_MS) with a request waiting.
 */
export async function processSyncJob(job: QueuedJob, resolveSource: SourceResolver = sourceFor, laterRunsWithinMs = LATER_RUNS_WITHIN_MS): Promise<JobOutcome> {
  const db = forShop(job.shop);
  const started = Date.now();
  let ran = await runWaitingRequest(db, job, "first", resolveSource);
  // A later request is a new one, on its first try: failing, it waits again (returnRequest) and
  // the job's retry takes it; if the job has no retry left, requeueWaitingRequests sends it again.
  const later: QueuedJob = { ...job, attempt: 1, lastAttempt: false };
  while (ran) {
    if (Date.now() - started >= laterRunsWithinMs) return (await hasWaitingRequest(db, job.key)) ? "more" : undefined;
    ran = await runWaitingRequest(db, later, "later", resolveSource);
  }
}

async function hasWaitingRequest(db: ShopDb, integrationId: string): Promise<boolean> {
  const integration = await db.integration.findUnique({ where: { id: integrationId }, select: { pendingScope: true } });
  return !!integration?.pendingScope;
}

/** Runs the integration's waiting request, if it has one and syncs now. False when nothing ran. */
async function runWaitingRequest(db: ShopDb, job: QueuedJob, turn: "first" | "later", resolveSource: SourceResolver): Promise<boolean> {
  const integration = await db.integration.findUnique({ where: { id: job.key } });
  if (!integration || integration.status === "paused" || integration.status === "disconnected") return false;
  // A queue can hand a job out again while its first try still runs (pg-boss re-runs a job that
  // outlives its expiry): one run per integration at a time, so this one waits. After this job's
  // own run, such a run is its retry, which takes what waits. (A run that is not a job's, a
  // preview, counts too.) Two tries that both get past this check meet in takeRequest.
  const busy = () => {
    if (turn === "first") throw new SyncStillRunning();
    return false;
  };
  if (await hasLiveRun(db, integration.id)) return busy();
  // A run left by a stopped process is closed before its request runs again.
  await closeStaleRuns(db, integration.id);
  const request = await takeRequest(db, integration.id, job.attempt);
  if (request === "busy") return busy();
  if (!request) return false;
  const { runId } = request;
  const changes = CatalogChanges.forRun(request.scope);
  // The run is recorded (takeRequest); its heartbeat goes from now, while its source is made too.
  const stopHeartbeat = keepRunAlive(db, runId);
  try {
    await executeSync({
      shop: job.shop,
      integrationId: integration.id,
      trigger: request.trigger,
      runId,
      attempt: job.attempt,
      retriedOnFailure: !job.lastAttempt, // (see the catch below)
      // (A Shopify run's records are watched for the values pushed to Shopify: see CatalogChanges.)
      source: async () => changes.watchRecords(db, integration, settlingRequest(await resolveSource(db, integration, request), integration.id, runId)),
      onChanges: (part) => changes.add(part),
    });
  } catch (error) {
    // Taken over by another run while this one was taken for stopped: the request and the job are
    // that run's now (failing this job would fail the same job under pg-boss, which knows it by id).
    if (error instanceof RunTakenOver) return false;
    if (error instanceof MerchantError && error.permanent) {
      await finishRequest(db, integration.id, runId); // retrying cannot help: the run says what to do
      return true;
    }
    // Retried, the request waits again. Given up, it is settled: returned, it would look lost to
    // requeueWaitingRequests and start over every ten minutes for as long as the fault lasts.
    // The schedule, "Sync now" and webhooks ask again (the webhooks' events stay waiting).
    if (job.lastAttempt) await finishRequest(db, integration.id, runId);
    else await returnRequest(db, integration.id, request);
    throw error;
  } finally {
    stopHeartbeat();
  }
  // The request was settled when the run was applied (settlingRequest).
  await reportAfterRun(db, runId, await afterCatalogChange(db, changes, integration.id));
  return true;
}

/**
 * The source's batch, whose run settles its request in the transaction that applies it: the run
 * ends and its request is settled together. A job retried meanwhile (its worker missed
 * heartbeats) would otherwise find the run over and its request still running, and run it again.
 * A run whose request another run has taken over meanwhile applies nothing (RunTakenOver).
 */
function settlingRequest(batch: SourceBatch, integrationId: string, runId: string): SourceBatch {
  return {
    ...batch,
    onCommit: async (tx) => {
      if ((await finishRequest(tx, integrationId, runId)) === 0) throw new RunTakenOver();
      await batch.onCommit?.(tx);
    },
  };
}

/** Resumes a paused integration; what was asked for while it was paused runs now. */
export async function resumeSyncs(queue: JobQueue, db: ShopDb, integrationId: string): Promise<void> {
  const integration = await setPaused(db, integrationId, false);
  if (integration.pendingScope || integration.runningScope) await queue.send({ shop: db.shopDomain, key: integration.id });
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

/** A request waiting longer than this without a run is sent to the queue again (requeueWaitingRequests). */
export const REQUEST_LOST_AFTER_MS = 10 * 60_000;

/**
 * Requests that have waited too long are sent to the queue again. A request waits in the
 * integration (pendingScope) and its job in the queue; a job can be lost while its request stays:
 * pg-boss gives up on a job whose retries all found the integration's run still going (a run that
 * outlasts its expiry), and a request made meanwhile had been merged into that job. So is a
 * request taken by a run whose process stopped on its job's last try (runningScope, its run no
 * longer live): no retry is left to run it. Sending again is harmless: a job already waiting for
 * the integration takes it in.
 */
export async function requeueWaitingRequests(queue: JobQueue, client: Db, now = new Date(), lostAfterMs = REQUEST_LOST_AFTER_MS): Promise<number> {
  const before = new Date(now.getTime() - lostAfterMs);
  const candidates = await client.integration.findMany({
    where: { status: { in: ["active", "error"] }, OR: [{ pendingSince: { lte: before } }, { runningScope: { not: null }, runningSince: { lte: before } }] },
    select: { id: true, shop: true, pendingSince: true, runningScope: true, runningRunId: true, runningSince: true },
  });
  let sent = 0;
  for (const integration of candidates) {
    const waitedTooLong = integration.pendingSince !== null && integration.pendingSince <= before;
    if (!waitedTooLong && (await takenByLiveRun(forShop(integration.shop), integration, now))) continue;
    await queue.send({ shop: integration.shop, key: integration.id });
    sent++;
  }
  return sent;
}

/**
 * Runs left "running" by a process that died are closed as failed (their job is retried); a
 * preview worked out in the background says so (nothing retries it: the merchant starts it again).
 */
export async function closeInterruptedRuns(client: Db, staleMs = RUN_STALE_MS): Promise<number> {
  return closeStaleRuns(client, undefined, staleMs);
}
