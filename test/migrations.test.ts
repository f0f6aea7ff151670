// Migrations that reshape a table keep what merchants already have: the committed migrations up
// to the one under test are applied to a fresh database, rows are written the old way, and the
// migration must bring every one of them across. SQLite here; PostgreSQL too in the PostgreSQL run.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { committedMigrations, emptyPostgresDatabase } from "./support/database";

/** The migrations of a provider split at the one named `name`: those before it, and its SQL. */
function migrationsUpTo(dir: string, name: string): { before: string[]; migration: string } {
  const all = committedMigrations(dir);
  const at = all.findIndex((m) => m.name.endsWith(`_${name}`));
  if (at < 0) throw new Error(`no migration ${name} in ${dir}`);
  return { before: all.slice(0, at).map((m) => m.sql), migration: all[at].sql };
}

/** Runs `fn` on a throw-away PostgreSQL database, dropped afterwards. */
async function withPostgres(fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const database = await emptyPostgresDatabase("passport_migration_test");
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    await fn(client);
  } finally {
    await client.end();
    await database.drop();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), "passport-migration-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OLD_VALUES = [
  { id: "v1", shop: "a.myshopify.com", entityId: "p1", field: "title", locale: "en", value: '"Tee"', sourceId: "i1", editedBy: null, createdSource: "Shopify" },
  { id: "v2", shop: "a.myshopify.com", entityId: "p1", field: "title", locale: "de", value: '"T-Shirt"', sourceId: null, editedBy: "ann@example.com", createdSource: null },
  { id: "v3", shop: "b.myshopify.com", entityId: "v9", field: "sku", locale: "", value: '"TEE-S"', sourceId: "i2", editedBy: null, createdSource: "Excel upload" },
];
const COLUMNS = ["shop", "entityId", "field", "locale", "value", "sourceId", "editedBy", "createdSource"] as const;
const byKey = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => `${a.entityId}|${a.field}|${a.locale}`.localeCompare(`${b.entityId}|${b.field}|${b.locale}`));
const withoutId = OLD_VALUES.map(({ id: _id, ...rest }) => rest);

