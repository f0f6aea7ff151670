// Sync requests through the queue: merging, pausing, retries, the schedule, interrupted runs.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration, setPaused } from "../integrations/integrations.server";
import type { SourceBatch } from "../sync/records";
import { DbJobQueue } from "./db-queue.server";
import { closeInterruptedRuns, enqueueDueSyncs, processSyncJob, requeueWaitingRequests, requestSync, resumeSyncs, REQUEST_LOST_AFTER_MS } from "./sync-jobs.server";
import { TEST_SHOP } from "../../test/support/constants";

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
