// Background work inside the web process: the job worker and the sync schedule. One npm process
// is the whole app; with PostgreSQL several processes share the work through pg-boss.
import { db, isPostgres } from "./db.server";
import { expireAllUploads } from "./integrations/excel/uploads.server";
import { jobQueue } from "./jobs/index.server";
import { closeInterruptedRuns, enqueueDueSyncs, processSyncJob, requeueWaitingRequests } from "./jobs/sync-jobs.server";

/** How often the schedule looks for integrations due a sync. */
const SCHEDULE_EVERY_MS = Number(process.env.PASSPORT_SCHEDULE_MS || 60_000);

/**
 * Processed webhook events and finished jobs are kept a week (for support), then deleted; uploads
 * not imported within a week expire (their files are deleted).
 */
const KEEP_MS = 7 * 24 * 3600_000;

async function pruneHousekeeping(client: typeof db): Promise<void> {
  const before = new Date(Date.now() - KEEP_MS);
  await client.webhookEvent.deleteMany({ where: { processedAt: { lt: before } } });
  await client.job.deleteMany({ where: { status: { in: ["done", "failed"] }, finishedAt: { lt: before } } });
  await expireAllUploads(client);
  // SQLite keeps its query planner's statistics current this way (cheap when nothing changed).
  if (!isPostgres()) await client.$executeRawUnsafe("PRAGMA optimize");
}

let started = false;

export function startBackgroundWork(): void {
  if (started || process.env.PASSPORT_BACKGROUND === "off") return;
  started = true;
  const queue = jobQueue();
  void queue.work(processSyncJob).catch((e: unknown) => console.error("Passport: the job worker could not start:", e instanceof Error ? e.message : e));
  const tick = async () => {
    try {
      await closeInterruptedRuns(db);
      await enqueueDueSyncs(queue, db);
      await requeueWaitingRequests(queue, db);
      await pruneHousekeeping(db);
    } catch (e) {
      console.error("Passport: the sync schedule failed:", e instanceof Error ? e.message : e);
    }
  };
  void tick();
  setInterval(() => void tick(), SCHEDULE_EVERY_MS).unref();
}
