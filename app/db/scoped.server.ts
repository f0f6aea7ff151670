// Tenancy: the one way to query shop-owned data. `forShop(shop)` returns the database client with
// every read, update and delete filtered by the shop and every create stamped with it, so a query
// cannot reach another shop's rows. A write that names a different shop is refused.
import { asTransactionWork, db as defaultDb, isPostgres, Prisma, sqliteConnectionOf, type Db, type SqliteConnection } from "../db.server";

const scalarFields = Prisma as unknown as Record<string, Record<string, string> | undefined>;
/** Models with a `shop` column (all shop-owned tables). */
export const SHOP_MODELS: readonly string[] = Object.values(Prisma.ModelName).filter(
  (model) => scalarFields[`${model}ScalarFieldEnum`]?.shop === "shop",
);
const shopModels = new Set(SHOP_MODELS);

const FILTERED = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "delete",
  "deleteMany",
  "upsert",
]);

type Args = Record<string, unknown> & { where?: object; data?: unknown; create?: object; update?: object };

export class CrossShopWriteError extends Error {
  constructor(model: string, shop: string, other: unknown) {
    super(`Refused: a ${model} write for shop ${String(other)} through the client of shop ${shop}.`);
  }
}

function stamp(model: string, shop: string, data: unknown): unknown {
  if (!data || typeof data !== "object") return data;
  const row = data as Record<string, unknown>;
  if (row.shop !== undefined && row.shop !== shop) throw new CrossShopWriteError(model, shop, row.shop);
  return { ...row, shop };
}

function checkUnchanged(model: string, shop: string, data: unknown): void {
  const value = (data as Record<string, unknown> | undefined)?.shop;
  if (value !== undefined && value !== shop) throw new CrossShopWriteError(model, shop, value);
}

export function scopeArgs(model: string, operation: string, shop: string, input: unknown): unknown {
  if (!shopModels.has(model)) return input;
  const args = { ...(input as Args) };
  if (FILTERED.has(operation)) args.where = { ...(args.where ?? {}), shop };
  switch (operation) {
    case "create":
      args.data = stamp(model, shop, args.data);
      break;
    case "createMany":
    case "createManyAndReturn":
      args.data = Array.isArray(args.data) ? args.data.map((d) => stamp(model, shop, d)) : stamp(model, shop, args.data);
      break;
    case "upsert":
      args.create = stamp(model, shop, args.create) as object;
      checkUnchanged(model, shop, args.update);
      break;
    case "update":
    case "updateMany":
    case "updateManyAndReturn":
      checkUnchanged(model, shop, args.data);
      break;
  }
  return args;
}

function scopedClient(shop: string, client: Db) {
  return client.$extends({
    name: "shop-scope",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          return query(scopeArgs(model, operation, shop, args) as typeof args);
        },
      },
    },
  });
}

type ScopedClient = ReturnType<typeof scopedClient>;
/**
 * Inside `db.$transaction(async (tx) => …)`: scoped like the client, and knows its shop. On SQLite
 * it also carries the connection the transaction runs on (for bulk writes; see db.server.ts).
 */
export type ShopTx = Parameters<Parameters<ScopedClient["$transaction"]>[0]>[0] & { shopDomain: string; sqlite: SqliteConnection | null };
/** A database client bound to one shop. */
export type ShopDb = Omit<ScopedClient, "$transaction"> & {
  shopDomain: string;
  /** On SQLite, the client's one connection, for plain statements (null on PostgreSQL). */
  sqlite: SqliteConnection | null;
  $transaction<R>(fn: (tx: ShopTx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
};

/** The client (or transaction) with a `shopDomain` property; other properties pass through. */
function withShop<T extends object>(client: T, shop: string, overrides: Record<string | symbol, unknown> = {}): T & { shopDomain: string } {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "shopDomain") return shop;
      if (prop in overrides) return overrides[prop];
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as T & { shopDomain: string };
}

/**
 * On PostgreSQL a shop's transactions take the shop's lock first: one at a time per shop, as on
 * SQLite, whose one connection runs one transaction at a time. Without it two runs of one shop
 * (Shopify's and an Excel import, or a run and a manual edit) both read a passport's version N and
 * write N + 1 (one fails on the unique key), or one writes a version from values the other has
 * changed since. Other shops never wait. (Two keys: a number of our own, and the shop's hash.)
 */
const SHOP_LOCK_SQL = `SELECT pg_advisory_xact_lock(1347440724, hashtext($1))`;

/** How long a shop's transaction waits for its lock: as long as one waits to start on SQLite (db.server's maxWait). */
const SHOP_LOCK_WAIT_MS = 60_000;

async function lockShop(tx: { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> }, shop: string): Promise<void> {
  await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${SHOP_LOCK_WAIT_MS}`);
  await tx.$executeRawUnsafe(SHOP_LOCK_SQL, shop);
}

export function forShop(shop: string, client: Db = defaultDb): ShopDb {
  if (!shop) throw new Error("forShop: a shop is required");
  const scoped = scopedClient(shop, client);
  const transaction = scoped.$transaction.bind(scoped);
  const postgres = isPostgres();
  const $transaction = <R>(fn: (tx: ShopTx) => Promise<R>, options?: { maxWait?: number; timeout?: number }) =>
    asTransactionWork(() =>
      transaction(
        async (tx) => {
          if (postgres) await lockShop(tx, shop);
          return fn(withShop(tx, shop, { sqlite: sqliteConnectionOf(client) }) as ShopTx);
        },
        // The wait for the lock counts in the transaction's time (Prisma's default: 5 s).
        postgres ? { ...options, timeout: (options?.timeout ?? 5_000) + SHOP_LOCK_WAIT_MS } : options,
      ),
    );
  // (A getter: the connection exists once Prisma has connected, on the first query.)
  return withShop(scoped, shop, { $transaction, get sqlite() { return sqliteConnectionOf(client); } }) as unknown as ShopDb;
}

/** Deletes every row of a shop in every shop-owned table (shop/redact). */
export async function deleteShopData(shop: string, client: Db = defaultDb): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const delegates = client as unknown as Record<string, { deleteMany(a: { where: { shop: string } }): Prisma.PrismaPromise<{ count: number }> }>;
  const deletes = SHOP_MODELS.map((model) => delegates[model.charAt(0).toLowerCase() + model.slice(1)].deleteMany({ where: { shop } }));
  // After a run of the shop that is writing now, not between its tables (see SHOP_LOCK_SQL).
  const lock = isPostgres() ? [client.$executeRawUnsafe(SHOP_LOCK_SQL, shop)] : [];
  const results = (await client.$transaction([...lock, ...deletes])).slice(lock.length) as { count: number }[];
  SHOP_MODELS.forEach((model, i) => (counts[model] = results[i].count));
  return counts;
}
