// Prisma CLI configuration. One data model (prisma/schema.prisma); the PostgreSQL copy of it is
// derived by scripts/setup.mjs. The JS schema engine runs offline through the driver adapter.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { databaseTarget } from "./app/db/target";

const target = databaseTarget(process.env.DATABASE_URL);
// The schema names env("DATABASE_URL") for the CLI; the app itself connects through adapters.
process.env.DATABASE_URL = target.url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", target.provider === "postgresql" ? "postgres/schema.prisma" : "schema.prisma"),
  migrations: {
    path: path.join("prisma", target.provider === "postgresql" ? "postgres/migrations" : "migrations"),
  },
  async adapter() {
    if (target.provider === "postgresql") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      await reportNameColumnsAsText();
      return new PrismaPg({ connectionString: target.url });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: target.file });
  },
});

/**
 * Prisma's JS schema engine cannot read PostgreSQL's `name` and `"char"` columns through adapter-pg
 * (prisma/orm#27403): every migrate command fails on "Column type 'name' could not be
 * deserialized". Both are short text, so the CLI reports them as text.
 */
async function reportNameColumnsAsText() {
  const { default: pg } = await import("pg");
  // System catalog types the engine reads: "char" (18), name (19) → text; name[] (1003) → text[].
  const asText = new Map([[18, 25], [19, 25], [1002, 1009], [1003, 1009]]);
  const proto = pg.Result.prototype as unknown as { addFields(fields: { dataTypeID: number }[]): void };
  const addFields = proto.addFields;
  proto.addFields = function (fields) {
    for (const field of fields) field.dataTypeID = asText.get(field.dataTypeID) ?? field.dataTypeID;
    addFields.call(this, fields);
  };
}
