// The environment of a benchmark process: a fresh migrated SQLite file (the committed migrations,
// applied with better-sqlite3, as test/support/database.ts does) and the app's configuration.
// Set it before the first import of an app module: app/db.server.ts opens DATABASE_URL on load.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { committedMigrations } from "../../test/support/database";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const BENCH_SHOP = "passport-bench.myshopify.com";
export const BENCH_API_KEY = "passport-bench-api-key";
export const BENCH_API_SECRET = "passport-bench-api-secret-0123456789";
export const BENCH_ENCRYPTION_KEY = "4b1d2c3e4f5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/** A temporary directory for one benchmark's files (removed by `removeDir` unless BENCH_KEEP=1). */
export function benchDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `passport-bench-${name}-`));
}

export function removeDir(dir: string): void {
  if (process.env.BENCH_KEEP === "1") {
    process.stderr.write(`(BENCH_KEEP=1: kept ${dir})\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Creates `file` with every migration applied, in WAL mode (as the app opens it). */
export function migratedSqliteFile(file: string): string {
  const sqlite = new Database(file);
  for (const { sql } of committedMigrations("prisma/migrations")) sqlite.exec(sql);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  return file;
}

/** The app's configuration for an in-process benchmark (never NODE_ENV=production: the simulator is refused there). */
export function configureAppEnv(databaseFile: string): void {
  process.env.NODE_ENV = "test";
  process.env.DATABASE_URL = `file:${databaseFile}`;
  process.env.PASSPORT_BACKGROUND = "off";
  process.env.ENCRYPTION_KEY = BENCH_ENCRYPTION_KEY;
  process.env.SHOPIFY_API_KEY = BENCH_API_KEY;
  process.env.SHOPIFY_API_SECRET = BENCH_API_SECRET;
  process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1:3999";
  delete process.env.PASSPORT_TEST_DB;
}

/** The tables a sync run writes, in an order that satisfies their foreign keys. */
export const SYNC_TABLES = ["Product", "Variant", "FieldValue", "FieldChange", "ExternalLink", "Passport", "PassportVersion", "SyncRun"] as const;

/**
 * A query before the measured work, as a running app has made many before a merchant uploads or
 * downloads: Prisma's query compiler (WebAssembly) is loaded on the first, which is not the work's.
 */
export async function warmDatabaseClient(db: { shop: { findFirst(args: { select: { shop: true } }): Promise<unknown> } }): Promise<void> {
  await db.shop.findFirst({ select: { shop: true } });
}

/** Row counts of the given tables (read with a separate read-only connection). */
export function rowCounts(databaseFile: string, tables: readonly string[] = SYNC_TABLES): Record<string, number> {
  const sqlite = new Database(databaseFile, { readonly: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = (sqlite.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    return counts;
  } finally {
    sqlite.close();
  }
}

