// Multi-row INSERTs for the bulk writes of a sync (new products, variants, values, history,
// links, passports). Prisma's createMany costs ~0.2 ms per row in its query compiler, and even a
// raw multi-row statement pays Prisma's mapping for every bound value. Here a whole batch travels
// as ONE JSON parameter that the database unpacks itself (SQLite json_each, PostgreSQL
// json_populate_recordset). Rows must be complete (ids and timestamps included: defaults of the
// Prisma schema are not applied) and belong to the shop of the transaction.
import { isPostgres } from "../db.server";
import { CrossShopWriteError, type ShopTx } from "../db/scoped.server";

type Value = string | number | boolean | Date | null;
export type Row = Record<string, Value>;

/** Rows per statement: large enough to amortize the call, small enough to bound memory. */
const ROWS_PER_STATEMENT = 2000;

/** The JSON form of a value as the column stores it (SQLite: Prisma's date text, 0/1 booleans). */
function jsonValue(value: Value | undefined, postgres: boolean): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return postgres ? value.toISOString() : value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean" && !postgres) return value ? 1 : 0;
  return value;
}

export async function insertRows(tx: Pick<ShopTx, "$executeRawUnsafe" | "shopDomain">, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (const row of rows) {
    if (row.shop !== tx.shopDomain) throw new CrossShopWriteError(table, tx.shopDomain, row.shop);
  }
  const postgres = isPostgres();
  const list = columns.map((c) => `"${c}"`).join(", ");
  const sql = postgres
    ? `INSERT INTO "${table}" (${list}) SELECT ${list} FROM json_populate_recordset(NULL::"${table}", $1::json)`
    : `INSERT INTO "${table}" (${list}) SELECT ${columns.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?)`;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    // PostgreSQL matches JSON keys to columns; SQLite reads arrays by position (smaller, faster).
    const payload = postgres
      ? part.map((row) => Object.fromEntries(columns.map((c) => [c, jsonValue(row[c], true)])))
      : part.map((row) => columns.map((c) => jsonValue(row[c], false)));
    await tx.$executeRawUnsafe(sql, JSON.stringify(payload));
  }
}
