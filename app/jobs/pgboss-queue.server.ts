// The job queue on PostgreSQL through pg-boss, so several app instances share the work. The
// "stately" policy with the key as singleton key allows one waiting and one running job per key;
// pg-boss retries failures with backoff and re-runs jobs of a crashed worker once they expire.
import PgBoss from "pg-boss";
import { MAX_ATTEMPTS, type JobQueue, type QueuedJob } from "./queue";

const QUEUE = "passport-sync";

export interface PgBossQueueOptions {
  pollingIntervalSeconds?: number;
  retryDelaySeconds?: number;
  /**
   * A job running longer than this is taken as crashed and retried (pg-boss 10 has no heartbeat).
   * The retry runs the interrupted sync again; if that sync is in fact still going (a long bulk
   * export), its fresh run heartbeat makes the retry wait instead (processSyncJob).
   */
  expireInSeconds?: number;
}

export class PgBossJobQueue implements JobQueue {
  readonly backend = "pg-boss" as const;
  private readonly boss: PgBoss;
  private started: Promise<void> | undefined;

  constructor(
    connectionString: string,
    private readonly options: PgBossQueueOptions = {},
  ) {
    this.boss = new PgBoss({ connectionString, schema: "pgboss", max: 4 });
    this.boss.on("error", (error: Error) => console.error("pg-boss:", error.message));
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      await this.boss.createQueue(QUEUE, {
        name: QUEUE,
        policy: "stately",
        retryLimit: MAX_ATTEMPTS - 1,
        retryDelay: this.options.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: this.options.expireInSeconds ?? 3600,
      });
    })();
    return this.started;
  }

  async send(job: { shop: string; key: string }): Promise<void> {
    await this.start();
    // null means one is already waiting for this key: the request is merged into it.
    await this.boss.send(QUEUE, job, { singletonKey: job.key });
  }

  /** pg-boss keeps jobs (with their shop) in its own tables, which deleting the shop's rows does not reach. */
  async forgetShop(shop: string): Promise<void> {
    await this.start();
    for (const table of ["job", "archive"]) {
      await this.boss.getDb().executeSql(`DELETE FROM pgboss.${table} WHERE name = $1 AND data->>'shop' = $2`, [QUEUE, shop]);
    }
  }

  async work(handler: (job: QueuedJob) => Promise<void>): Promise<void> {
    await this.start();
    await this.boss.work<{ shop: string; key: string }>(
      QUEUE,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
      async ([job]) => {
        await handler({ shop: job.data.shop, key: job.data.key, attempt: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit });
      },
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
