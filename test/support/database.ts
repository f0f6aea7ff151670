// A fresh, migrated database per test file: SQLite by default, PostgreSQL when
// PASSPORT_TEST_DB=postgres (CI runs the suite both ways). Migrations are the committed ones.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

function migrationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(dir, d.name, "migration.sql"))
    .sort();
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
    const name = `passport_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${name}` }).toString();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const file of migrationFiles(path.join(root, "prisma/postgres/migrations"))) await client.query(readFileSync(file, "utf8"));
    await client.end();
    return {
      url,
      provider: "postgresql",
      async drop() {
        const a = new pg.Client({ connectionString: PG_ADMIN_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "passport-test-"));
  const file = path.join(dir, "test.db");
  const sqlite = new Database(file);
  for (const migration of migrationFiles(path.join(root, "prisma/migrations"))) sqlite.exec(readFileSync(migration, "utf8"));
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
