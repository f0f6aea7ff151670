// An Excel import between the merchant's Import click and its run: a run that fails for a passing
// reason is committed by its job's retry; one the catalog changed under is checked again; an
// uninstall puts an import not run yet back to its preview, so a reinstall never runs it unasked
// (alone, or before the next file's import).
import { readFileSync } from "node:fs";
import { beforeEach, expect, it } from "vitest";
import { db as rootDb } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { connectIntegration, restoreAfterReinstall } from "../app/integrations/integrations.server";
import { checkUpload, commitUpload, excelIntegration, excelUploadSource, getUploadPreview, uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { makeTempDir, writeProducts } from "../app/integrations/excel/fixtures/helpers";
import { DbJobQueue } from "../app/jobs/db-queue.server";
import type { QueuedJob } from "../app/jobs/queue";
import { processSyncJob } from "../app/jobs/sync-jobs.server";
import { onAppUninstalled } from "../app/shops.server";
import { executeSync } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { TEST_SHOP } from "./support/constants";

const db = forShop(TEST_SHOP);

async function previewed(handle: string, sku: string) {
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, [{ "Product Handle": handle, Title: handle, SKU: sku }]);
  const preview = await uploadWorkbook(db, { name: "upload.xlsx", bytes: readFileSync(file), createMissing: false });
  await tmp.cleanup();
  expect(preview.status).toBe("previewed");
  return preview;
}

async function previewedRows(rows: Record<string, string>[]) {
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, rows);
  const preview = await uploadWorkbook(db, { name: "upload.xlsx", bytes: readFileSync(file), createMissing: false });
  await tmp.cleanup();
  expect(preview.status).toBe("previewed");
  return preview;
}

/** Shopify as the primary, Excel enriching its products (instead of beforeEach's Excel alone). */
async function shopifyPrimary(): Promise<string> {
  await db.fieldOwnership.deleteMany({});
  await db.integration.deleteMany({});
  const shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  await excelIntegration(db);
  return shopifyId;
}

/** Shopify's records of products with one variant each: [handle, SKU, title]. */
function shopifyCatalog(products: (readonly [string, string, string])[]): SourceRecord[] {
  return products.map(([handle, sku, title], n) => ({
    externalId: `gid://shopify/Product/${n}`,
    handle,
    fields: { title: { en: title } },
    variants: [{ externalId: `gid://shopify/ProductVariant/${n}`, position: 1, fields: { sku } }],
  }));
}

/** As when another run held SQLite's connection for over a minute. */
const BUSY = "Transaction API error: Unable to start a transaction in the given time.";

/**
 * The Excel source of a job whose records fail with `message` on the tries `fails` names (counted
 * from 1), as a run does that fails while it reads them.
 */
function importFailing(queue: DbJobQueue, fails: (tries: number) => boolean, message: string) {
  let tries = 0;
  const resolve: Parameters<typeof processSyncJob>[1] = async (jobDb, integration) => {
    const batch = await excelUploadSource(jobDb, integration, queue);
    if (!fails(++tries)) return batch;
    const failing = async function* () {
      yield* [];
      throw new Error(message);
    };
    return { ...batch, records: failing() };
  };
  return { resolve, tries: () => tries };
}

async function work(queue: DbJobQueue, handler = (job: QueuedJob) => processSyncJob(job)) {
  await queue.work(handler);
  await queue.drain();
  await queue.stop();
}

const handles = async () => (await db.product.findMany({ select: { handle: true }, orderBy: { handle: "asc" } })).map((p) => p.handle);

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
  await rootDb.job.deleteMany();
  await rootDb.shop.create({ data: { shop: TEST_SHOP } });
  await excelIntegration(db);
});

it("an import whose run fails for a passing reason is committed by its job's retry", async () => {
  const queue = new DbJobQueue(rootDb, { pollMs: 10, retryDelay: () => 0 }); // (the retry due at once: drain waits for it)
  const upload = await previewed("tee", "T-1");
  await commitUpload(queue, db, upload.uploadId);
  const source = importFailing(queue, (tries) => tries === 1, BUSY);
  await work(queue, (job) => processSyncJob(job, source.resolve));
  expect(source.tries()).toBe(2);
  expect((await getUploadPreview(db, upload.uploadId)).status).toBe("committed");
  expect(await handles()).toEqual(["tee"]);
  const commits = await db.syncRun.findMany({ where: { trigger: "upload", status: { not: "preview" } }, orderBy: { createdAt: "asc" } });
  expect(commits.map((r) => r.status)).toEqual(["failed", "succeeded"]);
});

it("an import that fails on its job's last try is given up: failed, not left importing", async () => {
  const queue = new DbJobQueue(rootDb, { pollMs: 10, retryDelay: () => 10, maxAttempts: 1 });
  const upload = await previewed("tee", "T-1");
  await commitUpload(queue, db, upload.uploadId);
  const source = importFailing(queue, () => true, "disk I/O error");
  await work(queue, (job) => processSyncJob(job, source.resolve));
  expect((await getUploadPreview(db, upload.uploadId)).status).toBe("failed");
  expect(await handles()).toEqual([]);
});

