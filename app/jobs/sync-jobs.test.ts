// Sync requests through the queue: merging, pausing, retries, the schedule, interrupted runs.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration, setPaused } from "../integrations/integrations.server";
import type { SourceBatch } from "../sync/records";
import { DbJobQueue } from "./db-queue.server";
import { PgBossJobQueue } from "./pgboss-queue.server";
import { closeInterruptedRuns, enqueueDueSyncs, processSyncJob, requeueWaitingRequests, requestSync, resumeSyncs, REQUEST_LOST_AFTER_MS } from "./sync-jobs.server";
import { TEST_SHOP } from "../../test/support/constants";
import { until } from "../../test/support/wait";

let shopDb: ShopDb;
let shopifyId: string;
let queue: DbJobQueue;
let requests: string[];
let failNext: number;

const resolveSource = async (_db: unknown, _integration: unknown, request: { scope: "full" | "partial" }): Promise<SourceBatch> => {
  requests.push(request.scope);
  if (failNext > 0) {
    failNext--;
    throw new Error("Shopify did not answer");
  }
  return { scope: request.scope, records: [] };
};

beforeEach(async () => {
  await db.$transaction([db.job.deleteMany(), db.syncRun.deleteMany(), db.fieldOwnership.deleteMany(), db.integration.deleteMany()]);
  shopDb = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(shopDb, "shopify")).integration.id;
  queue = new DbJobQueue(db, { pollMs: 10, retryDelay: () => 10 });
  requests = [];
  failNext = 0;
});

const work = async () => {
  await queue.work((job) => processSyncJob(job, resolveSource));
  await queue.drain();
  await queue.stop();
};

