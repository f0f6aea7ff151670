// A run the caller started (executeSync's runId: a sync job records its run when it takes the
// request): failed, not left running, when the engine fails before its source; and not taken up
// again once it was closed meanwhile (its process taken for stopped), when it saves nothing and
// counts as no failure of the integration.
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../db.server";
import { forShop } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { executeSync } from "./engine.server";
import { closeStaleRuns, RunTakenOver, startRun } from "./runs.server";
import type { SourceBatch } from "./records";
import { TEST_SHOP } from "../../test/support/constants";

const db = forShop(TEST_SHOP);
let integrationId: string;

beforeEach(async () => {
  await rootDb.$transaction([rootDb.syncRun.deleteMany(), rootDb.fieldOwnership.deleteMany(), rootDb.integration.deleteMany(), rootDb.product.deleteMany()]);
  integrationId = (await connectIntegration(db, "shopify")).integration.id;
});

const tee: SourceBatch = { scope: "full", records: [{ externalId: "gid://shopify/Product/1", handle: "tee", fields: { title: { en: "Tee" } }, variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "TEE-S" } }] }] };

describe("a run the caller started", () => {
  it("is failed, not left running, when the engine fails before it asks its source", async () => {
    const runId = await startRun(db, { integrationId, trigger: "manual", scope: "full" });
    await expect(executeSync({ shop: TEST_SHOP, integrationId: "no-such-integration", trigger: "manual", runId, source: async () => tee })).rejects.toThrow();
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "failed", phase: null });
  });

  it("is not taken up again once closed meanwhile: it saves nothing, its source hears nothing, the integration counts no failure", async () => {
    const runId = await startRun(db, { integrationId, trigger: "manual", scope: "full" });
    const heard: string[] = [];
    const source = async (): Promise<SourceBatch> => {
      // While the source was being made, the run was taken for stopped and closed.
      await db.syncRun.update({ where: { id: runId }, data: { heartbeatAt: new Date(Date.now() - 3_600_000) } });
      await closeStaleRuns(db, integrationId);
      return { ...tee, onRunStarted: async () => void heard.push("started"), afterRun: async () => void heard.push("afterRun") };
    };
    await expect(executeSync({ shop: TEST_SHOP, integrationId, trigger: "manual", runId, source })).rejects.toBeInstanceOf(RunTakenOver);
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "failed", message: new RunTakenOver().message });
    expect(await db.product.count()).toBe(0);
    expect(heard).toEqual([]);
    expect(await db.integration.findUniqueOrThrow({ where: { id: integrationId } })).toMatchObject({ consecutiveFailures: 0, status: "active" });
  });
});
