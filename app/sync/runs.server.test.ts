// Recording refused runs: what the history reads from the run row.
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../db.server";
import { forShop } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { completeRun, getRun, recordRefusedRun, startRun } from "./runs.server";
import { TEST_SHOP } from "../../test/support/constants";

const db = forShop(TEST_SHOP);
let integrationId: string;

beforeEach(async () => {
  await rootDb.$transaction([rootDb.syncRun.deleteMany(), rootDb.fieldOwnership.deleteMany(), rootDb.integration.deleteMany()]);
  integrationId = (await connectIntegration(db, "excel")).integration.id;
});

const counts = { created: 2, updated: 1, unchanged: 0, skipped: 0, unmatched: 0, archived: 0, failed: 0 };

describe("recordRefusedRun", () => {
  it("turns a preview's run into a refused one: its would-be counts and figures cleared, its context kept", async () => {
    const runId = await startRun(db, { integrationId, trigger: "upload", scope: "partial", context: { preview: "upload" } });
    await completeRun(db, runId, { counts, errors: [], products: { created: 1, updated: 0, unchanged: 0, archived: 0 }, skippedByField: {}, unmatched: [] }, "preview");

    const error = { externalId: "Products!C2", message: "not a valid GTIN" };
    expect(await recordRefusedRun(db, { runId, integrationId, trigger: "upload", message: "Nothing was imported.", errors: [error], failed: 1 })).toBe(runId);
    expect(await getRun(db, runId)).toMatchObject({
      status: "failed",
      message: "Nothing was imported.",
      counts: { created: 0, updated: 0, unchanged: 0, skipped: 0, unmatched: 0, archived: 0, failed: 1 },
      errors: [error],
      errorCount: 1,
      details: { context: { preview: "upload" }, refused: true },
    });
    expect((await getRun(db, runId))?.details).not.toHaveProperty("products");
  });

  it("records a refused run that had none", async () => {
    const runId = await recordRefusedRun(db, { integrationId, trigger: "upload", message: "Nothing was imported.", errors: [] });
    expect(await getRun(db, runId)).toMatchObject({ status: "failed", scope: "partial", details: { refused: true } });
  });
});
