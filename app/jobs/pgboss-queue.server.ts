// The job queue on PostgreSQL through pg-boss, so several app instances share the work. The
// "stately" policy with the key as singleton key allows one waiting and one running job per key;
// pg-boss retries failures with backoff and re-runs jobs of a crashed worker once they expire.
//
// No job is created for a key whose job runs (or waits to retry). pg-boss hands out the oldest
// waiting job whatever its key: a second job of a running key cannot start (one active per key),
// pg-boss swallows the error and picks the same job again at the next fetch, and no other shop's
// job starts until the running one ends, hours for a bulk sync (timgit/pg-boss#535, "expected").
// So send() asks for nothing then: the request is already recorded in the integration (requestSync)
// and the running job takes it after its run (processSyncJob runs requests until none waits); a
// job waiting to retry takes it when it runs. A key's job that starts between the check and the
// send is caught by a second check, which takes the new job back. What remains of the race (the
// running job made its last check just before the request came) is a request that waits for
// requeueWaitingRequests (every ten minutes), never other shops' jobs held up.
import PgBoss from "pg-boss";
import { MAX_ATTEMPTS, type JobOutcome, type JobQueue, type QueuedJob } from "./queue";

const QUEUE = "passport-sync";
/** How long a key's next job made by its ending job waits (sendAfter). */
const NEXT_JOB_AFTER_SECONDS = 3;

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
    if (await this.keyIsBusy(job.key)) return; // its job takes the request (see above)
    // null means one is already waiting for this key: the request is merged into it.
    const id = await this.boss.send(QUEUE, job, { singletonKey: job.key });
    // The key's waiting job may have started just before the send, which then made a second one.
    if (id && (await this.keyIsBusy(job.key, id))) {
      await this.boss.getDb().executeSql(`DELETE FROM pgboss.job WHERE id = $1 AND state = 'created'`, [id]);
    }
  }

  /** Whether a job of the key (other than `except`) runs or waits to retry. */
  private async keyIsBusy(key: string, except: string | null = null): Promise<boolean> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`SELECT 1 FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state IN ('retry', 'active') AND id IS DISTINCT FROM $3::uuid LIMIT 1`, [QUEUE, key, except]);
    return rows.length > 0;
  }

  /** pg-boss keeps jobs (with their shop) in its own tables, which deleting the shop's rows does not reach. */
  async forgetShop(shop: string): Promise<void> {
    await this.start();
    for (const table of ["job", "archive"]) {
      await this.boss.getDb().executeSql(`DELETE FROM pgboss.${table} WHERE name = $1 AND data->>'shop' = $2`, [QUEUE, shop]);
    }
  }

  async work(handler: (job: QueuedJob) => Promise<JobOutcome>): Promise<void> {
    await this.start();
    await this.boss.work<{ shop: string; key: string }>(
      QUEUE,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
      async ([job]) => {
        const outcome = await handler({ shop: job.data.shop, key: job.data.key, attempt: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit });
        if (outcome === "more") await this.sendAfter(job.data);
      },
    );
  }

  /**
   * The key's next job, made by its running job as it ends: send() would make none (the key is
   * busy until pg-boss marks this job completed, just after). It starts a few seconds later, when
   * this one is no longer active, so it never holds up other keys' jobs (see above).
   */
  private async sendAfter(job: { shop: string; key: string }): Promise<void> {
    await this.boss.send(QUEUE, job, { singletonKey: job.key, startAfter: NEXT_JOB_AFTER_SECONDS });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
