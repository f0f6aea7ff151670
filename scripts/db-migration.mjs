#!/usr/bin/env node
// Migrations for both databases, from the one data model (prisma/schema.prisma).
//   npm run db:migration -- <name>   writes a new migration for SQLite and for PostgreSQL
//   npm run db:migration -- --check  fails when the committed migrations drift from the schema
// Both apply the committed migrations to a fresh throw-away database, read its schema back
// (`db pull`) and diff it against the data model. (Prisma's shadow-database replay does not run
// on the offline JS schema engine, so this does the same by hand.) PostgreSQL uses a database on
// PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);
const check = process.argv.includes("--check");
const name = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (!check && !/^[a-z0-9_]+$/.test(name ?? "")) {
  console.error("usage: npm run db:migration -- <snake_case_name> | --check");
  process.exit(2);
}

execFileSync("node", ["scripts/setup.mjs", "--generate-only"], { stdio: ["ignore", "ignore", "inherit"] });

function prisma(args, databaseUrl) {
  const r = spawnSync("node_modules/.bin/prisma", args, {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  return { ok: r.status === 0, out: r.stdout.replace(/^Loaded Prisma config.*\n/m, ""), err: r.stderr + r.stdout };
}

/** SQL that brings a fresh database with the committed migrations to the data model ("" = none). */
function pendingSql(provider, schema, databaseUrl) {
  const deploy = prisma(["migrate", "deploy"], databaseUrl);
  if (!deploy.ok) throw new Error(`${provider}: migrate deploy failed:\n${deploy.err}`);
  const pulled = prisma(["db", "pull", "--print"], databaseUrl);
  const from = [];
  if (pulled.ok) {
    const file = path.join(tmp, `${provider}-pulled.prisma`);
    writeFileSync(file, pulled.out.slice(pulled.out.indexOf("generator ")));
    from.push("--from-schema-datamodel", file);
  } else if (pulled.err.includes("P4001")) {
    from.push("--from-empty"); // no migration yet
  } else throw new Error(`${provider}: db pull failed:\n${pulled.err}`);
  const diff = prisma(["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], databaseUrl);
  if (!diff.ok) throw new Error(`${provider}: migrate diff failed:\n${diff.err}`);
  return /\b(CREATE|ALTER|DROP|INSERT|UPDATE|PRAGMA)\b/i.test(diff.out) ? diff.out : "";
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "passport-migration-"));
const adminUrl = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const pgName = `passport_migration_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${pgName}`);

const targets = [
  { provider: "sqlite", schema: "prisma/schema.prisma", dir: "prisma/migrations", url: `file:${path.join(tmp, "fresh.db")}` },
  {
    provider: "postgresql",
    schema: "prisma/postgres/schema.prisma",
    dir: "prisma/postgres/migrations",
    url: Object.assign(new URL(adminUrl), { pathname: `/${pgName}` }).toString(),
  },
];
let drift = false;
try {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const t of targets) {
    mkdirSync(t.dir, { recursive: true });
    writeFileSync(path.join(t.dir, "migration_lock.toml"), `# Written by scripts/db-migration.mjs\nprovider = "${t.provider}"\n`);
    const sql = pendingSql(t.provider, t.schema, t.url);
    if (check) {
      if (sql) {
        drift = true;
        console.error(`${t.provider}: the migrations drift from prisma/schema.prisma; missing:\n${sql}`);
      } else console.log(`${t.provider}: migrations match prisma/schema.prisma`);
    } else if (!sql) {
      console.log(`${t.provider}: no schema change`);
    } else {
      const dir = path.join(t.dir, `${stamp}_${name}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "migration.sql"), sql);
      console.log(`${t.provider}: wrote ${dir}/migration.sql`);
    }
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  await admin.end();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(drift ? 1 : 0);
