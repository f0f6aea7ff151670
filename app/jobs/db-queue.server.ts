// The job queue in the app's own database (SQLite or PostgreSQL). Unique keys do the locking:
// Job.queuedKey is set while a job waits (a second request for the key merges into it) and
// Job.activeKey while it runs (a second worker cannot start the same key). A job whose worker
// stopped sending heartbeats (crash, restart) is retried with backoff.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../db.server";
import { isUniqueViolation } from "../db/errors";
import { MAX_ATTEMPTS, retryDelayMs, type JobOutcome, type JobQueue, type QueuedJob } from "./queue";

const QUEUE = "sync";

export interface DbQueueOptions {
  pollMs?: number;
  heartbeatMs?: number;
  /** A running job without a heartbeat for this long is taken as crashed. */
  staleMs?: number;
  concurrency?: number;
  maxAttempts?: number;
  retryDelay?: (attempt: number) => number;
}

export class DbJobQueue implements JobQueue {
  readonly backend = "database" as const;
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly opts: Required<DbQueueOptions>;
  private timer: NodeJS.Timeout | undefined;
  private handler: ((job: QueuedJob) => Promise<JobOutcome>) | undefined;
  private running = new Set<Promise<void>>();
  private polling = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    options: DbQueueOptions = {},
  ) {
    this.opts = {
      pollMs: 1000,
      heartbeatMs: 15_000,
      staleMs: 10 * 60_000,
      concurrency: 2,
      maxAttempts: MAX_ATTEMPTS,
      retryDelay: retryDelayMs,
      ...options,
    };
  }

  async forgetShop(shop: string): Promise<void> {
    await this.db.job.deleteMany({ where: { shop } });
  }

  async send(job: { shop: string; key: string }): Promise<void> {
    try {
      await this.db.job.create({ data: { shop: job.shop, queue: QUEUE, key: job.key, queuedKey: job.key, status: "queued", runAt: new Date() } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // One is already waiting for this key: this request is merged into it.
    }
    this.wake();
  }

  async work(handler: (job: QueuedJob) => Promise<JobOutcome>): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Polls once: recovers crashed jobs, then starts what is due. Exposed for tests. */
  async poll(): Promise<void> {
    if (this.polling || !this.handler) return;
    this.polling = true;
    try {
      await this.recoverStale();
      while (!this.stopped && this.running.size < this.opts.concurrency) {
        const job = await this.claimNext();
        if (!job) break;
        const run = this.run(job).finally(() => {
          this.running.delete(run);
          this.wake();
        });
        this.running.add(run);
      }
    } finally {
      this.polling = false;
    }
  }

  /** Waits until no job is running or due (tests and the CLI). */
  async drain(): Promise<void> {
    for (;;) {
      await this.poll();
      if (this.running.size === 0) {
        const due = await this.db.job.count({ where: { status: "queued", runAt: { lte: new Date() } } });
        if (due === 0) return;
      }
      await Promise.race([...this.running, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  private wake(): void {
    if (this.handler && !this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.poll()
        .catch((e: unknown) => console.error("job queue poll failed:", e instanceof Error ? e.message : e))
        .finally(() => {
          if (!this.stopped) this.schedule(this.opts.pollMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  private async claimNext(): Promise<{ id: string; shop: string; key: string; attempts: number } | null> {
    const candidates = await this.db.job.findMany({
      where: { queue: QUEUE, status: "queued", runAt: { lte: new Date() } },
      orderBy: { runAt: "asc" },
      take: 20,
    });
    for (const job of candidates) {
      try {
        const claimed = await this.db.job.updateMany({
          where: { id: job.id, status: "queued" },
          data: { status: "active", queuedKey: null, activeKey: job.key, lockedBy: this.workerId, heartbeatAt: new Date(), attempts: { increment: 1 } },
        });
        if (claimed.count === 1) return { id: job.id, shop: job.shop, key: job.key, attempts: job.attempts + 1 };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Another job of the same key is running: this one waits for it.
      }
    }
    return null;
  }

  private async run(job: { id: string; shop: string; key: string; attempts: number }): Promise<void> {
    // This try of the job, as its row says while this worker holds it (the same worker may claim
    // it again, as another try, if it was taken for crashed: a process paused for a while).
    const held = { lockedBy: this.workerId, attempts: job.attempts };
    const heartbeat = setInterval(() => {
      void this.db.job.updateMany({ where: { id: job.id, ...held }, data: { heartbeatAt: new Date() } }).catch(() => undefined);
    }, this.opts.heartbeatMs);
    try {
      // "more" needs nothing here: a request made while a job runs is queued behind it (send).
      await this.handler!({ shop: job.shop, key: job.key, attempt: job.attempts, lastAttempt: job.attempts >= this.opts.maxAttempts });
      // updateMany here and below: the job's row may be gone meanwhile (shop/redact deletes a
      // shop's jobs), and a missing row must not fail the worker. Only while this worker holds the
      // job: one taken for crashed (no heartbeat) may be another worker's run by now, whose key
      // must stay locked until that run ends.
      await this.db.job.updateMany({ where: { id: job.id, ...held }, data: { status: "done", activeKey: null, finishedAt: new Date(), lastError: null } });
    } catch (error) {
      await this.retryOrGiveUp(job, error instanceof Error ? error.message : String(error), held);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** `holder`: the job's row as its holder left it (its worker and try, or a stale heartbeat): changed since, the job is no longer this call's. */
  private async retryOrGiveUp(job: { id: string; key: string; attempts: number }, message: string, holder: { lockedBy: string | null; attempts: number; heartbeatAt?: Date | null }): Promise<void> {
    const lastError = message.slice(0, 1000);
    const where = { id: job.id, status: "active", ...holder };
    if (job.attempts < this.opts.maxAttempts) {
      try {
        await this.db.job.updateMany({
          where,
          data: { status: "queued", activeKey: null, queuedKey: job.key, lockedBy: null, runAt: new Date(Date.now() + this.opts.retryDelay(job.attempts)), lastError },
        });
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // A newer request for the key is already waiting and will do the work.
      }
    }
    await this.db.job.updateMany({ where, data: { status: "failed", activeKey: null, lockedBy: null, finishedAt: new Date(), lastError } });
  }

  /** Jobs whose worker went silent (crash, restart, lost machine) are retried. */
  private async recoverStale(): Promise<void> {
    const stale = await this.db.job.findMany({
      where: { queue: QUEUE, status: "active", heartbeatAt: { lt: new Date(Date.now() - this.opts.staleMs) } },
    });
    for (const job of stale) {
      // As found: a heartbeat that arrives meanwhile keeps the job its worker's.
      await this.retryOrGiveUp({ id: job.id, key: job.key, attempts: job.attempts }, "The job was interrupted (the app stopped while it ran).", { lockedBy: job.lockedBy, attempts: job.attempts, heartbeatAt: job.heartbeatAt });
    }
  }
}
