// The pool that carries uploaded workbooks on PostgreSQL (app/db.server.ts, postgresBytesPool).
import { describe, expect, it } from "vitest";
import { db, isPostgres, postgresBytesPool } from "../db.server";

describe("postgresBytesPool", () => {
  it.runIf(!isPostgres())("is not there on SQLite (uploads use the app's connection)", () => {
    expect(postgresBytesPool()).toBeNull();
  });

  it.runIf(isPostgres())("survives the server ending its idle connection (a restart), and the next query opens another", async () => {
    const pool = postgresBytesPool()!;
    const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(pool.idleCount).toBe(1);
    const closed = new Promise<void>((resolve) => pool.once("error", () => resolve()));
    await db.$queryRawUnsafe("SELECT pg_terminate_backend($1::int)", rows[0].pid);
    await closed; // without the pool's own error listener, this event would crash the process
    expect(pool.idleCount).toBe(0);
    const again = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(again.rows[0].pid).not.toBe(rows[0].pid);
  });
});
