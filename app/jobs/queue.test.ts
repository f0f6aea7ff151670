// The job queue contract, on the embedded database queue (always) and on pg-boss (when the tests
// run against PostgreSQL): merging of requests, one job per key at a time, retries with backoff,
// recovery of crashed jobs, no job run twice by two workers, and (pg-boss) no key's second request
// holding up other keys' jobs.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "../db.server";
import { DbJobQueue } from "./db-queue.server";
import { PgBossJobQueue } from "./pgboss-queue.server";
import type { JobQueue, QueuedJob } from "./queue";
import { retryDelayMs } from "./queue";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";
import { until } from "../../test/support/wait";

const onPostgres = process.env.PASSPORT_TEST_DB === "postgres";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


const queues: JobQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
  await db.job.deleteMany();
});

function dbQueue(options: ConstructorParameters<typeof DbJobQueue>[1] = {}): DbJobQueue {
  const q = new DbJobQueue(db, { pollMs: 20, retryDelay: () => 10, ...options });
  queues.push(q);
  return q;
}

/** A handler that records runs and checks that no key ever runs twice at once. */
function recorder(work: (job: QueuedJob) => Promise<void> = () => sleep(30)) {
  const running = new Set<string>();
  const runs: QueuedJob[] = [];
  let overlaps = 0;
  const handler = async (job: QueuedJob) => {
    if (running.has(job.key)) overlaps++;
    running.add(job.key);
    try {
      runs.push(job);
      await work(job);
    } finally {
      running.delete(job.key);
    }
  };
  return { handler, runs, overlaps: () => overlaps };
}