describe("migration field_value_natural_key (a value is known by entity, field and locale)", () => {
  it("keeps every stored value on SQLite, drops the id and stores the rows in key order", () => {
    const { before, migration } = migrationsUpTo("prisma/migrations", "field_value_natural_key");
    const sqlite = new Database(path.join(dir, "field-value.db"));
    for (const sql of before) sqlite.exec(sql);
    const insert = sqlite.prepare(`INSERT INTO "FieldValue" ("id", ${COLUMNS.map((c) => `"${c}"`).join(", ")}, "updatedAt") VALUES (?, ${COLUMNS.map(() => "?").join(", ")}, '2026-11-01T10:00:00.000+00:00')`);
    for (const v of OLD_VALUES) insert.run(v.id, ...COLUMNS.map((c) => v[c]));

    sqlite.exec(migration);

    const rows = sqlite.prepare(`SELECT ${COLUMNS.map((c) => `"${c}"`).join(", ")} FROM "FieldValue"`).all() as Record<string, unknown>[];
    expect(byKey(rows)).toEqual(byKey(withoutId));
    const columns = (sqlite.prepare(`SELECT "name" FROM pragma_table_info('FieldValue')`).all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain("id");
    const table = sqlite.prepare(`SELECT "sql" FROM sqlite_master WHERE "name" = 'FieldValue'`).get() as { sql: string };
    expect(table.sql).toMatch(/WITHOUT ROWID/);
    // The key holds: a second value for the same entity, field and locale is refused.
    expect(() => sqlite.prepare(`INSERT INTO "FieldValue" ("shop", "entityId", "field", "locale", "value", "updatedAt") VALUES ('a.myshopify.com', 'p1', 'title', 'en', '"Other"', '2026-11-02')`).run()).toThrow(
      /UNIQUE constraint failed/,
    );
    sqlite.close();
  });

  it("stays WITHOUT ROWID after every later migration (Prisma's own table rebuilds would drop it)", () => {
    const sqlite = new Database(path.join(dir, "latest.db"));
    for (const { sql } of committedMigrations("prisma/migrations")) sqlite.exec(sql);
    const table = sqlite.prepare(`SELECT "sql" FROM sqlite_master WHERE "name" = 'FieldValue'`).get() as { sql: string };
    expect(table.sql).toMatch(/WITHOUT ROWID/);
    sqlite.close();
  });

  it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("keeps every stored value on PostgreSQL and drops the id", async () => {
    const { before, migration } = migrationsUpTo("prisma/postgres/migrations", "field_value_natural_key");
    await withPostgres(async (client) => {
      for (const sql of before) await client.query(sql);
      for (const v of OLD_VALUES) {
        await client.query(`INSERT INTO "FieldValue" ("id", ${COLUMNS.map((c) => `"${c}"`).join(", ")}, "updatedAt") VALUES ($1, ${COLUMNS.map((_, i) => `$${i + 2}`).join(", ")}, now())`, [
          v.id,
          ...COLUMNS.map((c) => v[c]),
        ]);
      }

      await client.query(migration);

      const { rows } = await client.query<Record<string, unknown>>(`SELECT ${COLUMNS.map((c) => `"${c}"`).join(", ")} FROM "FieldValue"`);
      expect(byKey(rows)).toEqual(byKey(withoutId));
      const { rows: columns } = await client.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'FieldValue'`);
      expect(columns.map((c) => c.column_name)).not.toContain("id");
      await expect(client.query(`INSERT INTO "FieldValue" ("shop", "entityId", "field", "locale", "value", "updatedAt") VALUES ('a.myshopify.com', 'p1', 'title', 'en', '"Other"', now())`)).rejects.toThrow(
        /duplicate key/,
      );
    });
  });
});

describe("migration upload_bytes_apart (an upload's file and records in UploadBytes)", () => {
  const file = Buffer.from("PK\u0003\u0004 the workbook");
  const records = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);
  const expected = [
    { shop: "a.myshopify.com", uploadId: "u1", kind: "file", bytes: file },
    { shop: "a.myshopify.com", uploadId: "u1", kind: "records", bytes: records },
    { shop: "b.myshopify.com", uploadId: "u2", kind: "file", bytes: file },
  ];

  it("moves the bytes of waiting uploads on SQLite, and none of those done with", () => {
    const { before, migration } = migrationsUpTo("prisma/migrations", "upload_bytes_apart");
    const sqlite = new Database(path.join(dir, "upload-bytes.db"));
    for (const sql of before) sqlite.exec(sql);
    const insert = sqlite.prepare(`INSERT INTO "Upload" ("id", "shop", "integrationId", "fileName", "file", "records", "status", "updatedAt") VALUES (?, ?, 'i', 'a.xlsx', ?, ?, ?, '2026-11-01')`);
    insert.run("u1", "a.myshopify.com", file, records, "previewed");
    insert.run("u2", "b.myshopify.com", file, null, "invalid");
    insert.run("u3", "a.myshopify.com", Buffer.alloc(0), null, "committed");

    sqlite.exec(migration);

    const rows = sqlite.prepare(`SELECT "shop", "uploadId", "kind", "bytes" FROM "UploadBytes" ORDER BY "uploadId", "kind"`).all();
    expect(rows).toEqual(expected);
    expect((sqlite.prepare(`SELECT "id", "status" FROM "Upload" ORDER BY "id"`).all() as { id: string }[]).map((u) => u.id)).toEqual(["u1", "u2", "u3"]);
    sqlite.close();
  });

  it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("moves the bytes of waiting uploads on PostgreSQL", async () => {
    const { before, migration } = migrationsUpTo("prisma/postgres/migrations", "upload_bytes_apart");
    await withPostgres(async (client) => {
      for (const sql of before) await client.query(sql);
      const insert = `INSERT INTO "Upload" ("id", "shop", "integrationId", "fileName", "file", "records", "status", "updatedAt") VALUES ($1, $2, 'i', 'a.xlsx', $3, $4, $5, now())`;
      await client.query(insert, ["u1", "a.myshopify.com", file, records, "previewed"]);
      await client.query(insert, ["u2", "b.myshopify.com", file, null, "invalid"]);
      await client.query(insert, ["u3", "a.myshopify.com", Buffer.alloc(0), null, "committed"]);

      await client.query(migration);

      const { rows } = await client.query(`SELECT "shop", "uploadId", "kind", "bytes" FROM "UploadBytes" ORDER BY "uploadId", "kind"`);
      expect(rows).toEqual(expected);
    });
  });
});

describe("migration status_owned_by_primary (Product status for shops connected before the field)", () => {
  // a: its primary was never given the field; b: the merchant switched the field off; c: no primary.
  const integrations = [
    { id: "i1", shop: "a.myshopify.com", kind: "shopify", primaryOfShop: "a.myshopify.com" },
    { id: "i2", shop: "a.myshopify.com", kind: "excel", primaryOfShop: null },
    { id: "i3", shop: "b.myshopify.com", kind: "shopify", primaryOfShop: "b.myshopify.com" },
    { id: "i4", shop: "c.myshopify.com", kind: "excel", primaryOfShop: null },
  ];
  const switchedOff = { id: "o1", shop: "b.myshopify.com", field: "status", integrationId: null };
  const expectedOwners = [
    { shop: "a.myshopify.com", field: "status", integrationId: "i1" },
    { shop: "b.myshopify.com", field: "status", integrationId: null },
  ];
  // Only the links of the primary that now owns the field are read again in full.
  const expectedHashes = [
    { id: "l1", hash: null },
    { id: "l2", hash: "h2" },
    { id: "l3", hash: "h3" },
    { id: "l4", hash: "h4" },
  ];
  const links = integrations.map((i, n) => ({ id: `l${n + 1}`, shop: i.shop, integrationId: i.id, hash: `h${n + 1}` }));

  it("gives the field to the primary where nobody has it, on SQLite", () => {
    const { before, migration } = migrationsUpTo("prisma/migrations", "status_owned_by_primary");
    const sqlite = new Database(path.join(dir, "status-owner.db"));
    for (const sql of before) sqlite.exec(sql);
    const addIntegration = sqlite.prepare(`INSERT INTO "Integration" ("id", "shop", "kind", "primaryOfShop", "updatedAt") VALUES (?, ?, ?, ?, '2026-11-01')`);
    for (const i of integrations) addIntegration.run(i.id, i.shop, i.kind, i.primaryOfShop);
    sqlite.prepare(`INSERT INTO "FieldOwnership" ("id", "shop", "field", "integrationId", "updatedAt") VALUES (?, ?, ?, ?, '2026-11-01')`).run(switchedOff.id, switchedOff.shop, switchedOff.field, switchedOff.integrationId);
    const addLink = sqlite.prepare(`INSERT INTO "ExternalLink" ("id", "shop", "integrationId", "entityType", "externalId", "entityId", "hash") VALUES (?, ?, ?, 'product', ?, 'p', ?)`);
    for (const l of links) addLink.run(l.id, l.shop, l.integrationId, l.id, l.hash);

    sqlite.exec(migration);

    expect(sqlite.prepare(`SELECT "shop", "field", "integrationId" FROM "FieldOwnership" ORDER BY "shop"`).all()).toEqual(expectedOwners);
    expect(sqlite.prepare(`SELECT "id", "hash" FROM "ExternalLink" ORDER BY "id"`).all()).toEqual(expectedHashes);
    // The row's time is one Prisma reads back as a date.
    const { updatedAt } = sqlite.prepare(`SELECT "updatedAt" FROM "FieldOwnership" WHERE "shop" = 'a.myshopify.com'`).get() as { updatedAt: string };
    expect(Number.isNaN(new Date(updatedAt).getTime())).toBe(false);
    sqlite.close();
  });

  it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("gives the field to the primary where nobody has it, on PostgreSQL", async () => {
    const { before, migration } = migrationsUpTo("prisma/postgres/migrations", "status_owned_by_primary");
    await withPostgres(async (client) => {
      for (const sql of before) await client.query(sql);
      for (const i of integrations) {
        await client.query(`INSERT INTO "Integration" ("id", "shop", "kind", "primaryOfShop", "updatedAt") VALUES ($1, $2, $3, $4, now())`, [i.id, i.shop, i.kind, i.primaryOfShop]);
      }
      await client.query(`INSERT INTO "FieldOwnership" ("id", "shop", "field", "integrationId", "updatedAt") VALUES ($1, $2, $3, $4, now())`, [switchedOff.id, switchedOff.shop, switchedOff.field, switchedOff.integrationId]);
      for (const l of links) {
        await client.query(`INSERT INTO "ExternalLink" ("id", "shop", "integrationId", "entityType", "externalId", "entityId", "hash") VALUES ($1, $2, $3, 'product', $1, 'p', $4)`, [l.id, l.shop, l.integrationId, l.hash]);
      }

      await client.query(migration);

      expect((await client.query(`SELECT "shop", "field", "integrationId" FROM "FieldOwnership" ORDER BY "shop"`)).rows).toEqual(expectedOwners);
      expect((await client.query(`SELECT "id", "hash" FROM "ExternalLink" ORDER BY "id"`)).rows).toEqual(expectedHashes);
    });
  });
});

describe("migration refused_file_checks (refused file checks say so in their run)", () => {
  const CHECKED = '{"context":{"preview":"upload"},"refused":true}';
  // r1: a check refused before (cleared to "{}"), named by its upload; r2: a failed import, named by
  // none; r3: a failed run an upload names but whose details are not a refused check's (kept).
  const runs = [
    { id: "r1", details: "{}" },
    { id: "r2", details: "{}" },
    { id: "r3", details: '{"context":{"preview":"upload"}}' },
  ];
  const uploads = [
    { id: "u1", preview: '{"status":"rejected","previewRunId":"r1"}' },
    { id: "u2", preview: '{"status":"failed","previewRunId":"r3"}' },
    { id: "u3", preview: null },
  ];
  const expected = [
    { id: "r1", details: CHECKED },
    { id: "r2", details: "{}" },
    { id: "r3", details: '{"context":{"preview":"upload"}}' },
  ];

  it("marks the checks refused before, on SQLite", () => {
    const { before, migration } = migrationsUpTo("prisma/migrations", "refused_file_checks");
    const sqlite = new Database(path.join(dir, "refused-checks.db"));
    for (const sql of before) sqlite.exec(sql);
    const addRun = sqlite.prepare(`INSERT INTO "SyncRun" ("id", "shop", "integrationId", "trigger", "scope", "status", "details") VALUES (?, 'a.myshopify.com', 'i1', 'upload', 'partial', 'failed', ?)`);
    for (const r of runs) addRun.run(r.id, r.details);
    const addUpload = sqlite.prepare(`INSERT INTO "Upload" ("id", "shop", "integrationId", "fileName", "status", "preview", "updatedAt") VALUES (?, 'a.myshopify.com', 'i1', 'f.xlsx', 'rejected', ?, '2026-11-01')`);
    for (const u of uploads) addUpload.run(u.id, u.preview);

    sqlite.exec(migration);

    expect(sqlite.prepare(`SELECT "id", "details" FROM "SyncRun" ORDER BY "id"`).all()).toEqual(expected);
    sqlite.close();
  });

  it.runIf(process.env.PASSPORT_TEST_DB === "postgres")("marks the checks refused before, on PostgreSQL", async () => {
    const { before, migration } = migrationsUpTo("prisma/postgres/migrations", "refused_file_checks");
    await withPostgres(async (client) => {
      for (const sql of before) await client.query(sql);
      for (const r of runs) {
        await client.query(`INSERT INTO "SyncRun" ("id", "shop", "integrationId", "trigger", "scope", "status", "details") VALUES ($1, 'a.myshopify.com', 'i1', 'upload', 'partial', 'failed', $2)`, [r.id, r.details]);
      }
      for (const u of uploads) {
        await client.query(`INSERT INTO "Upload" ("id", "shop", "integrationId", "fileName", "status", "preview", "updatedAt") VALUES ($1, 'a.myshopify.com', 'i1', 'f.xlsx', 'rejected', $2, now())`, [u.id, u.preview]);
      }

      await client.query(migration);

      expect((await client.query(`SELECT "id", "details" FROM "SyncRun" ORDER BY "id"`)).rows).toEqual(expected);
    });
  });
});
