// The durable job queue behind sync runs. Two backends, one contract: the app's own database
// (default; an in-process worker, so one npm process is the whole app) and pg-boss on PostgreSQL
// (several app instances share the work; no job runs twice).

export interface QueuedJob {
  shop: string;
  /** What the job is about (an integration id): one job per key waits, one runs. */
  key: string;
  /** 1 for the first try, then 2, 3 … on retries. */
  attempt: number;
  /** No retry follows if this try fails (the queue gives the job up). */
  lastAttempt?: boolean;
}

/** "more": the job's key has work waiting that a new job should take (JobQueue.work). */
export type JobOutcome = void | "more";

export interface JobQueue {
  readonly backend: "database" | "pg-boss";
  /**
   * Asks for a job. While one for the same key waits, the request is merged into it. While one
   * runs, another waits behind it (database) or none is made (pg-boss: see pgboss-queue.server.ts),
   * so the handler takes what was asked meanwhile before it ends (processSyncJob does). Nothing is
   * lost (the job reads what to do when it starts, and again after each run).
   */
  send(job: { shop: string; key: string }): Promise<void>;
  /**
   * Starts working: one job per key at a time; a thrown error retries the job with backoff. A
   * handler that stops with work of its key still waiting (to let other keys' jobs have their
   * turn) returns "more": a job of the key then follows this one (pg-boss makes it; the database
   * queue has it already, as a request made while a job runs is queued behind it).
   */
  work(handler: (job: QueuedJob) => Promise<JobOutcome>): Promise<void>;
  /** Deletes every job of a shop, waiting, running or done (shop/redact). */
  forgetShop(shop: string): Promise<void>;
  stop(): Promise<void>;
}

/** Retries of a failing job before it is given up (the integration then shows its error). */
export const MAX_ATTEMPTS = 5;

/** Exponential backoff with jitter: 30 s, 1 min, 2 min … capped at 1 h. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}
