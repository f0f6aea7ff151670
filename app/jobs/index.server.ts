// The process's job queue: pg-boss on PostgreSQL, the app's own database otherwise.
// PASSPORT_QUEUE=database forces the embedded queue (e.g. one instance on PostgreSQL).
import { db } from "../db.server";
import { config } from "../config.server";
import { DbJobQueue } from "./db-queue.server";
import { PgBossJobQueue } from "./pgboss-queue.server";
import type { JobQueue } from "./queue";

declare global {
  var __passportQueue: JobQueue | undefined;
}

export function createJobQueue(): JobQueue {
  const target = config().database;
  if (target.provider === "postgresql" && process.env.PASSPORT_QUEUE !== "database") return new PgBossJobQueue(target.url);
  return new DbJobQueue(db);
}

export function jobQueue(): JobQueue {
  return (globalThis.__passportQueue ??= createJobQueue());
}
