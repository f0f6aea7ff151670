// The engine benchmark's baseline, in a process of its own: every row a sync run wrote (the
// sync tables; of SyncRun only that run's row) read from the benchmark database, then inserted
// into a fresh migrated SQLite file with plain better-sqlite3 prepared statements in one
// transaction. Only the inserts and the commit are timed.
// Usage: baseline-process.ts <database file> <run id> <baseline file>
// Prints `RESULT {"baselineMs","baselineCounts","rowsCopied"}`.
import Database from "better-sqlite3";
import { childArguments } from "./child-arguments";
import { rowCounts, SYNC_TABLES } from "./env";

export interface BaselineResult {
  baselineMs: number;
  baselineCounts: Record<string, number>;
  rowsCopied: number;
}

interface TableRows {
  table: string;
  columns: string[];
  rows: unknown[][];
}

/** Every row of the sync tables (SyncRun: only the given run), as arrays of column values. */
function readRows(file: string, runId: string): TableRows[] {
  const sqlite = new Database(file, { readonly: true });
  try {
    return SYNC_TABLES.map((table) => {
      const columns = (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      const list = columns.map((c) => `"${c}"`).join(", ");
      const statement = table === "SyncRun" ? sqlite.prepare(`SELECT ${list} FROM "SyncRun" WHERE id = ?`).raw() : sqlite.prepare(`SELECT ${list} FROM "${table}"`).raw();
      const rows = (table === "SyncRun" ? statement.all(runId) : statement.all()) as unknown[][];
      return { table, columns, rows };
    });
  } finally {
    sqlite.close();
  }
}

/**
 * Inserts the rows into `file` in one transaction, with the app's pragmas: WAL, synchronous
 * NORMAL, and no checkpoint in the commit (the app's connection leaves them to a thread of its
 * own: app/db/sqlite-checkpoints.server.ts).
 */
function insertRows(file: string, tables: TableRows[]): number {
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("wal_autocheckpoint = 0");
    const statements = tables.map((t) => sqlite.prepare(`INSERT INTO "${t.table}" (${t.columns.map((c) => `"${c}"`).join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`));
    const t0 = performance.now();
    sqlite.transaction(() => {
      tables.forEach((t, i) => {
        for (const row of t.rows) statements[i].run(row);
      });
    })();
    return performance.now() - t0;
  } finally {
    sqlite.close();
  }
}

const [databaseFile, runId, baselineFile] = childArguments("baseline-process.ts", ["database file", "run id", "baseline file"]);
const tables = readRows(databaseFile, runId);
const result: BaselineResult = {
  baselineMs: insertRows(baselineFile, tables),
  baselineCounts: rowCounts(baselineFile),
  rowsCopied: tables.reduce((n, t) => n + t.rows.length, 0),
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