it("an import the catalog changed under while it waited to run saves nothing and is checked again", async () => {
  const shopifyId = await shopifyPrimary();
  const shopify = (skuOfTee: string, skuOfCap: string) => shopifyCatalog([["tee", skuOfTee, "tee"], ["cap", skuOfCap, "cap"]]);
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: shopify("T-1", "C-1") }) });
  const upload = await previewedRows([{ "Product Handle": "tee", SKU: "T-1", "Country of production": "PT" }]);
  const queue = new DbJobQueue(rootDb, { pollMs: 10 });
  await commitUpload(queue, db, upload.uploadId); // clicked; its job has not run yet
  // Meanwhile Shopify moves SKU T-1 to the cap: the file's row would now write onto the cap.
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: async () => ({ scope: "partial", records: shopify("T-OLD", "T-1") }) });
  await work(queue);

  expect(await db.fieldValue.count({ where: { field: "countryOfProduction" } })).toBe(0);
  const after = await getUploadPreview(db, upload.uploadId);
  expect(after.status).toBe("uploaded"); // the page checks it again by itself
  const commitRun = await db.syncRun.findFirstOrThrow({ where: { trigger: "upload", status: "failed" } });
  expect(commitRun.message).toMatch(/^Your catalog changed since this preview/);
  expect((await db.integration.findFirstOrThrow({ where: { kind: "excel" } })).status).toBe("active");
});

it("an import that keeps failing waits for its job's retries (with their backoff), not a new job at once", async () => {
  const queue = new DbJobQueue(rootDb, { pollMs: 10, retryDelay: () => 60 * 60_000, maxAttempts: 3 });
  const upload = await previewed("tee", "T-1");
  await commitUpload(queue, db, upload.uploadId);
  const source = importFailing(queue, () => true, BUSY);
  await work(queue, (job) => processSyncJob(job, source.resolve));
  expect(source.tries()).toBe(1);
  expect((await getUploadPreview(db, upload.uploadId)).status).toBe("committing");
  const jobs = await rootDb.job.findMany({ select: { status: true, attempts: true, runAt: true } });
  expect(jobs).toEqual([{ status: "queued", attempts: 1, runAt: expect.any(Date) }]);
  expect(jobs[0].runAt.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
});

it("an import sent back to be checked again shows nothing of the cancelled run once imported again", async () => {
  const shopifyId = await shopifyPrimary();
  const shopify = (title: string) => shopifyCatalog([["tee", "T-1", title]]);
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: shopify("tee") }) });
  const upload = await previewedRows([{ "Product Handle": "tee", SKU: "T-1", "Country of production": "PT" }]);
  const queue = new DbJobQueue(rootDb, { pollMs: 10 });
  await commitUpload(queue, db, upload.uploadId);
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: async () => ({ scope: "partial", records: shopify("tee, renamed") }) });
  await work(queue);
  expect((await getUploadPreview(db, upload.uploadId)).status).toBe("uploaded");

  expect((await checkUpload(db, upload.uploadId)).status).toBe("previewed");
  await commitUpload(new DbJobQueue(rootDb), db, upload.uploadId); // its job has not started yet
  const page = await getUploadPreview(db, upload.uploadId);
  expect(page).toMatchObject({ status: "committing", commitRunId: null });
});

it("an import running when the app is uninstalled is back to its preview after the reinstall, not failed", async () => {
  const upload = await previewed("tee", "T-1");
  const queue = new DbJobQueue(rootDb, { pollMs: 10 });
  await commitUpload(queue, db, upload.uploadId);
  await work(queue, (job) =>
    processSyncJob(job, async (jobDb, integration) => {
      const batch = await excelUploadSource(jobDb, integration, queue);
      const records = async function* () {
        await onAppUninstalled(TEST_SHOP); // while the run reads its file
        yield* batch.records;
      };
      return { ...batch, records: records() };
    }),
  );
  await restoreAfterReinstall(db);
  expect((await getUploadPreview(db, upload.uploadId)).status).toBe("previewed");
  expect(await handles()).toEqual([]);
});

it("an import clicked just before an uninstall is back to its preview after the reinstall, and runs only when asked", async () => {
  const queue = new DbJobQueue(rootDb, { pollMs: 10 });
  const old = await previewed("tee", "T-1");
  await commitUpload(queue, db, old.uploadId); // queued, not run
  await onAppUninstalled(TEST_SHOP);
  await restoreAfterReinstall(db);
  await work(queue);
  expect((await getUploadPreview(db, old.uploadId)).status).toBe("previewed");
  expect(await handles()).toEqual([]);

  // Another file imported later is imported alone.
  const next = await previewed("cap", "C-1");
  await commitUpload(queue, db, next.uploadId);
  await work(queue);
  expect(await handles()).toEqual(["cap"]);
  expect((await getUploadPreview(db, old.uploadId)).status).toBe("previewed");

  // Imported now, it is checked again first: the catalog changed since its preview.
  await expect(commitUpload(queue, db, old.uploadId)).rejects.toThrow(/Your catalog changed since this preview/);
  expect((await getUploadPreview(db, old.uploadId)).status).toBe("uploaded");
});
