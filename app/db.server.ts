// The database client: SQLite (default) through better-sqlite3, or PostgreSQL when DATABASE_URL
// says so. Both generated clients share one data model, so the rest of the app sees one type.
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite3, { type Database as BetterSqlite3Database } from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.ts";
import { databaseTarget, type DatabaseTarget } from "./db/target";
import { LOG_FILE_LIMIT_BYTES, startCheckpointer } from "./db/sqlite-checkpoints.server";
import { useUnicodeLike } from "./db/sqlite-like";

export type Db = SqliteClient;
export type SqliteConnection = BetterSqlite3Database;
export { Prisma } from "./generated/sqlite/client.ts";

/**
 * A transaction waits up to a minute to start instead of Prisma's 2 s: on SQLite the process has
 * one connection and one transaction at a time, and a sync's run is one transaction, so an edit
 * made meanwhile waits for the run instead of failing.
 */
const TRANSACTION_OPTIONS = { maxWait: 60_000 };

export function createDb(target: DatabaseTarget = databaseTarget(process.env.DATABASE_URL)): Db {
  if (target.provider === "postgresql") {
    const adapter = new PrismaPg({ connectionString: target.url, max: Number(process.env.DATABASE_POOL_SIZE || 10) });
    // Same models and queries; only the SQL dialect differs.
    return new PostgresClient({ adapter, transactionOptions: TRANSACTION_OPTIONS }) as unknown as Db;
  }
  mkdirSync(path.dirname(target.file), { recursive: true });
  // timeout: wait for a lock held by another process (the CLI next to the app) instead of failing.
  const adapter = new TunedSqlite(target.file, { url: target.file, timeout: 15_000 });
  const client = new SqliteClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
  sqliteAdapters.set(client, adapter);
  return client;
}

/** Set while a transaction's own work runs (its callback and what it calls, timers it starts included, until it ends). */
const transactionContext = new AsyncLocalStorage<{ open: boolean }>();

/**
 * Runs a transaction (`start`: the client's `$transaction` call) so that what its callback does,
 * and everything it calls, counts as the transaction's own work (SqliteWriteGate): writes made
 * through the plain client inside it belong to it, as a sync's progress does. forShop's
 * `$transaction` uses it.
 */
export function asTransactionWork<T>(start: () => Promise<T>): Promise<T> {
  const context = { open: true };
  return transactionContext.run(context, start).finally(() => (context.open = false));
}

/**
 * On SQLite the process has one connection, so a statement run while a transaction is open belongs
 * to that transaction: another request's write made meanwhile would be rolled back with it (a sync
 * of one shop failing would silently undo another shop's stored webhook or edit). Writes from
 * outside the open transaction wait until it has ended; reads go on (they see its uncommitted rows,
 * as they always have on this one connection).
 */
class SqliteWriteGate {
  private open = 0;
  private waiting: (() => void)[] = [];

  begin(): void {
    this.open++;
  }

  end(): void {
    if (--this.open > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }

  /** Resolves when a write may run now: inside the open transaction's own work, or when none is open. */
  async pass(): Promise<void> {
    while (this.open > 0 && transactionContext.getStore()?.open !== true) {
      await new Promise<void>((resume) => this.waiting.push(resume));
    }
  }
}

/** Statements that only read; anything else waits at the gate. */
const READ_ONLY = /^\s*(SELECT|PRAGMA|EXPLAIN)\b/i;

const writeGates = new WeakMap<SqliteConnection, SqliteWriteGate>();

/**
 * Waits until a write on this SQLite connection may run (SqliteWriteGate). For the app's own
 * statements beside Prisma (bulk writes, upload bytes); Prisma's go through the gate by themselves.
 */
export async function sqliteWriteAllowed(connection: SqliteConnection): Promise<void> {
  await writeGates.get(connection)?.pass();
}

const sqliteAdapters = new WeakMap<object, TunedSqlite>();

/**
 * The better-sqlite3 connection a SQLite client runs on (null on PostgreSQL). Prisma's
 * transactions on SQLite are BEGIN … COMMIT on this one connection, so statements run on it
 * inside `$transaction` belong to that transaction: the bulk writes of a sync use it for plain
 * prepared statements (bulk-insert.server.ts).
 */
export function sqliteConnectionOf(client: Db): SqliteConnection | null {
  return sqliteAdapters.get(client)?.connection ?? null;
}

/** SQLITE_MAX_VARIABLE_NUMBER of the SQLite bundled with better-sqlite3. */
export const SQLITE_MAX_BIND_VALUES = 32_766;

/**
 * SQLite set up for an app with a web server, a worker and a CLI on one file: write-ahead logging
 * (readers do not wait for the writer), fsync at checkpoints only, and checkpoints on a thread of
 * their own (sqlite-checkpoints.server.ts), on every new connection.
 */
class TunedSqlite extends PrismaBetterSQLite3 {
  connection: SqliteConnection | null = null;
  readonly gate = new SqliteWriteGate();

  constructor(
    private readonly file: string,
    ...options: ConstructorParameters<typeof PrismaBetterSQLite3>
  ) {
    super(...options);
  }

