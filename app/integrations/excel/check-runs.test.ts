// The sync history tells a refused file's check from a failed import: by the check's run itself,
// and, for runs refused before they kept their context, by the upload that was checked.
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../../db.server";
import { forShop } from "../../db/scoped.server";
import { closeStaleRuns, getRun, listRuns, recordRefusedRun } from "../../sync/runs.server";
import { withRefusedFileChecks } from "./check-runs.server";
import { excelIntegration, startCheckRun, uploadWorkbook } from "./uploads.server";
import { TEST_SHOP } from "../../../test/support/constants";

const db = forShop(TEST_SHOP);

beforeEach(async () => {
  await rootDb.$transaction([rootDb.uploadBytes.deleteMany(), rootDb.upload.deleteMany(), rootDb.syncRun.deleteMany(), rootDb.fieldOwnership.deleteMany(), rootDb.integration.deleteMany()]);
});

/** A file Passport refuses as a whole (not a workbook); its check's run. */
async function refusedCheck(): Promise<{ uploadId: string; runId: string }> {
  const refused = await uploadWorkbook(db, { name: "notes.xlsx", bytes: new TextEncoder().encode("handle,title\nfoo,bar\n"), createMissing: false });
  expect(refused.status).toBe("rejected");
  return { uploadId: refused.uploadId, runId: refused.run!.id };
}

async function marked(): Promise<Map<string, boolean>> {
  const runs = await withRefusedFileChecks(db, await listRuns(db));
  return new Map(runs.map((r) => [r.id, r.refusedFileCheck]));
}

describe("refused file checks in the sync history", () => {
  it("are told by their run alone: it keeps the check's context", async () => {
    const { uploadId, runId } = await refusedCheck();
    expect((await getRun(db, runId))?.details).toEqual({ context: { preview: "upload" }, refused: true });
    // No upload names the run any more: the run still says what it was.
    await rootDb.upload.delete({ where: { id: uploadId } });
    expect((await marked()).get(runId)).toBe(true);
  });

  it("stored before runs kept their context are still told, by the upload that was checked", async () => {
    const { runId } = await refusedCheck();
    // As recordRefusedRun left a refused check's run before: its details cleared.
    await rootDb.syncRun.update({ where: { id: runId }, data: { details: "{}" } });
    expect((await marked()).get(runId)).toBe(true);
  });

  it("are told when the refusal made the run (no check had started one)", async () => {
    const excel = await excelIntegration(db);
    const runId = await recordRefusedRun(db, { integrationId: excel.id, trigger: "upload", message: "This file is not an Excel workbook.", errors: [] });
    expect((await marked()).get(runId)).toBe(true);
  });

  it("are neither a failed import nor a check the app stopped in the middle of", async () => {
    const excel = await excelIntegration(db);
    const failedImport = await db.syncRun.create({ data: { shop: TEST_SHOP, integrationId: excel.id, trigger: "upload", scope: "partial", status: "failed", message: "The import failed." } });
    const interrupted = await startCheckRun(db, excel.id);
    await closeStaleRuns(db, excel.id, -1);
    expect(await getRun(db, interrupted)).toMatchObject({ status: "failed", details: { context: { preview: "upload" } } });
    expect(Object.fromEntries(await marked())).toEqual({ [failedImport.id]: false, [interrupted]: false });
  });
});
