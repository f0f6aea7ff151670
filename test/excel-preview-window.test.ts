// An import whose preview was still reading the catalog when another run saved: the preview reads
// batch by batch and ends later, so "changed since the preview" counts from when it began. A run
// that saved in between moved a SKU the preview had already merged against another product.
import { readFileSync } from "node:fs";
import { beforeEach, expect, it, vi } from "vitest";
import type { SourceRecord } from "../app/sync/records";
import type * as Runs from "../app/sync/runs.server";

/** While set, a preview's run waits here before it records its end (it has read every row). */
let holdPreviewEnd: Promise<void> | null = null;
let previewAtEnd: () => void = () => {};
vi.mock("../app/sync/runs.server", async (importOriginal) => {
  const original = await importOriginal<typeof Runs>();
  return {
    ...original,
    completeRun: async (...args: Parameters<typeof original.completeRun>) => {
      if (args[3] === "preview" && holdPreviewEnd) {
        previewAtEnd();
        await holdPreviewEnd;
      }
      return original.completeRun(...args);
    },
  };
});

const { db: rootDb } = await import("../app/db.server");
const { deleteShopData, forShop } = await import("../app/db/scoped.server");
const { connectIntegration } = await import("../app/integrations/integrations.server");
const { commitUpload, excelIntegration, uploadWorkbook } = await import("../app/integrations/excel/uploads.server");
const { makeTempDir, writeProducts } = await import("../app/integrations/excel/fixtures/helpers");
const { DbJobQueue } = await import("../app/jobs/db-queue.server");
const { processSyncJob } = await import("../app/jobs/sync-jobs.server");
const { executeSync } = await import("../app/sync/engine.server");
const { TEST_SHOP } = await import("./support/constants");

const db = forShop(TEST_SHOP);

const shopify = (skuOfTee: string, skuOfCap: string): SourceRecord[] =>
  (
    [
      ["tee", skuOfTee],
      ["cap", skuOfCap],
    ] as const
  ).map(([handle, sku], n) => ({ externalId: `gid://shopify/Product/${n}`, handle, fields: { title: { en: handle } }, variants: [{ externalId: `gid://shopify/ProductVariant/${n}`, position: 1, fields: { sku } }] }));

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
  await rootDb.job.deleteMany();
  await rootDb.shop.create({ data: { shop: TEST_SHOP } });
});

it("refuses an import whose preview read the catalog before a run that saved while it was made", async () => {
  const shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  await excelIntegration(db);
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: shopify("T-1", "C-1") }) });
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, [{ "Product Handle": "tee", SKU: "T-1", "Country of production": "PT" }]);

  // The preview has read its rows (T-1 is the tee's) and is about to record its end …
  let release!: () => void;
  holdPreviewEnd = new Promise<void>((resolve) => (release = resolve));
  const reachedEnd = new Promise<void>((resolve) => (previewAtEnd = resolve));
  const previewing = uploadWorkbook(db, { name: "upload.xlsx", bytes: readFileSync(file), createMissing: false });
  await reachedEnd;
  // … when a Shopify run gives SKU T-1 to the cap, and ends.
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: async () => ({ scope: "partial", records: shopify("T-OLD", "T-1") }) });
  release();
  holdPreviewEnd = null;
  const upload = await previewing;
  await tmp.cleanup();
  expect(upload.changes.map((c) => c.handle)).toEqual(["tee"]); // what the merchant saw

  const queue = new DbJobQueue(rootDb, { pollMs: 10 });
  await expect(commitUpload(queue, db, upload.uploadId)).rejects.toThrow(/^Your catalog changed since this preview/);
  await queue.work((job) => processSyncJob(job));
  await queue.drain();
  await queue.stop();
  expect(await db.fieldValue.count({ where: { field: "countryOfProduction" } })).toBe(0);
});
