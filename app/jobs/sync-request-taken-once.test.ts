// A sync request is taken by one run. The queue can hand an integration's job out twice at once
// (pg-boss retries a job that outlived its expiry while its first try still goes; the database
// queue retries a job whose worker missed its heartbeats): the second try must not run the request
// the first one took, even in the moment between the take and the run's start, and must leave what
// it did not take for the first one or a later job. Runs on SQLite, and on PostgreSQL in its run.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import type { SourceBatch } from "../sync/records";
import type * as Runs from "../sync/runs.server";
import type { JobOutcome, JobQueue } from "./queue";
import { RunTakenOver } from "../sync/runs.server";
import { processSyncJob, requestSync, SyncStillRunning, type SyncScope } from "./sync-jobs.server";
import { TEST_SHOP } from "../../test/support/constants";

/** Called once the live-run check of the next processSyncJob has answered (a test's interleaving point). */
const hooks = vi.hoisted(() => ({ afterLiveRunCheck: [] as (() => Promise<void>)[] }));

vi.mock("../sync/runs.server", async (importOriginal) => {
  const actual = await importOriginal<typeof Runs>();
  return {
    ...actual,
    hasLiveRun: async (...args: Parameters<typeof actual.hasLiveRun>) => {
      const live = await actual.hasLiveRun(...args);
      await hooks.afterLiveRunCheck.shift()?.();
      return live;
    },
  };
});

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

/** requestSync records the request in the integration; the jobs are started by hand here. */
const noQueue: JobQueue = { backend: "database", send: async () => undefined, work: async () => undefined, forgetShop: async () => undefined, stop: async () => undefined };

let shopDb: ShopDb;
let integrationId: string;
/** "worker:scope" for each source asked for records, in order. */
let sourceCalls: string[];
let inFlight: number;
let mostInFlight: number;
/** Held sources and the tries started in a test, released and waited for after it (a failed test leaves none behind). */
const held: (() => void)[] = [];
const tries: Promise<unknown>[] = [];

beforeEach(async () => {
  hooks.afterLiveRunCheck = [];
  await db.$transaction([db.job.deleteMany(), db.syncRun.deleteMany(), db.fieldOwnership.deleteMany(), db.integration.deleteMany()]);
  shopDb = forShop(TEST_SHOP);
  integrationId = (await connectIntegration(shopDb, "shopify")).integration.id;
  sourceCalls = [];
  inFlight = 0;
  mostInFlight = 0;
});

afterEach(async () => {
  for (const release of held.splice(0)) release();
  await Promise.allSettled(tries.splice(0));
});

/** A try of the job (processSyncJob), waited for after the test. */
function start(attempt: number, resolveSource: Parameters<typeof processSyncJob>[1]): Promise<JobOutcome> {
  const outcome = processSyncJob(job(attempt), resolveSource);
  tries.push(outcome);
  return outcome;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A worker's source: reads nothing, after `wait` (the run has taken its request and not started yet). */
function source(worker: string, wait: () => Promise<void> = async () => undefined) {
  return async (_db: unknown, _integration: unknown, request: { scope: SyncScope }): Promise<SourceBatch> => {
    sourceCalls.push(`${worker}:${request.scope}`);
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      await wait();
      return { scope: request.scope, records: [] };
    } finally {
      inFlight--;
    }
  };
}

/** A source that stops when asked for records, until released. */
function heldSource(worker: string) {
  const entered = deferred();
  const released = deferred();
  held.push(released.resolve);
  const resolve = source(worker, async () => {
    entered.resolve();
    await released.promise;
  });
  return { resolve, entered: entered.promise, release: released.resolve };
}

const job = (attempt: number) => ({ shop: TEST_SHOP, key: integrationId, attempt });

async function runs() {
  return shopDb.syncRun.findMany({ orderBy: { createdAt: "asc" }, select: { status: true, trigger: true, scope: true, attempt: true } });
}

async function request() {
  return shopDb.integration.findUniqueOrThrow({ where: { id: integrationId }, select: { pendingScope: true, runningScope: true } });
}