describe("database job queue", () => {
  it("merges requests for a waiting key and runs one job per key at a time", async () => {
    const q = dbQueue();
    const r = recorder();
    for (let i = 0; i < 5; i++) await q.send({ shop: TEST_SHOP, key: "integration-a" });
    await q.send({ shop: TEST_SHOP, key: "integration-b" });
    expect(await db.job.count({ where: { status: "queued" } })).toBe(2);
    await q.work(r.handler);
    await q.drain();
    expect(r.runs.map((j) => j.key).sort()).toEqual(["integration-a", "integration-b"]);
    expect(r.overlaps()).toBe(0);
  });

  it("keeps a request made while the key runs and runs it afterwards", async () => {
    const q = dbQueue();
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const r = recorder((job) => (r.runs.length === 1 ? first : sleep(5)).then(() => void job));
    await q.send({ shop: TEST_SHOP, key: "k" });
    await q.work(r.handler);
    await until(() => r.runs.length === 1, 20_000);
    await q.send({ shop: TEST_SHOP, key: "k" });
    await sleep(100);
    expect(r.runs).toHaveLength(1); // waits behind the running one
    release();
    await until(() => r.runs.length === 2, 20_000);
    expect(r.overlaps()).toBe(0);
  });

  it("retries a failing job with backoff and gives up after the last attempt", async () => {
    const q = dbQueue({ maxAttempts: 3 });
    const attempts: number[] = [];
    await q.send({ shop: TEST_SHOP, key: "flaky" });
    await q.work(async (job) => {
      attempts.push(job.attempt);
      throw new Error(`boom ${job.attempt}`);
    });
    await until(async () => (await db.job.count({ where: { status: "failed" } })) === 1, 20_000);
    expect(attempts).toEqual([1, 2, 3]);
    const job = await db.job.findFirstOrThrow({ where: { key: "flaky" } });
    expect(job.lastError).toBe("boom 3");
  });

  it("retries a job whose worker crashed (no heartbeat)", async () => {
    await db.job.create({
      data: { shop: TEST_SHOP, queue: "sync", key: "orphan", status: "active", activeKey: "orphan", attempts: 1, lockedBy: "dead-worker", heartbeatAt: new Date(Date.now() - 3_600_000) },
    });
    const q = dbQueue({ staleMs: 60_000 });
    const r = recorder();
    await q.work(r.handler);
    await until(() => r.runs.length === 1, 20_000);
    expect(r.runs[0]).toMatchObject({ key: "orphan", attempt: 2 });
  });

  it("leaves a job that another worker took over alone when the first worker ends it late", async () => {
    // Worker A runs the job and stops sending heartbeats (stuck); worker B takes it for crashed and runs it again.
    const a = dbQueue({ heartbeatMs: 3_600_000, concurrency: 1 }); // busy with its run: it claims nothing else
    const b = dbQueue({ staleMs: 200, heartbeatMs: 3_600_000 });
    const release = { a: () => {}, b: () => {} };
    const started: string[] = [];
    const blocking = (name: "a" | "b", outcome: "ends" | "throws") => async () => {
      started.push(name);
      await new Promise<void>((resolve) => (release[name] = resolve));
      if (outcome === "throws") throw new Error(`${name} failed late`);
    };
    for (const outcome of ["ends", "throws"] as const) {
      started.length = 0;
      await db.job.deleteMany();
      await a.send({ shop: TEST_SHOP, key: "stuck" });
      await a.work(blocking("a", outcome));
      await until(() => started.includes("a"), 20_000, "worker A's run");
      await b.work(blocking("b", "ends"));
      await until(() => started.includes("b"), 20_000, "worker B's run of the job taken for crashed");
      release.a();
      await sleep(100);
      try {
        // Still B's: running, its key locked, neither done nor queued again by A.
        expect(await db.job.findFirstOrThrow({ where: { key: "stuck" } })).toMatchObject({ status: "active", activeKey: "stuck", lockedBy: b.workerId, attempts: 2 });
      } finally {
        release.b();
      }
      await until(async () => (await db.job.findFirstOrThrow({ where: { key: "stuck" } })).status === "done", 20_000, "worker B's end");
      await b.stop();
    }
  });

  it("leaves a job's newer try alone when the same worker took it for crashed and claimed it again", async () => {
    // The process was paused longer than the stale limit: its own poll took its running job for
    // crashed and claimed it again (same worker, next try). The first try ends after that.
    const q = dbQueue({ heartbeatMs: 3_600_000, staleMs: 200, concurrency: 2 });
    const release = new Map<number, () => void>();
    await q.send({ shop: TEST_SHOP, key: "paused" });
    await q.work((job) => new Promise<void>((resolve) => release.set(job.attempt, resolve)));
    await until(() => release.has(2), 20_000, "the second try");
    release.get(1)!();
    await sleep(100);
    try {
      expect(await db.job.findFirstOrThrow({ where: { key: "paused" } })).toMatchObject({ status: "active", activeKey: "paused", lockedBy: q.workerId, attempts: 2 });
    } finally {
      for (const go of release.values()) go();
    }
  });

  it("never runs a job twice when two workers share the database", async () => {
    const a = dbQueue({ concurrency: 3 });
    const b = dbQueue({ concurrency: 3 });
    const r = recorder(() => sleep(10));
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    for (const key of keys) await a.send({ shop: TEST_SHOP, key });
    await Promise.all([a.work(r.handler), b.work(r.handler)]);
    await until(() => r.runs.length === keys.length, 20_000);
    await sleep(200);
    expect(r.runs.map((j) => j.key).sort()).toEqual([...keys].sort());
    expect(r.overlaps()).toBe(0);
  });

  it("keeps working when a running job's row is deleted (shop/redact during a run)", async () => {
    const q = dbQueue();
    const ran: string[] = [];
    await q.send({ shop: TEST_SHOP, key: "redacted-while-running" });
    await q.work(async (job) => {
      ran.push(job.key);
      if (job.key === "redacted-while-running") {
        await q.forgetShop(TEST_SHOP);
        throw new Error("the shop's data is gone");
      }
    });
    await until(() => ran.length === 1, 20_000, "the first job");
    await q.send({ shop: TEST_SHOP, key: "next" });
    await until(() => ran.includes("next"), 20_000, "the next job");
  });

  it("forgets every job of one shop (shop/redact), and only that shop's", async () => {
    const q = dbQueue();
    await q.send({ shop: TEST_SHOP, key: "redact-a" });
    await q.send({ shop: OTHER_SHOP, key: "redact-b" });
    await q.forgetShop(TEST_SHOP);
    expect((await db.job.findMany({ select: { shop: true } })).map((j) => j.shop)).toEqual([OTHER_SHOP]);
  });

  it("backs off exponentially with jitter, capped at an hour", () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(20, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(1, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, () => 1)).toBe(36_000);
  });
});

