// Multi-row INSERTs for the bulk writes of a sync (new products, variants, values, history,
// links, passports). Prisma's createMany costs ~0.2 ms per row in its query compiler; a raw
// multi-row statement costs that per statement. Rows must be complete (ids and timestamps
// included: database defaults of the Prisma schema are not applied) and belong to the shop of
// the transaction.
import { isPostgres, SQLITE_MAX_BIND_VALUES } from "../db.server";
import { CrossShopWriteError, type ShopTx } from "../db/scoped.server";

type Value = string | number | boolean | Date | Uint8Array | null;
export type Row = Record<string, Value>;

const POSTGRES_MAX_BIND_VALUES = 65_535;
/** Rows per statement: large enough to amortize the call, small enough to keep statements sane. */
const MAX_ROWS_PER_STATEMENT = 2000;

export async function insertRows(tx: Pick<ShopTx, "$executeRawUnsafe" | "shopDomain">, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (const row of rows) {
    if (row.shop !== tx.shopDomain) throw new CrossShopWriteError(table, tx.shopDomain, row.shop);
  }
  const postgres = isPostgres();
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor((postgres ? POSTGRES_MAX_BIND_VALUES : SQLITE_MAX_BIND_VALUES) / columns.length)));
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const part = rows.slice(start, start + perStatement);
    const params: Value[] = [];
    const tuples = part.map((row) => {
      const marks = columns.map((column) => {
        const value = row[column] ?? null;
        // SQLite has no boolean type: Prisma stores them as 0/1.
        params.push(!postgres && typeof value === "boolean" ? Number(value) : value);
        return postgres ? `$${params.length}` : "?";
      });
      return `(${marks.join(", ")})`;
    });
    await tx.$executeRawUnsafe(head + tuples.join(", "), ...params);
  }
}
