// Bulk SQL of a sync: inserts and updates of many rows (products, variants, values, history,
// links, passports) and reads by long id lists. Prisma's createMany costs ~0.2 ms per row in its query
// compiler, and even a raw statement pays Prisma's mapping for every bound value and result. On
// SQLite, Prisma's transaction is BEGIN … COMMIT on one better-sqlite3 connection, so these run
// as plain prepared statements on that connection (as fast as SQLite goes). On PostgreSQL a batch
// travels as ONE JSON parameter that the database unpacks (json_populate_recordset). Rows must be
// complete (ids and timestamps included: defaults of the Prisma schema are not applied) and
// belong to the shop of the transaction.
import { isPostgres, sqliteWriteAllowed, type SqliteConnection } from "../db.server";
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
  const statement = (columns: string[]) => {
    const list = columns.map((c) => `"${c}"`).join(", ");
    const values = tx.sqlite ? `VALUES (${columns.map(() => "?").join(", ")})` : `SELECT ${list} FROM json_populate_recordset(NULL::"${table}", $1::json)`;
    return { sql: `INSERT INTO "${table}" (${list}) ${values}`, order: columns };
  };
  await writeRows(tx, table, shopRows(tx.shopDomain, table, rows), statement, "insertRows");
}

/**
 * Updates existing rows of the shop, each found by its `key` columns (a unique key); every row
 * sets the same other columns (updatedAt included: Prisma's @updatedAt is not applied). A row
 * that is not there fails the call, as Prisma's update would. When a key comes twice, the later
 * row wins, as with one update after the other (PostgreSQL would pick either).
 */
export async function updateRows(tx: Pick<ShopTx, "$executeRawUnsafe" | "shopDomain" | "sqlite">, table: string, key: readonly string[], rows: Iterable<Row>): Promise<void> {
  const statement = (columns: string[]) => {
    const set = columns.filter((c) => c !== "shop" && !key.includes(c));
    const match = ["shop", ...key];
    return tx.sqlite
      ? { sql: `UPDATE "${table}" SET ${set.map((c) => `"${c}" = ?`).join(", ")} WHERE ${match.map((c) => `"${c}" = ?`).join(" AND ")}`, order: [...set, ...match] }
      : {
          sql: `UPDATE "${table}" AS t SET ${set.map((c) => `"${c}" = j."${c}"`).join(", ")} FROM json_populate_recordset(NULL::"${table}", $1::json) AS j WHERE ${match.map((c) => `t."${c}" = j."${c}"`).join(" AND ")}`,
          order: columns,
        };
  };
  await writeRows(tx, table, lastRowPerKey(shopRows(tx.shopDomain, table, rows), key), statement, "updateRows");
}

function lastRowPerKey(rows: Iterable<Row>, key: readonly string[]): Iterable<Row> {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const id = JSON.stringify(key.map((c) => row[c]));
    byKey.delete(id); // re-added at the end: rows keep the order of their last occurrence
    byKey.set(id, row);
  }
  return byKey.values();
}

function* shopRows(shop: string, table: string, rows: Iterable<Row>): Generator<Row> {
  for (const row of rows) {
    if (row.shop !== shop) throw new CrossShopWriteError(table, shop, row.shop);
    yield row;
  }
}

/** A statement for rows with these columns, and the columns in the order it takes them. */
type StatementFor = (columns: string[]) => { sql: string; order: string[] };

/**
 * Writes rows with the statement made for the first row's columns (every row has the same): on
 * SQLite run once per row, on PostgreSQL once per batch. Each row must change exactly one row.
 */
async function writeRows(tx: Pick<ShopTx, "$executeRawUnsafe" | "sqlite">, table: string, rows: Iterable<Row>, statementFor: StatementFor, caller: string): Promise<void> {
  if (tx.sqlite) await sqliteWriteAllowed(tx.sqlite);
  const changed = tx.sqlite ? writeWithStatement(tx.sqlite, table, rows, statementFor, caller) : await writeAsJson(tx, rows, statementFor);
  if (changed.rows !== changed.changes) throw new Error(`${caller}(${table}): ${changed.rows} rows given, ${changed.changes} written (a row to update is missing)`);
}

/** SQLite: one prepared statement run per row, on the transaction's own connection. */
function writeWithStatement(sqlite: SqliteConnection, table: string, rows: Iterable<Row>, statementFor: StatementFor, caller: string): { rows: number; changes: number } {
  // Outside a transaction every row would commit on its own (and not roll back with the rest).
  if (!sqlite.inTransaction) throw new Error(`${caller}(${table}) must run inside a transaction`);
  let statement: { run(values: unknown[]): { changes: number } } | null = null;
  let order: string[] = [];
  let values: unknown[] = [];
  let count = 0;
  let changes = 0;
  // The rows of a run share their timestamps: each is formatted once.
  let lastTime = NaN;
  let lastDateText = "";
  for (const row of rows) {
    if (!statement) {
      const made = statementFor(Object.keys(row));
      order = made.order;
      values = new Array<unknown>(order.length);
      statement = sqlite.prepare(made.sql);
    }
    for (let i = 0; i < order.length; i++) {
      const value = row[order[i]];
      if (value instanceof Date) {
        if (value.getTime() !== lastTime) {
          lastTime = value.getTime();
          lastDateText = jsonValue(value, false) as string;
        }
        values[i] = lastDateText;
      } else values[i] = jsonValue(value, false);
    }
    changes += statement.run(values).changes;
    count++;
  }
  return { rows: count, changes };
}

/** PostgreSQL: a batch of rows per statement as ONE JSON parameter, unpacked by the database. */
async function writeAsJson(tx: Pick<ShopTx, "$executeRawUnsafe">, rows: Iterable<Row>, statementFor: StatementFor): Promise<{ rows: number; changes: number }> {
  let made: { sql: string; order: string[] } | null = null;
  let batch: string[] = [];
  let chars = 0;
  let count = 0;
  let changes = 0;
  const send = async () => {
    changes += await tx.$executeRawUnsafe(made!.sql, `[${batch.join(",")}]`);
    batch = [];
    chars = 0;
  };
  for (const row of rows) {
    made ??= statementFor(Object.keys(row));
    const json = JSON.stringify(Object.fromEntries(made.order.map((c) => [c, jsonValue(row[c], true)])));
    batch.push(json);
    chars += json.length;
    count++;
    if (batch.length >= ROWS_PER_STATEMENT || chars >= CHARS_PER_STATEMENT) await send();
  }
  if (batch.length) await send();
  return { rows: count, changes };
}
