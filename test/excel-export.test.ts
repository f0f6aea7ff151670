// The export holds every item of the catalog's lists, so importing it back changes nothing: a
// product with more certifications or materials than the template's columns (which the import
// accepts) is not cut, and its shares still add up to 100.
import { createWriteStream, readFileSync } from "node:fs";
import { finished } from "node:stream/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { writeCatalogWorkbook } from "../app/integrations/excel/export.server";
import { commitUpload, excelIntegration, getUploadPreview, uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { makeTempDir, writeProducts, type TestCell } from "../app/integrations/excel/fixtures/helpers";
import { DbJobQueue } from "../app/jobs/db-queue.server";
import { processSyncJob } from "../app/jobs/sync-jobs.server";
import { TEST_SHOP } from "./support/constants";

const db = forShop(TEST_SHOP);
const queue = new DbJobQueue(rootDb, { pollMs: 10 });

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
});

describe("export of long lists", () => {
  it("exports 4 certifications and 7 materials, and importing the file back changes nothing", async () => {
    await excelIntegration(db);
    const row: Record<string, TestCell> = { "Product Handle": "quilt", Title: "Patchwork quilt", SKU: "Q-1" };
    for (let i = 1; i <= 4; i++) row[`Certification ${i} Name`] = `Label ${i}`;
    for (let i = 1; i <= 7; i++) {
      row[`Material ${i}`] = `Fibre ${i}`;
      row[`Material ${i} %`] = i === 1 ? 40 : 10;
    }
    const tmp = await makeTempDir();
    const source = tmp.path("quilt.xlsx");
    await writeProducts(source, [row]);
    const first = await uploadWorkbook(db, { name: "quilt.xlsx", bytes: readFileSync(source), createMissing: true });
    expect(first.errors).toEqual([]);
    await commitUpload(queue, db, first.uploadId);
    await queue.work((job) => processSyncJob(job));
    await queue.drain();
    await queue.stop();
    expect((await getUploadPreview(db, first.uploadId)).status).toBe("committed");

    const exported = tmp.path("export.xlsx");
    const out = createWriteStream(exported);
    const result = await writeCatalogWorkbook(db, out);
    await finished(out);
    expect(result.warnings).toEqual([]);

    const again = await uploadWorkbook(db, { name: "export.xlsx", bytes: readFileSync(exported), createMissing: false });
    expect(again.errors).toEqual([]);
    expect(again.run?.counts).toMatchObject({ created: 0, updated: 0, archived: 0, failed: 0 });
    expect(again.changeCount).toBe(0);
  }, 60_000);
});
