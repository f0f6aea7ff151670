// A fresh, migrated database per test file: SQLite by default, PostgreSQL when
// PASSPORT_TEST_DB=postgres (CI runs the suite both ways). Migrations are the committed ones.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

/** The committed migrations of a provider (a folder under the project root), oldest first: their names and SQL. */
export function committedMigrations(dir: string): { name: string; sql: string }[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(root, dir, name, "migration.sql"), "utf8") }));
}

export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  provider: "sqlite" | "postgresql";
  /** The SQLite file (for the "no plaintext token on disk" check). */
  file?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.PASSPORT_TEST_DB === "postgres") {
    const database = await emptyPostgresDatabase("passport_test");
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    for (const { sql } of committedMigrations("prisma/postgres/migrations")) await client.query(sql);
    await client.end();
    return { ...database, provider: "postgresql" };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
  const file = path.join(dir, "test.db");
  const sqlite = new Database(file);
  for (const { sql } of committedMigrations("prisma/migrations")) sqlite.exec(sql);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  return {
    url: `file:${file}`,
    provider: "sqlite",
    file,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty PostgreSQL database of its own (name starting with `prefix`), and how to drop it. */
export async function emptyPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${name}` }).toString(),
    async drop() {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
