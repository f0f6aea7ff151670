// Checkpoints on a thread of their own (sqlite-checkpoints.server.ts), with the app's connection.
import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db, isPostgres, sqliteConnectionOf } from "../db.server";
import { startCheckpointer } from "./sqlite-checkpoints.server";

const MB = 1024 * 1024;

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
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

    const copied = await until(() => sizeOf(file) - before > 10 * MB && sizeOf(`${file}-wal`) === 0, 10_000);
    expect(copied).toBe(true);
    expect(Number(sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").pluck().get())).toBe(3000);
  });

  it("reports a thread that cannot work (the app then lets its commits checkpoint again)", async () => {
    const failures: Error[] = [];
    const checkpointer = startCheckpointer(path.join(os.tmpdir(), "passport-no-such-dir", "missing.db"), (error) => failures.push(error));
    await checkpointer.ready;
    expect(await until(() => failures.length > 0, 5_000)).toBe(true);
    expect(failures).toHaveLength(1);
    await checkpointer.stop();
  });

  it("reports nothing when stopped", async () => {
    const failures: Error[] = [];
    const checkpointer = startCheckpointer(process.env.PASSPORT_TEST_DB_FILE!, (error) => failures.push(error));
    await checkpointer.ready;
    await checkpointer.stop();
    expect(failures).toEqual([]);
  });
});