describe("sync requests", () => {
  it("merges a partial and a full request into one full run", async () => {
    await requestSync(queue, shopDb, shopifyId, "webhook", "partial");
    await requestSync(queue, shopDb, shopifyId, "manual", "full");
    await work();
    expect(requests).toEqual(["full"]);
    const run = await shopDb.syncRun.findFirstOrThrow({});
    expect(run).toMatchObject({ status: "succeeded", trigger: "webhook", scope: "full" });
  });

  it("keeps requests made while paused and runs them on resume", async () => {
    await setPaused(shopDb, shopifyId, true);
    expect(await requestSync(queue, shopDb, shopifyId, "webhook", "partial")).toBe(false);
    await work();
    expect(requests).toEqual([]);
    await resumeSyncs(queue, shopDb, shopifyId);
    await work();
    expect(requests).toEqual(["partial"]);
  });

  it("retries a failed run with its request and recovers", async () => {
    failNext = 1;
    await requestSync(queue, shopDb, shopifyId, "manual", "full");
    await queue.work((job) => processSyncJob(job, resolveSource));
    for (let i = 0; i < 200 && (await shopDb.syncRun.count({ where: { status: "succeeded" } })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await queue.stop();
    expect(requests).toEqual(["full", "full"]);
    const runs = await shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" } });
    expect(runs.map((r) => r.status)).toEqual(["failed", "succeeded"]);
    expect(runs[1].attempt).toBe(2);
  });

  it("gives a failing request up with its job's last try: it is not sent to the queue again", async () => {
    queue = new DbJobQueue(db, { pollMs: 10, retryDelay: () => 10, maxAttempts: 3 });
    failNext = 100;
    await requestSync(queue, shopDb, shopifyId, "manual", "full");
    await queue.work((job) => processSyncJob(job, resolveSource));
    for (let i = 0; i < 200 && (await db.job.count({ where: { status: "failed" } })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await queue.stop();
    expect(requests).toEqual(["full", "full", "full"]);
    expect(await db.job.findFirstOrThrow({})).toMatchObject({ status: "failed", attempts: 3 });
    expect(await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } })).toMatchObject({ pendingScope: null, runningScope: null });
    expect(await requeueWaitingRequests(queue, db, new Date(Date.now() + REQUEST_LOST_AFTER_MS))).toBe(0);
    // The next request runs as usual.
    failNext = 0;
    await requestSync(queue, shopDb, shopifyId, "manual", "full");
    await work();
    expect(requests).toHaveLength(4);
    expect(await shopDb.syncRun.count({ where: { status: "succeeded" } })).toBe(1);
  });

  describe("a request made during a run", () => {
    /** Works the queue; each source call records which job (handler call) it ran in. */
    async function workDuringRun(duringFirstRun: () => Promise<void>, laterRunsWithinMs?: number): Promise<number[]> {
      const inJob: number[] = [];
      let jobs = 0;
      await queue.work(async (job) => {
        const n = ++jobs;
        return processSyncJob(
          job,
          async (...args) => {
            inJob.push(n);
            const batch = await resolveSource(...args);
            if (inJob.length === 1) await duringFirstRun();
            return batch;
          },
          laterRunsWithinMs,
        );
      });
      await queue.drain();
      await queue.stop();
      return inJob;
    }
    const integration = () => shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId }, select: { pendingScope: true, runningScope: true } });

    it("is run right after it, in the same job", async () => {
      await requestSync(queue, shopDb, shopifyId, "manual", "full");
      const inJob = await workDuringRun(async () => void (await requestSync(queue, shopDb, shopifyId, "webhook", "partial")));
      expect(requests).toEqual(["full", "partial"]);
      expect(inJob).toEqual([1, 1]);
      const runs = await shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" } });
      expect(runs.map((r) => [r.trigger, r.status, r.attempt])).toEqual([["manual", "succeeded", 1], ["webhook", "succeeded", 1]]);
      expect(await integration()).toEqual({ pendingScope: null, runningScope: null });
    });

    it("is left to a new job once the job has run for its time, so a store's endless webhooks never hold it", async () => {
      await requestSync(queue, shopDb, shopifyId, "manual", "full");
      const inJob = await workDuringRun(async () => void (await requestSync(queue, shopDb, shopifyId, "webhook", "partial")), 0);
      expect(requests).toEqual(["full", "partial"]);
      expect(inJob).toEqual([1, 2]);
      const runs = await shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" } });
      expect(runs.map((r) => [r.trigger, r.status])).toEqual([["manual", "succeeded"], ["webhook", "succeeded"]]);
      expect(await db.job.findMany({ select: { status: true } })).toEqual([{ status: "done" }, { status: "done" }]);
      expect(await integration()).toEqual({ pendingScope: null, runningScope: null });
    });

    it("asks for no new job when nothing waits after the job's time", async () => {
      await requestSync(queue, shopDb, shopifyId, "manual", "full");
      const inJob = await workDuringRun(async () => undefined, 0);
      expect(inJob).toEqual([1]);
      expect(await db.job.count()).toBe(1);
    });

    it("waits if the integration was paused meanwhile", async () => {
      await requestSync(queue, shopDb, shopifyId, "manual", "full");
      await workDuringRun(async () => {
        await requestSync(queue, shopDb, shopifyId, "webhook", "partial");
        await setPaused(shopDb, shopifyId, true);
      });
      expect(requests).toEqual(["full"]);
      expect(await integration()).toEqual({ pendingScope: "partial", runningScope: null });
    });

    it("failing, waits again for the job's retry instead of running in a loop", async () => {
      await requestSync(queue, shopDb, shopifyId, "manual", "full");
      await workDuringRun(async () => {
        await requestSync(queue, shopDb, shopifyId, "webhook", "partial");
        failNext = 1;
      });
      expect(requests).toEqual(["full", "partial", "partial"]);
      const runs = await shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" } });
      expect(runs.map((r) => [r.trigger, r.status])).toEqual([["manual", "succeeded"], ["webhook", "failed"], ["webhook", "succeeded"]]);
      expect(await integration()).toEqual({ pendingScope: null, runningScope: null });
    });

    it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("on pg-boss, gets a job of its own once the running job has run for its time", async () => {
      const boss = new PgBossJobQueue(process.env.DATABASE_URL!, { pollingIntervalSeconds: 0.5 });
      try {
        let jobs = 0;
        await boss.work((job) => {
          const n = ++jobs;
          return processSyncJob(
            job,
            async (...args) => {
              if (n === 1) await requestSync(boss, shopDb, shopifyId, "webhook", "partial");
              return resolveSource(...args);
            },
            0,
          );
        });
        await requestSync(boss, shopDb, shopifyId, "manual", "full");
        await until(async () => (await shopDb.syncRun.count({ where: { status: "succeeded" } })) === 2, 30_000, "both runs");
        expect(requests).toEqual(["full", "partial"]);
        expect(jobs).toBe(2);
        expect(await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } })).toMatchObject({ pendingScope: null, runningScope: null });
      } finally {
        await boss.forgetShop(TEST_SHOP);
        await boss.stop();
      }
    });

    it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("on pg-boss, is run by the running job: no second job is queued behind it", async () => {
      const boss = new PgBossJobQueue(process.env.DATABASE_URL!, { pollingIntervalSeconds: 0.5 });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      try {
        let calls = 0;
        await boss.work((job) =>
          processSyncJob(job, async (...args) => {
            if (++calls === 1) await held;
            return resolveSource(...args);
          }),
        );
        await requestSync(boss, shopDb, shopifyId, "manual", "full");
        await until(() => calls === 1, 20_000, "the first run");
        await requestSync(boss, shopDb, shopifyId, "webhook", "partial");
        const jobs = await db.$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE singleton_key = $1`, shopifyId);
        expect(jobs.map((j) => j.state)).toEqual(["active"]);
        release(); // the running job takes the request after its run
        await until(async () => (await shopDb.syncRun.count({ where: { status: "succeeded" } })) === 2, 20_000, "both runs");
        expect(requests).toEqual(["full", "partial"]);
        expect(await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } })).toMatchObject({ pendingScope: null, runningScope: null });
      } finally {
        release();
        await boss.forgetShop(TEST_SHOP);
        await boss.stop();
      }
    });
  });

  it("does not sync disconnected integrations", async () => {
    await shopDb.integration.update({ where: { id: shopifyId }, data: { status: "disconnected" } });
    expect(await requestSync(queue, shopDb, shopifyId, "manual", "full")).toBe(false);
    await work();
    expect(requests).toEqual([]);
  });
});

describe("schedule", () => {
  it("asks for a full run of integrations whose time has come, and only once", async () => {
    const excel = (await connectIntegration(shopDb, "excel")).integration.id;
    const past = new Date(Date.now() - 60_000);
    await shopDb.integration.updateMany({ data: { nextSyncAt: past } });
    expect(await enqueueDueSyncs(queue, db)).toBe(1); // Excel syncs by upload only
    expect(await enqueueDueSyncs(queue, db)).toBe(0);
    const shopify = await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } });
    expect(shopify.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect((await shopDb.integration.findUniqueOrThrow({ where: { id: excel } })).pendingScope).toBeNull();
    await work();
    expect(requests).toEqual(["full"]);
  });

  it("skips paused integrations", async () => {
    await setPaused(shopDb, shopifyId, true);
    await shopDb.integration.updateMany({ data: { nextSyncAt: new Date(Date.now() - 1000) } });
    expect(await enqueueDueSyncs(queue, db)).toBe(0);
  });
});

describe("lost jobs", () => {
  it("sends a request that waited too long without a job to the queue again, and runs it", async () => {
    // The request is in the integration, its job is gone (pg-boss gave up on it).
    await requestSync(queue, shopDb, shopifyId, "webhook", "partial");
    await db.job.deleteMany();
    await work();
    expect(requests).toEqual([]);

    const now = new Date();
    expect(await requeueWaitingRequests(queue, db, now)).toBe(0); // not waiting long enough yet
    await work();
    expect(requests).toEqual([]);
    expect(await requeueWaitingRequests(queue, db, new Date(now.getTime() + REQUEST_LOST_AFTER_MS))).toBe(1);
    await work();
    expect(requests).toEqual(["partial"]);
    expect(await requeueWaitingRequests(queue, db, new Date(now.getTime() + 2 * REQUEST_LOST_AFTER_MS))).toBe(0); // done: nothing waits
  });

  it("sends again a request whose run's process stopped on the job's last try, but not one whose run still goes", async () => {
    // Taken by a run that is recorded and alive (its heartbeat fresh): it is that run's.
    await shopDb.integration.update({ where: { id: shopifyId }, data: { runningScope: "full", runningTrigger: "scheduled", runningRunId: "the-run", runningSince: new Date() } });
    await shopDb.syncRun.create({ data: { id: "the-run", shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", scope: "full", status: "running", heartbeatAt: new Date(Date.now() + REQUEST_LOST_AFTER_MS) } });
    await db.job.deleteMany();
    const later = new Date(Date.now() + REQUEST_LOST_AFTER_MS);
    expect(await requeueWaitingRequests(queue, db, later)).toBe(0);
    // Its process stopped (no heartbeat), and no retry is left: the request is sent again and runs.
    await shopDb.syncRun.update({ where: { id: "the-run" }, data: { heartbeatAt: new Date(Date.now() - REQUEST_LOST_AFTER_MS) } });
    expect(await requeueWaitingRequests(queue, db, later)).toBe(1);
    await work();
    expect(requests).toEqual(["full"]);
    expect(await shopDb.integration.findUniqueOrThrow({ where: { id: shopifyId } })).toMatchObject({ runningScope: null, pendingScope: null });
  });

  it("leaves paused integrations' requests waiting for the merchant", async () => {
    await setPaused(shopDb, shopifyId, true);
    await requestSync(queue, shopDb, shopifyId, "webhook", "partial");
    expect(await requeueWaitingRequests(queue, db, new Date(Date.now() + REQUEST_LOST_AFTER_MS))).toBe(0);
  });
});

describe("interrupted runs", () => {
  it("closes runs left running by a dead process, and only those", async () => {
    const old = new Date(Date.now() - 3_600_000);
    await shopDb.syncRun.create({ data: { shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", status: "running", heartbeatAt: old } });
    await shopDb.syncRun.create({ data: { shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", status: "running", heartbeatAt: new Date() } });
    expect(await closeInterruptedRuns(db)).toBe(1);
    const statuses = (await shopDb.syncRun.findMany({ orderBy: { heartbeatAt: "asc" } })).map((r) => r.status);
    expect(statuses).toEqual(["failed", "running"]);
  });
});
