// Checkpoints on a thread of their own (sqlite-checkpoints.server.ts), with the app's connection.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { db, isPostgres, sqliteConnectionOf } from "../db.server";
import { until } from "../../test/support/wait";
import { CHECKPOINT_MIN_LOG_BYTES, LOG_FILE_LIMIT_BYTES, startCheckpointer, type CheckpointerOptions } from "./sqlite-checkpoints.server";

const MB = 1024 * 1024;

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "passport-checkpoints-"));
  scratchDirs.push(dir);
  return dir;
}

/** Options for a thread next to `connection`: any failure fails the test. */
function threadOptions(connection: Database.Database, more: Partial<CheckpointerOptions> = {}): CheckpointerOptions {
  return {
    setCommitCheckpoints: (pages) => connection.pragma(`wal_autocheckpoint = ${pages}`),
    onFailure: (error) => expect.fail(error.message),
    ...more,
  };
}

/** A connection set up as the app's (write-ahead log, no checkpoints in commits), with a table for 4 KB rows. */
function appLikeConnection(file: string): Database.Database {
  const connection = new Database(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.pragma("wal_autocheckpoint = 0");
  connection.pragma(`journal_size_limit = ${LOG_FILE_LIMIT_BYTES}`);
  connection.exec("CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, data BLOB)");
  return connection;
}

describe.runIf(!isPostgres())("SQLite checkpoints", () => {
  it("are not made in the app's commits: the thread copies a large commit into the database file and empties the log", async () => {
    const file = process.env.PASSPORT_TEST_DB_FILE!;
    await db.$queryRawUnsafe("SELECT 1"); // connects
    const sqlite = sqliteConnectionOf(db)!;
    expect(Number(sqlite.pragma("wal_autocheckpoint", { simple: true }))).toBe(0);
    sqlite.exec("CREATE TABLE scratch (data BLOB)");
    const before = sizeOf(file);
    const insert = sqlite.prepare("INSERT INTO scratch (data) VALUES (randomblob(4000))");
    sqlite.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run();
    })();
    // The commit left the 12 MB of rows in the log (SQLite's own checkpoint would have copied them now).
    expect(sizeOf(`${file}-wal`)).toBeGreaterThan(10 * MB);
    expect(sizeOf(file) - before).toBeLessThan(MB);

    await until(() => sizeOf(file) - before > 10 * MB && sizeOf(`${file}-wal`) === 0, 10_000, "the log copied into the database file and emptied");
    expect(Number(sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").pluck().get())).toBe(3000);
  });

  it("keep the log bounded under commits that follow each other with no pause (the commits help)", async () => {
    const file = path.join(scratchDir(), "busy.db");
    const connection = appLikeConnection(file);
    const checkpointer = startCheckpointer(file, threadOptions(connection, { handOverBytes: 8 * MB }));
    await checkpointer.ready;
    const write = connection.prepare("INSERT OR REPLACE INTO scratch (id, data) VALUES (?, randomblob(4000))");
    const commit = connection.transaction((k: number) => {
      for (let i = 0; i < 20; i++) write.run((k * 20 + i) % 20_000);
    });
    // Each commit starts as soon as the event loop lets it: there is never a quiet moment in which
    // the log can start over (without the commits' help it holds all that was written: 700 MB in
    // 3 s, and never shrinks). How large it gets between the thread's looks depends on the
    // machine's speed and load (the thread polls every 200 ms), so what is checked is that the
    // hand-over comes and that, after it, the log starts over: its file shrinks back (to the
    // journal size limit) while the writes go on. The writes go on until it has, or for 15 s (a
    // loaded machine takes longer to get there).
    const commitCheckpoints = () => Number(connection.pragma("wal_autocheckpoint", { simple: true }));
    let largest = 0;
    let handedOver = false;
    let shrankAfterHandOver = false;
    let previous = 0;
    const start = Date.now();
    for (let k = 0; Date.now() < start + 4_000 || (!shrankAfterHandOver && Date.now() < start + 15_000); k++) {
      commit(k);
      handedOver ||= commitCheckpoints() > 0;
      if (k % 50 === 0) {
        const size = sizeOf(`${file}-wal`);
        largest = Math.max(largest, size);
        shrankAfterHandOver ||= handedOver && size < previous / 2;
        previous = size;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(largest).toBeGreaterThan(4 * MB);
    expect(handedOver).toBe(true);
    expect(shrankAfterHandOver).toBe(true);
    // Once the writes stop, the thread takes the checkpoints back, the log copied (emptied) or left
    // under the size from which it copies one (SQLite's own threshold), as after any commit.
    await until(() => sizeOf(`${file}-wal`) < CHECKPOINT_MIN_LOG_BYTES && commitCheckpoints() === 0, 20_000, "a small log and checkpoints back on the thread");
    await checkpointer.stop();
    connection.close();
  }, 60_000);

  it("finds the log of a database reached through a symbolic link", async () => {
    const dir = scratchDir();
    const file = path.join(dir, "real.db");
    appLikeConnection(file).close();
    const link = path.join(dir, "link.db");
    symlinkSync(file, link);
    const connection = appLikeConnection(link);
    const checkpointer = startCheckpointer(link, threadOptions(connection));
    await checkpointer.ready;
    const write = connection.prepare("INSERT INTO scratch (data) VALUES (randomblob(4000))");
    connection.transaction(() => {
      for (let i = 0; i < 3000; i++) write.run();
    })();
    expect(sizeOf(`${file}-wal`)).toBeGreaterThan(10 * MB); // SQLite keeps the log next to the real file
    await until(() => sizeOf(file) > 10 * MB && sizeOf(`${file}-wal`) === 0, 10_000, "the real file's log copied and emptied");
    await checkpointer.stop();
    connection.close();
  });

  it("copies the log into the database file when a process exits without closing its connection", () => {
    const file = path.join(scratchDir(), "exit.db");
    const script = `
      const { db, sqliteConnectionOf } = await import(${JSON.stringify(path.resolve("app/db.server.ts"))});
      await db.$queryRawUnsafe("SELECT 1");
      const sqlite = sqliteConnectionOf(db);
      sqlite.exec("CREATE TABLE scratch (data BLOB)");
      const write = sqlite.prepare("INSERT INTO scratch (data) VALUES (randomblob(4000))");
      sqlite.transaction(() => { for (let i = 0; i < 3000; i++) write.run(); })();
      if (statSync(process.env.DATABASE_URL.slice(5) + "-wal").size < 10 * 1024 * 1024) throw new Error("the commit did not stay in the log");
      process.exit(0);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `import { statSync } from "node:fs";\n${script}`], {
      env: { ...process.env, DATABASE_URL: `file:${file}` },
      encoding: "utf8",
    });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    expect(sizeOf(`${file}-wal`)).toBe(0);
    expect(sizeOf(file)).toBeGreaterThan(10 * MB);
  });

  it("reports a thread that cannot work (the app then lets its commits checkpoint again)", async () => {
    const events: string[] = [];
    const checkpointer = startCheckpointer(path.join(os.tmpdir(), "passport-no-such-dir", "missing.db"), {
      setCommitCheckpoints: (pages) => events.push(`commits checkpoint from ${pages} pages`),
      onFailure: (error) => events.push(`failed: ${error.message}`),
    });
    await checkpointer.ready;
    await until(() => events.length > 0, 5_000, "the failure to be reported");
    expect(events).toEqual(["commits checkpoint from 1000 pages", expect.stringMatching(/^failed: .*(unable to open|directory does not exist)/)]);
    await checkpointer.stop();
  });

  it("reports nothing when stopped", async () => {
    const events: string[] = [];
    const checkpointer = startCheckpointer(process.env.PASSPORT_TEST_DB_FILE!, {
      setCommitCheckpoints: (pages) => events.push(`commits checkpoint from ${pages} pages`),
      onFailure: (error) => events.push(`failed: ${error.message}`),
    });
    await checkpointer.ready;
    await checkpointer.stop();
    expect(events).toEqual([]);
  });
});
