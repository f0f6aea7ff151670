// Bulk SQL of a sync: multi-row inserts (new products, variants, values, history, links,
// passports) and reads by long id lists. Prisma's createMany costs ~0.2 ms per row in its query
// compiler, and even a raw statement pays Prisma's mapping for every bound value and result. On
// SQLite, Prisma's transaction is BEGIN … COMMIT on one better-sqlite3 connection, so these run
// as plain prepared statements on that connection (as fast as SQLite goes). On PostgreSQL a batch
// travels as ONE JSON parameter that the database unpacks (json_populate_recordset). Rows must be
// complete (ids and timestamps included: defaults of the Prisma schema are not applied) and
// belong to the shop of the transaction.
import { isPostgres, type SqliteConnection } from "../db.server";
import { CrossShopWriteError, type ShopTx } from "../db/scoped.server";

type Value = string | number | boolean | Date | null;
export type Row = Record<string, Value>;

/** PostgreSQL: rows per statement, large enough to amortize the call, small enough to bound memory… */
const ROWS_PER_STATEMENT = 2000;
/** …and small enough that the JSON text and its copies stay out of V8's large-object space. */
const CHARS_PER_STATEMENT = 40_000;

/** The JSON form of a value as the column stores it (SQLite: Prisma's date text, 0/1 booleans). */
function jsonValue(value: Value | undefined, postgres: boolean): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return postgres ? value.toISOString() : value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean" && !postgres) return value ? 1 : 0;
  return value;
}

/**
 * SQL condition for the shop's rows whose `column` is in a list: the shop and the list (a JSON
 * array) are the statement's two parameters. One parameter however long the list is, and no
 * per-value mapping by Prisma.
 */
export function inShopAndJsonList(column: string): string {
  if (isPostgres()) return `"shop" = $1 AND ${column} IN (SELECT json_array_elements_text($2::json))`;
  // By primary key, SQLite would otherwise pick a (shop, …) index and read every row of the shop;
  // the unary + keeps the shop condition off the index.
  const shop = column === `"id"` ? `+"shop"` : `"shop"`;
  return `${shop} = ? AND ${column} IN (SELECT value FROM json_each(?))`;
}

/** The placeholder of a raw statement's parameter `n` (1-based): `$n` on PostgreSQL, `?` on SQLite (taken in order). */
export function sqlParam(n: number): string {
  return isPostgres() ? `$${n}` : "?";
}

/**
 * Rows of a raw SELECT. Columns come back as the database has them: booleans are 0/1 on SQLite
 * and dates are text there, so select text and numbers, or normalize. Integers are numbers.
 */
export async function queryRows<T>(tx: Pick<ShopTx, "$queryRawUnsafe" | "sqlite">, sql: string, ...params: unknown[]): Promise<T[]> {
  // (The adapter opens the connection with 64-bit integers as BigInt; our integers are small.)
  return tx.sqlite ? (tx.sqlite.prepare(sql).safeIntegers(false).all(params) as T[]) : tx.$queryRawUnsafe<T[]>(sql, ...params);
}

/** A boolean column read raw: 0/1 on SQLite, true/false on PostgreSQL. */
export type SqlFlag = boolean | number;
export const isSet = (flag: SqlFlag): boolean => flag === true || flag === 1;

/** Rows may come from a generator: they are then built, sent and dropped a few at a time. */
export async function insertRows(tx: Pick<ShopTx, "$executeRawUnsafe" | "shopDomain" | "sqlite">, table: string, rows: Iterable<Row>): Promise<void> {
  const checked = shopRows(tx.shopDomain, table, rows);
  if (tx.sqlite) insertWithStatement(tx.sqlite, table, checked);
  else await insertAsJson(tx, table, checked);
}

function* shopRows(shop: string, table: string, rows: Iterable<Row>): Generator<Row> {
  for (const row of rows) {
    if (row.shop !== shop) throw new CrossShopWriteError(table, shop, row.shop);
    yield row;
  }
}

/** SQLite: one prepared statement run per row, on the transaction's own connection. */
function insertWithStatement(sqlite: SqliteConnection, table: string, rows: Iterable<Row>): void {
  // Outside a transaction every row would commit on its own (and not roll back with the rest).
  if (!sqlite.inTransaction) throw new Error(`insertRows(${table}) must run inside a transaction`);
  let statement: { run(values: unknown[]): unknown } | null = null;
  let columns: string[] = [];
  let values: unknown[] = [];
  // The rows of a run share their timestamps: each is formatted once.
  let lastTime = NaN;
  let lastDateText = "";
  for (const row of rows) {
    if (!statement) {
      columns = Object.keys(row);
      values = new Array<unknown>(columns.length);
      statement = sqlite.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    }
    for (let i = 0; i < columns.length; i++) {
      const value = row[columns[i]];
      if (value instanceof Date) {
        if (value.getTime() !== lastTime) {
          lastTime = value.getTime();
          lastDateText = jsonValue(value, false) as string;
        }
        values[i] = lastDateText;
      } else values[i] = jsonValue(value, false);
    }
    statement.run(values);
  }
}

/** PostgreSQL: a batch of rows per statement as ONE JSON parameter, unpacked by the database. */
async function insertAsJson(tx: Pick<ShopTx, "$executeRawUnsafe">, table: string, rows: Iterable<Row>): Promise<void> {
  let columns: string[] | null = null;
  let sql = "";
  let batch: string[] = [];
  let chars = 0;
  const send = async () => {
    await tx.$executeRawUnsafe(sql, `[${batch.join(",")}]`);
    batch = [];
    chars = 0;
  };
  for (const row of rows) {
    if (!columns) {
      columns = Object.keys(row);
      const list = columns.map((c) => `"${c}"`).join(", ");
      sql = `INSERT INTO "${table}" (${list}) SELECT ${list} FROM json_populate_recordset(NULL::"${table}", $1::json)`;
    }
    const names = columns;
    const json = JSON.stringify(Object.fromEntries(names.map((c) => [c, jsonValue(row[c], true)])));
    batch.push(json);
    chars += json.length;
    if (batch.length >= ROWS_PER_STATEMENT || chars >= CHARS_PER_STATEMENT) await send();
  }
  if (batch.length) await send();
}