describe.runIf(onPostgres)("pg-boss job queue (PostgreSQL)", () => {
  function bossQueue(): PgBossJobQueue {
    const q = new PgBossJobQueue(process.env.DATABASE_URL!, { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 });
    queues.push(q);
    return q;
  }

  it("merges requests and shares work between instances without running a job twice", async () => {
    const a = bossQueue();
    const b = bossQueue();
    const r = recorder(() => sleep(50));
    const keys = Array.from({ length: 8 }, (_, i) => `boss-${i}`);
    for (const key of keys) {
      await a.send({ shop: TEST_SHOP, key });
      await b.send({ shop: TEST_SHOP, key }); // merged into the waiting one
    }
    await Promise.all([a.work(r.handler), b.work(r.handler)]);
    await until(() => r.runs.length >= keys.length, 30_000);
    await sleep(1500);
    expect(r.runs.map((j) => j.key).sort()).toEqual([...keys].sort());
    expect(r.overlaps()).toBe(0);
  });

  it("forgets every job of one shop (shop/redact), and only that shop's", async () => {
    const q = bossQueue();
    await q.send({ shop: TEST_SHOP, key: "boss-redact-a" });
    await q.send({ shop: OTHER_SHOP, key: "boss-redact-b" });
    await q.forgetShop(TEST_SHOP);
    const rows = await db.$queryRawUnsafe<{ shop: string }[]>(`SELECT data->>'shop' AS shop FROM pgboss.job WHERE data->>'key' LIKE 'boss-redact-%'`);
    expect(rows.map((r) => r.shop)).toEqual([OTHER_SHOP]);
    await q.forgetShop(OTHER_SHOP); // no job left behind for the next test's worker
  });

  it("retries a failing job", async () => {
    const q = bossQueue();
    const attempts: number[] = [];
    await q.send({ shop: TEST_SHOP, key: "boss-flaky" });
    await q.work(async (job) => {
      attempts.push(job.attempt);
      if (job.attempt < 2) throw new Error("first try fails");
    });
    await until(() => attempts.length >= 2, 30_000);
    expect(attempts.slice(0, 2)).toEqual([1, 2]);
  });

  it("a second request for a running key does not hold up another key's job", async () => {
    // Two instances: one runs the integration's long sync, the other must stay free for other shops.
    const [a, b] = [bossQueue(), bossQueue()];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const r = recorder((job) => (job.key === "boss-running" ? held : sleep(10)));
    const waitingJobs = async (key: string) =>
      (await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE singleton_key = $1 AND state < 'active'`, key))[0].n;
    await a.send({ shop: TEST_SHOP, key: "boss-running" });
    await Promise.all([a.work(r.handler), b.work(r.handler)]);
    await until(() => r.runs.length === 1, 20_000, "the long job to start");

    try {
      await a.send({ shop: TEST_SHOP, key: "boss-running" }); // a webhook during the run
      await b.send({ shop: OTHER_SHOP, key: "boss-other-shop" });
      await until(() => r.runs.some((j) => j.key === "boss-other-shop"), 5_000, "the other shop's job to start");
      expect(r.runs.map((j) => j.key)).toEqual(["boss-running", "boss-other-shop"]);
      // The request is left to the running job (processSyncJob takes it after its run): no job
      // waits for the running key, so pg-boss has nothing it cannot start.
      expect(await waitingJobs("boss-running")).toBe(0);
    } finally {
      release();
    }
    await until(async () => (await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE state <= 'active'`))[0].n === 0, 20_000, "the queue to empty");
    expect(r.runs.map((j) => j.key)).toEqual(["boss-running", "boss-other-shop"]);
    expect(r.overlaps()).toBe(0);
  });
});