  override async connect() {
    const connection = await super.connect();
    await connection.executeScript(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = ${LOG_FILE_LIMIT_BYTES};`,
    );
    // Our transactions all write. Taking the write lock when they begin (BEGIN IMMEDIATE) makes a
    // second process wait for it (busy timeout) instead of failing with "database is locked" when
    // a read transaction cannot be upgraded after the other process wrote.
    const client = (connection as unknown as { client: SqliteConnection }).client;
    this.connection = client;
    useUnicodeLike(client); // LIKE as on PostgreSQL: a backslash escapes, any letter matches in any case
    writeGates.set(client, this.gate);
    const prepare = client.prepare.bind(client);
    client.prepare = ((sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql)) as typeof client.prepare;
    const checkpointer = startCheckpointer(this.file, {
      setCommitCheckpoints: (pages) => {
        try {
          client.pragma(`wal_autocheckpoint = ${pages}`);
        } catch {
          // The connection is already closed: nothing is left to checkpoint for.
        }
      },
      onFailure: (error) => console.warn(`[db] the SQLite checkpoint thread failed, so commits checkpoint again: ${error.message}`),
    });
    // A process that exits without closing the connection (process.exit in the CLI, a server
    // stopped by a signal) would leave its last writes in the log only: its commits do not
    // checkpoint. Closing the last connection would; this does the same, best effort.
    const checkpointAtExit = () => {
      try {
        // A second at most for a lock another process holds, not the queries' 15 s. While the
        // thread is copying, SQLite answers busy at once (its busy timeout does not wait for
        // another checkpoint): tried again, every 10 ms, within that second.
        client.pragma("busy_timeout = 1000");
        const deadline = Date.now() + 1000;
        const pause = new Int32Array(new SharedArrayBuffer(4));
        while ((client.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[])[0]?.busy !== 0 && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
      } catch {
        // Closed, or inside a transaction: SQLite replays the log at the next open.
      }
    };
    process.once("exit", checkpointAtExit);
    const dispose = connection.dispose.bind(connection);
    connection.dispose = async () => {
      process.off("exit", checkpointAtExit);
      await checkpointer.stop();
      await dispose();
    };
    // Writes wait for a transaction they are not part of (SqliteWriteGate). The adapter's
    // transactions run their statements on objects of their own, which pass through.
    const gated = <Q extends { sql: string }, T>(run: (query: Q) => Promise<T>) => async (query: Q) => {
      if (!READ_ONLY.test(query.sql)) await this.gate.pass();
      return run(query);
    };
    connection.queryRaw = gated(connection.queryRaw.bind(connection)) as typeof connection.queryRaw;
    connection.executeRaw = gated(connection.executeRaw.bind(connection)) as typeof connection.executeRaw;
    const startTransaction = connection.startTransaction.bind(connection);
    connection.startTransaction = async (...args: Parameters<typeof connection.startTransaction>) => {
      const started = await startTransaction(...args);
      this.gate.begin();
      let ended = false;
      const end = () => {
        if (!ended) this.gate.end();
        ended = true;
      };
      const { commit, rollback } = started;
      started.commit = async () => {
        end();
        return commit.call(started);
      };
      started.rollback = async () => {
        end();
        return rollback.call(started);
      };
      return started;
    };
    // The adapter does not say how many bound values SQLite takes, so Prisma assumes 999 and
    // refuses larger `IN` lists next to another condition (every shop-scoped query has one).
    // The SQLite in better-sqlite3 takes 32,766.
    return Object.assign(connection, { getConnectionInfo: () => ({ maxBindValues: SQLITE_MAX_BIND_VALUES, supportsRelationJoins: false }) });
  }
}

/**
 * On SQLite, a read-only connection of its own to the app's database file (null on PostgreSQL).
 * With write-ahead logging it reads while a sync writes, never waits behind the app's connection
 * and never reads inside its transaction. `timeout`: how long to wait for a lock (ms).
 */
export function openSqliteReader(timeout: number): SqliteConnection | null {
  const target = databaseTarget(process.env.DATABASE_URL);
  return target.provider === "sqlite" ? new BetterSqlite3(target.file, { readonly: true, fileMustExist: true, timeout }) : null;
}

declare global {
  var __passportBytesPool: pg.Pool | undefined;
}

/**
 * On PostgreSQL, a small pool of its own for large byte values (uploaded workbooks and their
 * records); null on SQLite. Through Prisma, even a raw query passes a value through its
 * WebAssembly query compiler, whose memory grew by some 100 MB for a 6.6 MB file and never shrinks.
 */
export function postgresBytesPool(): pg.Pool | null {
  const target = databaseTarget(process.env.DATABASE_URL);
  if (target.provider !== "postgresql") return null;
  if (!globalThis.__passportBytesPool) {
    // Idle connections close after 10 s and do not keep a command-line process alive.
    const pool = new pg.Pool({ connectionString: target.url, max: 2, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // An idle connection the server ended (restart, failover) is an error event on the pool, which
    // would crash the process unheard. The pool drops that connection and the next query opens one.
    pool.on("error", (error) => console.warn(`[db] an idle upload connection to PostgreSQL was closed: ${error.message}`));
    globalThis.__passportBytesPool = pool;
  }
  return globalThis.__passportBytesPool;
}

export function isPostgres(): boolean {
  return databaseTarget(process.env.DATABASE_URL).provider === "postgresql";
}

declare global {
  // Reused across dev-server reloads so connections are not leaked.
  var __passportDb: Db | undefined;
}

/** The process's database client. */
export const db: Db = (globalThis.__passportDb ??= createDb());
