// A sync cut short by a crash or restart: the queue retries its job, and the retry runs the same
// request again (on the database queue, and on pg-boss when the tests run on PostgreSQL). A job
// handed out again while its run is still alive elsewhere does not start a second run.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import type { SourceBatch, SourceRecord } from "../sync/records";
import { DbJobQueue } from "./db-queue.server";
import { PgBossJobQueue } from "./pgboss-queue.server";
import type { JobOutcome, JobQueue, QueuedJob } from "./queue";
import { processSyncJob, requestSync, type SyncScope } from "./sync-jobs.server";
import type { RunTrigger } from "../sync/runs.server";
import { TEST_SHOP } from "../../test/support/constants";
import { until } from "../../test/support/wait";

const onPostgres = process.env.PASSPORT_TEST_DB === "postgres";
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

let shopDb: ShopDb;
let integrationId: string;
let sourceCalls: SyncScope[];
const queues: JobQueue[] = [];

beforeEach(async () => {
  await db.$transaction([db.job.deleteMany(), db.syncRun.deleteMany(), db.fieldOwnership.deleteMany(), db.integration.deleteMany()]);
  shopDb = forShop(TEST_SHOP);
  integrationId = (await connectIntegration(shopDb, "shopify")).integration.id;
  sourceCalls = [];
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

/** A source that reads nothing. */
const emptySource = async (_db: unknown, _integration: unknown, request: { scope: SyncScope }): Promise<SourceBatch> => {
  sourceCalls.push(request.scope);
  return { scope: request.scope, records: [] };
};

/** A source whose records do not come until released: the run is recorded and waits, like a bulk export. */
function waitingSource() {
  let entered!: () => void;
  let release!: () => void;
  const started = new Promise<void>((r) => (entered = r));
  const released = new Promise<void>((r) => (release = r));
  const resolve = async (_db: unknown, _integration: unknown, request: { scope: SyncScope }): Promise<SourceBatch> => {
    sourceCalls.push(request.scope);
    async function* records(): AsyncGenerator<SourceRecord> {
      entered();
      await released;
    }
    return { scope: request.scope, records: records() };
  };
  return { resolve, started, release };
}

async function integrationRequest() {
  return shopDb.integration.findUniqueOrThrow({ where: { id: integrationId }, select: { pendingScope: true, runningScope: true, lastSyncAt: true } });
}

async function runs() {
  return shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" } });
}

describe("database queue: a run interrupted by a crash", () => {
  const cases: { trigger: RunTrigger; scope: SyncScope; what: string }[] = [
    { trigger: "manual", scope: "full", what: "a Sync now" },
    { trigger: "scheduled", scope: "full", what: "a scheduled sync" },
    { trigger: "install", scope: "full", what: "the first sync after install" },
    { trigger: "webhook", scope: "partial", what: "a webhook sync" },
  ];

  it.each(cases)("runs $what again when the job is retried", async ({ trigger, scope }) => {
    const worker = new DbJobQueue(db, { pollMs: 10, staleMs: 60_000, retryDelay: () => 0 });
    queues.push(worker);
    await requestSync(worker, shopDb, integrationId, trigger, scope);

    // Worker A claimed the job and started the run; then its process stopped (no heartbeats since).
    await db.job.updateMany({ data: { status: "active", queuedKey: null, activeKey: integrationId, lockedBy: "dead-worker", attempts: 1, heartbeatAt: new Date() } });
    const crashed = waitingSource();
    void processSyncJob({ shop: TEST_SHOP, key: integrationId, attempt: 1 }, crashed.resolve);
    await crashed.started;
    await db.job.updateMany({ data: { heartbeatAt: HOUR_AGO() } });
    await shopDb.syncRun.updateMany({ data: { heartbeatAt: HOUR_AGO() } });

    // Worker B (the restarted app) takes the job over.
    await worker.work((job) => processSyncJob(job, emptySource));
    await worker.drain();

    expect(sourceCalls).toEqual([scope, scope]);
    const [interrupted, retried] = await runs();
    expect(interrupted).toMatchObject({ status: "failed", message: expect.stringContaining("interrupted") });
    expect(retried).toMatchObject({ status: "succeeded", trigger, scope, attempt: 2 });
    expect(await integrationRequest()).toMatchObject({ pendingScope: null, runningScope: null, lastSyncAt: expect.any(Date) });
    expect(await db.job.findFirstOrThrow({})).toMatchObject({ status: "done", attempts: 2 });
  });

  it("does not start a second run while the first one is still alive", async () => {
    // A job taken for crashed (its worker missed heartbeats) whose run still goes: no twin run.
    const worker = new DbJobQueue(db, { pollMs: 10, staleMs: 60_000, retryDelay: () => 20 });
    queues.push(worker);
    await requestSync(worker, shopDb, integrationId, "manual", "full");
    await db.job.updateMany({ data: { status: "active", queuedKey: null, activeKey: integrationId, lockedBy: "slow-worker", attempts: 1, heartbeatAt: new Date() } });
    const slow = waitingSource();
    const first = processSyncJob({ shop: TEST_SHOP, key: integrationId, attempt: 1 }, slow.resolve);
    await slow.started;
    await db.job.updateMany({ data: { heartbeatAt: HOUR_AGO() } });

    const attempts: number[] = [];
    await worker.work(async (job) => {
      attempts.push(job.attempt);
      await processSyncJob(job, emptySource);
    });
    await until(() => attempts.length >= 2, 20_000, "the job to be retried");
    expect(sourceCalls).toEqual(["full"]); // the retries wait for the live run
    expect((await runs()).map((r) => r.status)).toEqual(["running"]);

    slow.release();
    await first;
    expect((await runs()).map((r) => r.status)).toEqual(["succeeded"]);
    expect(await integrationRequest()).toMatchObject({ pendingScope: null, runningScope: null });
  });

  it("runs a request made during a run after it, not swallowed by it", async () => {
    const worker = new DbJobQueue(db, { pollMs: 10 });
    queues.push(worker);
    const full = waitingSource();
    let calls = 0;
    await worker.work((job) => processSyncJob(job, (...args) => (++calls === 1 ? full.resolve(...args) : emptySource(...args))));
    await requestSync(worker, shopDb, integrationId, "manual", "full");
    await full.started;
    await requestSync(worker, shopDb, integrationId, "webhook", "partial");
    expect(await integrationRequest()).toMatchObject({ pendingScope: "partial", runningScope: "full" });
    full.release();
    await worker.drain();
    expect(sourceCalls).toEqual(["full", "partial"]);
    expect((await runs()).map((r) => r.trigger)).toEqual(["manual", "webhook"]);
    expect(await integrationRequest()).toMatchObject({ pendingScope: null, runningScope: null });
  });
});

describe.runIf(onPostgres)("pg-boss queue: a run interrupted by a crash", () => {
  /** pg-boss takes a job that runs past its expiry for crashed and retries it. */
  function bossQueue(): PgBossJobQueue {
    const q = new PgBossJobQueue(process.env.DATABASE_URL!, { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, expireInSeconds: 1 });
    queues.push(q);
    return q;
  }

  it("runs the sync again when the expired job is retried", async () => {
    const q = bossQueue();
    const crashed = waitingSource();
    await q.work((job: QueuedJob) => processSyncJob(job, job.attempt === 1 ? crashed.resolve : emptySource));
    await requestSync(q, shopDb, integrationId, "manual", "full");
    await crashed.started;
    // The worker's process stopped: its run writes no heartbeat any more.
    await shopDb.syncRun.updateMany({ data: { heartbeatAt: HOUR_AGO() } });

    await until(async () => (await integrationRequest()).runningScope === null, 30_000, "the retried run to end");
    expect(sourceCalls).toEqual(["full", "full"]);
    const [interrupted, retried] = await runs();
    expect(interrupted).toMatchObject({ status: "failed", message: expect.stringContaining("interrupted") });
    expect(retried).toMatchObject({ status: "succeeded", trigger: "manual", scope: "full", attempt: 2 });
    expect(await integrationRequest()).toMatchObject({ pendingScope: null, runningScope: null });
  });

  it("does not start a second run while the expired job's run is still alive", async () => {
    const q = bossQueue();
    const slow = waitingSource();
    const attempts: number[] = [];
    let first: Promise<JobOutcome> | undefined;
    await q.work((job: QueuedJob) => {
      attempts.push(job.attempt);
      if (job.attempt > 1) return processSyncJob(job, emptySource);
      first = processSyncJob(job, slow.resolve);
      return first;
    });
    await requestSync(q, shopDb, integrationId, "manual", "full");
    await slow.started;
    await until(() => attempts.length >= 2, 30_000, "the expired job to be retried");
    expect(sourceCalls).toEqual(["full"]);
    expect((await runs()).map((r) => r.status)).toEqual(["running"]);

    slow.release();
    await first;
    expect((await runs()).map((r) => r.status)).toEqual(["succeeded"]);
    expect(await integrationRequest()).toMatchObject({ pendingScope: null, runningScope: null });
  });
});
