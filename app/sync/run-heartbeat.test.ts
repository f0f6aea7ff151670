// A run that waits a long time for its source (a Shopify bulk export) is alive: its heartbeat
// goes on, so the schedule's closeInterruptedRuns does not close it as interrupted.
import { beforeEach, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { closeInterruptedRuns } from "../jobs/sync-jobs.server";
import { executeSync } from "./engine.server";
import type { SourceRecord } from "./records";
import { TEST_SHOP } from "../../test/support/constants";

let shopDb: ShopDb;
let integrationId: string;

beforeEach(async () => {
  await db.$transaction([db.syncRun.deleteMany(), db.fieldOwnership.deleteMany(), db.integration.deleteMany()]);
  shopDb = forShop(TEST_SHOP);
  integrationId = (await connectIntegration(shopDb, "shopify")).integration.id;
});

it("keeps a run alive while it waits for its source, and stops beating once it ended", async () => {
  let release!: () => void;
  const exportDone = new Promise<void>((r) => (release = r));
  async function* records(): AsyncGenerator<SourceRecord> {
    await exportDone; // the bulk export is still running on Shopify's side
  }
  // Time compressed: a beat every 50 ms, and a run without one for 300 ms counts as interrupted.
  const running = executeSync({ shop: TEST_SHOP, integrationId, trigger: "scheduled", heartbeatMs: 50, source: async () => ({ scope: "full", records: records() }) });
  await new Promise((r) => setTimeout(r, 700));

  // Another process (the schedule of another instance) sees a fresh heartbeat.
  const waiting = await shopDb.syncRun.findFirstOrThrow({});
  expect(waiting).toMatchObject({ status: "running", phase: "fetching" });
  expect(Date.now() - waiting.heartbeatAt!.getTime()).toBeLessThan(300);
  expect(await closeInterruptedRuns(db, 300)).toBe(0);
  expect(await shopDb.syncRun.findFirstOrThrow({})).toMatchObject({ status: "running", message: null });

  release();
  await running;
  const finished = await shopDb.syncRun.findFirstOrThrow({});
  expect(finished).toMatchObject({ status: "succeeded", message: null });
  await new Promise((r) => setTimeout(r, 200));
  expect((await shopDb.syncRun.findFirstOrThrow({})).heartbeatAt).toEqual(finished.heartbeatAt);
});

it("still closes the run of a process that stopped", async () => {
  await shopDb.syncRun.create({ data: { shop: TEST_SHOP, integrationId, trigger: "manual", status: "running", heartbeatAt: new Date(Date.now() - 3_600_000) } });
  expect(await closeInterruptedRuns(db)).toBe(1);
  expect(await shopDb.syncRun.findFirstOrThrow({})).toMatchObject({ status: "failed", message: expect.stringContaining("retried automatically") });
});