describe("a sync request is taken by one run", () => {
  it("is not run again by a second try of the job while the first one is fetching its records", async () => {
    await requestSync(noQueue, shopDb, integrationId, "manual", "full");
    const first = heldSource("first");
    const firstTry = start(1, first.resolve);
    await first.entered; // the request is taken; the run waits for its records

    // pg-boss took the first try for expired and hands the job out again.
    await expect(start(2, source("second"))).rejects.toBeInstanceOf(SyncStillRunning);
    first.release();
    await firstTry;

    expect(sourceCalls).toEqual(["first:full"]);
    expect(await runs()).toEqual([{ status: "succeeded", trigger: "manual", scope: "full", attempt: 1 }]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });

  it("is not taken again by a try that found no run going just before the first one took it", async () => {
    await requestSync(noQueue, shopDb, integrationId, "manual", "full");
    // The second try checks for a live run first (none yet), and is held there …
    const checked = deferred();
    const goOn = deferred();
    hooks.afterLiveRunCheck.push(async () => {
      checked.resolve();
      await goOn.promise;
    });
    const secondTry = start(2, source("second"));
    await checked.promise;
    // … while the first one takes the request and waits for its records.
    const first = heldSource("first");
    const firstTry = start(1, first.resolve);
    await first.entered;
    goOn.resolve();

    await expect(secondTry).rejects.toBeInstanceOf(SyncStillRunning);
    first.release();
    await firstTry;
    expect(sourceCalls).toEqual(["first:full"]);
    expect(await runs()).toEqual([{ status: "succeeded", trigger: "manual", scope: "full", attempt: 1 }]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });

  it("leaves a request made meanwhile to the job that holds the integration: not taken, not lost", async () => {
    await requestSync(noQueue, shopDb, integrationId, "manual", "full");
    const first = heldSource("first");
    const firstTry = start(1, first.resolve);
    await first.entered;
    await requestSync(noQueue, shopDb, integrationId, "webhook", "partial");

    await expect(start(2, source("second"))).rejects.toBeInstanceOf(SyncStillRunning);
    expect(await request()).toEqual({ pendingScope: "partial", runningScope: "full" });
    first.release();
    await firstTry; // runs the waiting request after its own

    expect(sourceCalls).toEqual(["first:full", "first:partial"]);
    expect((await runs()).map((r) => [r.trigger, r.scope, r.status])).toEqual([["manual", "full", "succeeded"], ["webhook", "partial", "succeeded"]]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });

  it("runs the request once when several tries start at the same moment", async () => {
    await requestSync(noQueue, shopDb, integrationId, "scheduled", "full");
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => start(n, source(`try ${n}`, () => new Promise((r) => setTimeout(r, 20))))));

    expect(sourceCalls).toHaveLength(1);
    expect(mostInFlight).toBe(1);
    expect(outcomes.filter((t) => t.status === "fulfilled")).toHaveLength(1);
    for (const t of outcomes) if (t.status === "rejected") expect(t.reason).toBeInstanceOf(SyncStillRunning);
    expect((await runs()).map((r) => [r.trigger, r.status])).toEqual([["scheduled", "succeeded"]]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });

  it("ends a job's later turn quietly when another try has taken what waited", async () => {
    await requestSync(noQueue, shopDb, integrationId, "manual", "full");
    const second = heldSource("second");
    let secondTry: Promise<unknown> | undefined;
    // The first try's own run goes as usual; when it looks for a later request, a second try of
    // the job has just taken it.
    hooks.afterLiveRunCheck.push(async () => undefined);
    hooks.afterLiveRunCheck.push(async () => {
      secondTry = start(2, second.resolve);
      await second.entered;
    });
    let asked = false;
    const first = source("first", async () => {
      if (asked) return; // a webhook during the first run only
      asked = true;
      await requestSync(noQueue, shopDb, integrationId, "webhook", "partial");
    });

    await expect(start(1, first)).resolves.toBeUndefined();
    second.release();
    await secondTry;
    expect(sourceCalls).toEqual(["first:full", "second:partial"]);
    expect((await runs()).map((r) => [r.trigger, r.scope, r.status, r.attempt])).toEqual([["manual", "full", "succeeded", 1], ["webhook", "partial", "succeeded", 2]]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });
});

describe("a request taken by a worker that stopped", () => {
  it("is not taken again just after it was taken, before its run is recorded; once that is long past, the retry runs it", async () => {
    // A worker took the request, and stopped before it recorded its run.
    await shopDb.integration.update({ where: { id: integrationId }, data: { runningScope: "full", runningTrigger: "manual", runningRunId: "never-recorded", runningSince: new Date() } });
    await expect(start(2, source("retry"))).rejects.toBeInstanceOf(SyncStillRunning);
    expect(sourceCalls).toEqual([]);
    expect(await runs()).toEqual([]);

    await shopDb.integration.update({ where: { id: integrationId }, data: { runningSince: HOUR_AGO() } });
    await start(3, source("retry"));
    expect(sourceCalls).toEqual(["retry:full"]);
    expect(await runs()).toEqual([{ status: "succeeded", trigger: "manual", scope: "full", attempt: 3 }]);
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });

  it("is run by the retry once the run's heartbeat is stale; the worker, waking up after, saves nothing", async () => {
    await requestSync(noQueue, shopDb, integrationId, "manual", "full");
    const first = heldSource("first");
    const firstTry = start(1, first.resolve);
    await first.entered;
    // The first worker stops answering (its run writes no heartbeat) and the job is retried.
    await shopDb.syncRun.updateMany({ data: { heartbeatAt: HOUR_AGO() } });
    await start(2, source("retry"));
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });

    // The first worker wakes up: its run, closed meanwhile, is not taken up again (no running run
    // appears again, nothing is saved), its job ends quietly (it is the retry's now) and the
    // integration counts no failure; the request stays settled by the retry's run.
    first.release();
    await expect(firstTry).resolves.toBeUndefined();
    expect(sourceCalls).toEqual(["first:full", "retry:full"]);
    expect((await runs()).map((r) => [r.status, r.attempt])).toEqual([["failed", 1], ["succeeded", 2]]);
    expect((await shopDb.syncRun.findFirstOrThrow({ where: { attempt: 1 } })).message).toBe(new RunTakenOver().message);
    expect(await shopDb.integration.findUniqueOrThrow({ where: { id: integrationId } })).toMatchObject({ consecutiveFailures: 0, status: "active" });
    expect(await request()).toEqual({ pendingScope: null, runningScope: null });
  });
});
