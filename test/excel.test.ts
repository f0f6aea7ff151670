// Excel against the catalog: preview and commit, ownership skips, primary vs secondary,
// "create products that exist nowhere else", all-or-nothing commits, the error workbook, and the
// round trip export → import (also through LibreOffice) with zero changes.
import { execFileSync } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import { writeCatalogWorkbook } from "../app/integrations/excel/export.server";
import { exampleProducts } from "../app/integrations/excel/examples";
import { writeTemplate } from "../app/integrations/excel/template";
import {
  cancelUpload,
  checkUpload,
  commitUpload,
  errorWorkbook,
  excelIntegration,
  expireAllUploads,
  expireUploads,
  getUploadPreview,
  startCheckRun,
  storeUpload,
  uploadWorkbook,
  type UploadPreview,
} from "../app/integrations/excel/uploads.server";
import { sourceFor } from "../app/integrations/sources.server";
import { DbJobQueue } from "../app/jobs/db-queue.server";
import { closeInterruptedRuns, processSyncJob } from "../app/jobs/sync-jobs.server";
import { RUN_STALE_MS } from "../app/sync/runs.server";
import { executeSync, RunRefused } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { makeTempDir, sofficeConvert, writeProducts, writeXlsx, type TestCell } from "../app/integrations/excel/fixtures/helpers";
import { shopifyTee } from "./support/catalog";
import { OTHER_SHOP, TEST_SHOP } from "./support/constants";

const db = forShop(TEST_SHOP);
const queue = new DbJobQueue(rootDb, { pollMs: 10 });

async function workbook(rows: Record<string, TestCell>[]): Promise<Uint8Array> {
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, rows);
  return readFileSync(file);
}

async function commit(uploadId: string) {
  await commitUpload(queue, db, uploadId);
  await queue.work((job) => processSyncJob(job));
  await queue.drain();
  await queue.stop();
  return getUploadPreview(db, uploadId);
}

async function withShopify(): Promise<string> {
  const shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [shopifyTee(1), shopifyTee(2)] }) });
  return shopifyId;
}

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
});

describe("Excel as a secondary (enriching Shopify products)", () => {
  it("previews, then commits only the fields it owns, counting the others as skipped", async () => {
    await withShopify();
    const bytes = await workbook([
      { "Product Handle": "tee-1", Title: "Different title", SKU: "TEE-1-S", "Material 1": "Organic cotton", "Material 1 %": 100, "Country of production": "PT" },
      { "Product Handle": "tee-1", SKU: "TEE-1-M" },
    ]);
    const preview = await uploadWorkbook(db, { name: "enrich.xlsx", bytes, createMissing: false });
    expect(preview.status).toBe("previewed");
    expect(preview.run?.status).toBe("preview");
    expect(preview.run?.counts).toMatchObject({ updated: 2, unmatched: 0, skipped: 1 });
    expect(preview.run?.details.skippedByField).toEqual({ title: 1 });
    expect(preview.changes.map((c) => c.field).sort()).toEqual(["Country of production", "Materials"]);
    expect(preview.changes.every((c) => c.row === 2)).toBe(true);
    // Nothing changed yet.
    expect(await db.fieldValue.count({ where: { field: "materials" } })).toBe(0);

    const done = await commit(preview.uploadId);
    expect(done.status).toBe("committed");
    const product = await db.product.findFirstOrThrow({ where: { handle: "tee-1" } });
    const materials = await db.fieldValue.findFirstOrThrow({ where: { entityId: product.id, field: "materials" } });
    expect(JSON.parse(materials.value)).toEqual([{ material: "Organic cotton", massPercent: 100 }]);
    expect(product.title).toBe("Tee 1");
    const run = await db.syncRun.findUniqueOrThrow({ where: { id: done.commitRunId! } });
    expect(run).toMatchObject({ trigger: "upload", status: "succeeded", updated: 2 });
  });

  it("reports rows that match no variant, and creates them only when asked", async () => {
    await withShopify();
    const rows = [{ "Product Handle": "silk-scarf", Title: "Silk Scarf", SKU: "SCARF-1", "Material 1": "Silk", "Material 1 %": 100 }];
    const reported = await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook(rows), createMissing: false });
    expect(reported.run?.counts).toMatchObject({ unmatched: 1, created: 0 });
    expect(reported.run?.details.unmatched?.[0]).toMatchObject({ identifier: "SCARF-1", ref: { row: 2 } });

    const created = await uploadWorkbook(db, { name: "b.xlsx", bytes: await workbook(rows), createMissing: true });
    expect(created.run?.counts).toMatchObject({ created: 1, unmatched: 0 });
    await commit(created.uploadId);
    const scarf = await db.product.findFirstOrThrow({ where: { handle: "silk-scarf" } });
    expect(scarf.title).toBe("Silk Scarf");
    expect(await db.passport.count({ where: { variantId: { in: (await db.variant.findMany({ where: { productId: scarf.id } })).map((v) => v.id) } } })).toBe(1);
  });
});

describe("Excel as the primary (no Shopify)", () => {
  it("creates products and groups variants by handle", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, {
      name: "catalog.xlsx",
      bytes: await workbook([
        { "Product Handle": "wool-sweater", Title: "Wool Sweater", SKU: "WS-BLUE", "Option1 Name": "Colour", "Option1 Value": "Blue", "Barcode (GTIN)": "4006381333931" },
        { "Product Handle": "wool-sweater", SKU: "WS-RED", "Option1 Name": "Colour", "Option1 Value": "Red" },
      ]),
      createMissing: false,
    });
    expect(preview.run?.counts).toMatchObject({ created: 2 });
    expect(preview.run?.details.products).toMatchObject({ created: 1 });
    await commit(preview.uploadId);
    const product = await db.product.findFirstOrThrow({ where: { handle: "wool-sweater" } });
    expect(await db.variant.count({ where: { productId: product.id } })).toBe(2);
    expect((await db.variant.findFirstOrThrow({ where: { sku: "WS-BLUE" } })).gtin).toBe("04006381333931");
  });

  it("refuses a file with a bad cell, marks it in a copy of the workbook, and changes nothing", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, {
      name: "bad.xlsx",
      bytes: await workbook([
        { "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Barcode (GTIN)": "4006381333932" },
        { "Product Handle": "cap", Title: "Cap", SKU: "C-1" },
      ]),
      createMissing: false,
    });
    expect(preview.status).toBe("invalid");
    expect(preview.errors).toHaveLength(1);
    expect(preview.errors[0]).toMatchObject({ row: 2, column: "Barcode (GTIN)" });
    expect(preview.errors[0].message).toMatch(/check digit/);
    // One run in the history: refused, with the error and no would-be counts (the valid cap).
    expect(preview.run).toMatchObject({ status: "failed", errorCount: 1, counts: { created: 0, updated: 0 } });
    expect(await db.syncRun.count({ where: { trigger: "upload" } })).toBe(1);
    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow(/errors/);
    expect(await db.product.count()).toBe(0);

    const marked = await errorWorkbook(db, preview.uploadId);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(marked.bytes as unknown as ArrayBuffer);
    const cell = book.getWorksheet("Products")!.getRow(2).getCell(4);
    expect(JSON.stringify(cell.note)).toMatch(/check digit/);
    expect(book.getWorksheet("Errors")).toBeDefined();
  });

  it("commits the records its preview checked, not the file read again", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    // (A file cannot change after its upload; replacing it shows which one the commit reads.)
    await db.uploadBytes.update({ where: { uploadId_kind: { uploadId: preview.uploadId, kind: "file" } }, data: { bytes: Buffer.from(await workbook([{ "Product Handle": "tee", Title: "Other", SKU: "T-1" }])) } });
    expect((await commit(preview.uploadId)).status).toBe("committed");
    expect((await db.product.findFirstOrThrow({ where: { handle: "tee" } })).title).toBe("Tee");
    // Committed: neither the file nor the records are kept.
    expect(await db.upload.findUniqueOrThrow({ where: { id: preview.uploadId }, select: { recordsKey: true } })).toEqual({ recordsKey: null });
    expect(await db.uploadBytes.count({ where: { uploadId: preview.uploadId } })).toBe(0);
  });

  it("reads the file again when its records were checked under other settings; errors then save nothing", async () => {
    await excelIntegration(db);
    // More than one batch of products (1,000) is written before the repeated SKU is read.
    const rows = Array.from({ length: 1_200 }, (_, i) => ({ "Product Handle": `p-${i}`, Title: `Product ${i}`, SKU: `SKU-${i}` }));
    const preview = await uploadWorkbook(db, { name: "big.xlsx", bytes: await workbook(rows), createMissing: false });
    expect(preview.status).toBe("previewed");
    // Records checked under other settings (e.g. the shop's language changed), and a file whose
    // last row repeats the first SKU.
    const changed = await workbook([...rows, { "Product Handle": "late", Title: "Late", SKU: "SKU-0" }]);
    await db.uploadBytes.update({ where: { uploadId_kind: { uploadId: preview.uploadId, kind: "file" } }, data: { bytes: Buffer.from(changed) } });
    await db.upload.update({ where: { id: preview.uploadId }, data: { recordsKey: "other settings" } });
    const done = await commit(preview.uploadId);
    expect(done.status).toBe("failed");
    expect(await db.product.count()).toBe(0);
    expect(await db.fieldValue.count()).toBe(0);
    const run = await db.syncRun.findUniqueOrThrow({ where: { id: done.commitRunId! } });
    expect(run).toMatchObject({ status: "failed", message: expect.stringMatching(/changed since its preview/) });
  });

  it("keeps the file and the checked records apart from the upload until it is done with, and cancelling saves nothing", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    const kinds = async () => (await db.uploadBytes.findMany({ where: { uploadId: preview.uploadId }, select: { kind: true } })).map((b) => b.kind).sort();
    expect(await kinds()).toEqual(["file", "records"]);
    // Another shop can neither cancel it nor see its bytes.
    await expect(cancelUpload(forShop(OTHER_SHOP), preview.uploadId)).rejects.toThrow(/cannot be cancelled/);
    expect(await forShop(OTHER_SHOP).uploadBytes.count()).toBe(0);

    await cancelUpload(db, preview.uploadId);
    expect((await getUploadPreview(db, preview.uploadId)).status).toBe("cancelled");
    expect(await kinds()).toEqual([]);
    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow("This upload was cancelled, so nothing was imported. Upload the file again to import it.");
    expect(await db.product.count()).toBe(0);
  });

  it("stores an upload first and checks it once: the check's run is on the upload from its start", async () => {
    await excelIntegration(db);
    const uploadId = await storeUpload(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    const stored = await getUploadPreview(db, uploadId);
    expect(stored).toMatchObject({ status: "uploaded", run: null });
    // Another shop cannot check it.
    await expect(checkUpload(forShop(OTHER_SHOP), uploadId)).rejects.toThrow(/does not exist/);

    const checked = await checkUpload(db, uploadId);
    expect(checked.status).toBe("previewed");
    expect(checked.run).toMatchObject({ status: "preview", trigger: "upload", counts: { created: 1 } });
    // Asking again (a second tab, a reload) returns the preview without reading the file again.
    const runs = await db.syncRun.count();
    expect(await checkUpload(db, uploadId)).toEqual(checked);
    expect(await db.syncRun.count()).toBe(runs);
  });

  it("checks a preview again instead of importing it when the catalog changed after it was made", async () => {
    await excelIntegration(db);
    const upload = async (rows: Record<string, TestCell>[]) => uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook(rows), createMissing: false });
    expect((await commit((await upload([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Repair information": "Free repairs" }])).uploadId)).status).toBe("committed");
    // Previewed and left open: it would change nothing.
    const stale = await upload([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Repair information": "Free repairs" }]);
    expect(stale.changeCount).toBe(0);
    // Meanwhile another file changes the repair information.
    expect((await commit((await upload([{ "Product Handle": "tee", SKU: "T-1", "Repair information": "Send it to us" }])).uploadId)).status).toBe("committed");

    // Importing the old preview now would change what it showed as unchanged: it is checked again.
    await expect(commitUpload(queue, db, stale.uploadId)).rejects.toThrow(/catalog changed since this preview.*checked again/);
    expect((await getUploadPreview(db, stale.uploadId)).status).toBe("uploaded");
    // "Import" clicked again in a tab still showing the old preview: said in the merchant's words, not the upload's status.
    await expect(commitUpload(queue, db, stale.uploadId)).rejects.toThrow("This file is being checked again, so nothing was imported yet. Wait for its new preview on this page, then import it.");
    const again = await checkUpload(db, stale.uploadId);
    expect(again).toMatchObject({ status: "previewed", changeCount: 1 });
    expect(again.changes[0]).toMatchObject({ field: "Repair information", newValue: JSON.stringify("Free repairs") });
    expect((await commit(stale.uploadId)).status).toBe("committed");
    await expect(commitUpload(queue, db, stale.uploadId)).rejects.toThrow("This file was already imported. Upload it again only if you changed it since.");
  });

  it("shows a check the app stopped in the middle of as over, and expires it", async () => {
    const excel = await excelIntegration(db);
    const uploadId = await storeUpload(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    // As previewUpload leaves it while it reads the file: "checking", with its run recorded.
    const runId = await startCheckRun(db, excel.id);
    await db.syncRun.update({ where: { id: runId }, data: { phase: "merging", processed: 1000, total: 4000 } });
    await db.upload.update({ where: { id: uploadId }, data: { status: "checking", preview: JSON.stringify({ previewRunId: runId }) } });
    expect(await getUploadPreview(db, uploadId)).toMatchObject({ status: "checking", run: { processed: 1000, total: 4000 } });
    expect(await checkUpload(db, uploadId)).toMatchObject({ status: "checking" }); // not checked twice

    // The app stopped: its heartbeat goes stale, and the housekeeping closes its run as an interrupted preview (nothing retries it).
    await db.syncRun.update({ where: { id: runId }, data: { heartbeatAt: new Date(Date.now() - RUN_STALE_MS - 60_000) } });
    expect(await getUploadPreview(db, uploadId)).toMatchObject({ status: "rejected", message: expect.stringMatching(/interrupted.*Upload it again/) });
    expect(await closeInterruptedRuns(rootDb)).toBe(1);
    expect(await db.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "failed", message: expect.stringMatching(/^The preview was interrupted/) });
    expect(await getUploadPreview(db, uploadId)).toMatchObject({ status: "rejected", message: expect.stringMatching(/interrupted.*Upload it again/) });
    await rootDb.upload.update({ where: { id: uploadId }, data: { updatedAt: new Date(Date.now() - 2 * 86_400_000) } });
    await expireUploads(db);
    expect((await getUploadPreview(db, uploadId)).status).toBe("expired");
    expect(await rootDb.uploadBytes.count({ where: { uploadId } })).toBe(0);
  });

  it("a check whose run has ended is still checking until its preview is saved, not interrupted", async () => {
    await excelIntegration(db);
    const uploadId = await storeUpload(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    // The page polls while the file is checked: here, when the check's run is over and its
    // records are about to be kept (previewStream), before the preview is saved (savePreview).
    let polled: UploadPreview | undefined;
    const uploads = db.upload;
    const watchedUploads = new Proxy(uploads, {
      get(target, prop) {
        if (prop === "update") {
          return async (args: Parameters<typeof uploads.update>[0]) => {
            if ("recordsKey" in args.data && args.data.recordsKey) polled = await getUploadPreview(db, uploadId);
            return uploads.update(args);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const watched = new Proxy(db, {
      get(target, prop) {
        if (prop === "upload") return watchedUploads;
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });

    const checked = await checkUpload(watched, uploadId);
    expect(polled?.run?.status).toBe("preview");
    expect(polled).toMatchObject({ status: "checking", message: null });
    expect(checked).toMatchObject({ status: "previewed", message: null });
  });

  it("a commit's run is on its upload from the start, not another upload's check running meanwhile", async () => {
    const excel = await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]), createMissing: false });
    await commitUpload(queue, db, preview.uploadId);
    let otherCheck: string | undefined;
    let reading: UploadPreview | undefined;
    let committing: { status: string; runId: string | null } | null = null;
    await queue.work((job) =>
      processSyncJob(job, async (jobDb, integration, request) => {
        const batch = await sourceFor(jobDb, integration, request);
        // Another file is being checked while the commit runs.
        otherCheck = await startCheckRun(db, excel.id);
        const records = batch.records as AsyncIterable<SourceRecord>;
        return {
          ...batch,
          records: (async function* () {
            for await (const record of records) {
              reading ??= await getUploadPreview(db, preview.uploadId);
              yield record;
            }
          })(),
          onCommit: async (tx) => {
            await batch.onCommit?.(tx);
            committing = await tx.upload.findUnique({ where: { id: preview.uploadId }, select: { status: true, runId: true } });
          },
        };
      }),
    );
    await queue.drain();
    await queue.stop();

    const done = await getUploadPreview(db, preview.uploadId);
    expect(done.status).toBe("committed");
    const commitRun = await db.syncRun.findUniqueOrThrow({ where: { id: done.commitRunId! } });
    expect(commitRun).toMatchObject({ status: "succeeded", created: 1 });
    expect(done.commitRunId).not.toBe(otherCheck);
    // While the records were read, the page could follow the commit's own run …
    expect(reading).toMatchObject({ status: "committing", commitRunId: done.commitRunId });
    // … and the upload was committed together with it: a poll then shows the import's counts.
    expect(committing).toEqual({ status: "committed", runId: done.commitRunId });
  });

  it("deletes the file and records of uploads not imported within a week, in this shop only", async () => {
    await excelIntegration(db);
    const rows = [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }];
    const old = await uploadWorkbook(db, { name: "old.xlsx", bytes: await workbook(rows), createMissing: false });
    const otherShop = forShop(OTHER_SHOP);
    await deleteShopData(otherShop.shopDomain);
    await excelIntegration(otherShop);
    const otherOld = await uploadWorkbook(otherShop, { name: "theirs.xlsx", bytes: await workbook(rows), createMissing: false });
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    await rootDb.upload.updateMany({ where: { id: { in: [old.uploadId, otherOld.uploadId] } }, data: { updatedAt: eightDaysAgo } });

    // The next upload of this shop expires its old ones.
    const recent = await uploadWorkbook(db, { name: "new.xlsx", bytes: await workbook(rows), createMissing: false });
    expect((await getUploadPreview(db, old.uploadId)).status).toBe("expired");
    expect(await rootDb.uploadBytes.count({ where: { uploadId: old.uploadId } })).toBe(0);
    expect(await rootDb.uploadBytes.count({ where: { uploadId: { in: [recent.uploadId, otherOld.uploadId] } } })).toBe(4); // file and records of each
    await expect(commitUpload(queue, db, old.uploadId)).rejects.toThrow(/expired.*Upload the file again/);
    expect((await getUploadPreview(db, recent.uploadId)).status).toBe("previewed");
    expect((await getUploadPreview(otherShop, otherOld.uploadId)).status).toBe("previewed");
    // The background housekeeping expires every shop's.
    expect(await expireAllUploads(rootDb)).toBe(1);
    expect((await getUploadPreview(otherShop, otherOld.uploadId)).status).toBe("expired");
    expect((await getUploadPreview(db, recent.uploadId)).status).toBe("previewed");
    await deleteShopData(otherShop.shopDomain);
  });

  it("commits all or nothing: a record the engine refuses aborts the whole upload", async () => {
    const excel = await excelIntegration(db);
    const good: SourceRecord = { externalId: "good", handle: "good", fields: { title: { en: "Good" } }, variants: [{ externalId: "G-1", fields: { sku: "G-1" } }] };
    const bad: SourceRecord = { externalId: "bad", handle: "bad", fields: { title: { en: "Bad" } }, variants: [{ externalId: "B-1", fields: { barcode: "123" } }] };
    await expect(
      executeSync({ shop: TEST_SHOP, integrationId: excel.id, trigger: "upload", source: async () => ({ scope: "partial", records: [good, bad], atomic: true }) }),
    ).rejects.toBeInstanceOf(RunRefused);
    expect(await db.product.count()).toBe(0);
    const run = await db.syncRun.findFirstOrThrow({ where: { trigger: "upload" } });
    expect(run.status).toBe("failed");
    expect(run.errorCount).toBe(1);
  });
});

describe("a preview shows what the merchant would see", () => {
  it("a description's change reads as its text, not its HTML; previews stored before still read", async () => {
    await excelIntegration(db);
    const rows = (description: string) => [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", Description: description }];
    await commit((await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook(rows("<p>Plain tee.</p>")), createMissing: false })).uploadId);

    const html = '<p>Soft <strong>organic</strong> cotton &amp; linen.</p><ul><li>Wash cold</li><li>Dry flat</li></ul>';
    const preview = await uploadWorkbook(db, { name: "b.xlsx", bytes: await workbook(rows(html)), createMissing: false });
    expect(preview.status).toBe("previewed");
    expect(preview.changes).toEqual([
      expect.objectContaining({
        field: "Description",
        locale: "en",
        oldValue: JSON.stringify("<p>Plain tee.</p>"),
        newValue: JSON.stringify(html),
        oldText: "Plain tee.",
        newText: "Soft organic cotton & linen.\n\n• Wash cold\n• Dry flat",
      }),
    ]);
    // The text is read when the preview is, not stored with it.
    const stored = JSON.parse((await db.upload.findUniqueOrThrow({ where: { id: preview.uploadId } })).preview!) as { changes: Record<string, unknown>[] };
    expect(stored.changes[0]).toMatchObject({ fieldKey: "description", kind: "localizedText" });
    expect(stored.changes[0]).not.toHaveProperty("newText");

    // A preview stored before the field's key was kept reads as it did (its values as they are).
    const { fieldKey: _, ...before } = stored.changes[0];
    await db.upload.update({ where: { id: preview.uploadId }, data: { preview: JSON.stringify({ ...stored, changes: [before] }) } });
    const old = await getUploadPreview(db, preview.uploadId);
    expect(old.changes[0]).toMatchObject({ field: "Description", newValue: JSON.stringify(html) });
    expect(old.changes[0]).not.toHaveProperty("newText");
  });

  it("values that read as themselves get no text of their own", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "a.xlsx", bytes: await workbook([{ "Product Handle": "tee", Title: "Tee <b>", SKU: "T-1" }]), createMissing: false });
    const title = preview.changes.find((c) => c.field === "Title")!;
    expect(title).toMatchObject({ newValue: JSON.stringify("Tee <b>") });
    expect(title).not.toHaveProperty("newText");
  });
});

describe("a sheet with headers and no product rows", () => {
  async function template(): Promise<Uint8Array> {
    const tmp = await makeTempDir();
    const file = tmp.path("template.xlsx");
    const out = createWriteStream(file);
    await writeTemplate(out, { primaryLocale: "en", withoutExamples: true });
    await finished(out);
    return readFileSync(file);
  }

  it("is refused, not previewed as nothing to import: the template with its examples deleted", async () => {
    await withShopify();
    const products = await db.product.count();
    const preview = await uploadWorkbook(db, { name: "template.xlsx", bytes: await template(), createMissing: true });
    expect(preview).toMatchObject({ status: "rejected", rows: 0, errors: [], markedCopy: false, changes: [], changeCount: 0 });
    expect(preview.message).toBe(
      "Nothing was imported: the Products sheet has its column headers but no product rows under them. Add one row per variant under the header row (the Instructions sheet says what each column takes), then upload the file again.",
    );
    // Recorded as other refused files are: the preview's run, failed, with the message.
    expect(preview.run).toMatchObject({ status: "failed", trigger: "upload", message: preview.message, counts: { created: 0, updated: 0, failed: 0 } });
    expect(await db.syncRun.count({ where: { trigger: "upload" } })).toBe(1);
    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow(/errors/);
    expect(await db.product.count()).toBe(products);
    expect(await db.fieldValue.count({ where: { sourceId: (await excelIntegration(db)).id } })).toBe(0);
    expect(await db.uploadBytes.count({ where: { uploadId: preview.uploadId, kind: "records" } })).toBe(0);
  });

  it("the same for headers only, whatever is in columns without a header (the warning says so)", async () => {
    await excelIntegration(db);
    const headers = ["Product Handle", "Title", "SKU"];
    const tmp = await makeTempDir();
    const file = tmp.path("headers.xlsx");
    await writeXlsx(file, [{ name: "Products", rows: [headers, [null, null, null, "a note"]] }]);
    const preview = await uploadWorkbook(db, { name: "headers.xlsx", bytes: readFileSync(file), createMissing: false });
    expect(preview).toMatchObject({ status: "rejected", message: expect.stringMatching(/no product rows/) });
    expect(preview.warnings).toEqual([expect.objectContaining({ row: 2, column: "D", message: expect.stringMatching(/no header/) })]);
    expect(await db.product.count()).toBe(0);
  });

  it("rows the file marks archived are rows: such a file is previewed", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, {
      name: "archived.xlsx",
      bytes: await workbook([{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Archived in source": "Yes" }]),
      createMissing: false,
    });
    expect(preview).toMatchObject({ status: "previewed", rows: 1, message: null, changeCount: 0 });
  });
});

describe("the template's example products", () => {
  /** The template's example rows as the template has them (handle, title, SKU: what tells them apart), then `own`. */
  function examplesAnd(own: Record<string, TestCell>[]): Promise<Uint8Array> {
    const examples = exampleProducts("en").flatMap((p) => p.variants.map((v) => ({ "Product Handle": p.handle, Title: (p.fields.title as Record<string, string>).en, SKU: v.fields.sku as string })));
    return workbook([...examples, ...own]);
  }

  async function templateAsIs(): Promise<Uint8Array> {
    const tmp = await makeTempDir();
    const file = tmp.path("template.xlsx");
    const out = createWriteStream(file);
    await writeTemplate(out, { primaryLocale: "en" });
    await finished(out);
    return readFileSync(file);
  }

  it("are not imported: the merchant's rows under them are, and the preview says which rows were left out", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "template.xlsx", bytes: await examplesAnd([{ "Product Handle": "linen-shirt", Title: "Linen Shirt", SKU: "LS-1" }]), createMissing: true });
    expect(preview.status).toBe("previewed");
    expect(preview.run?.counts).toMatchObject({ created: 1, failed: 0 });
    expect(preview.warnings.filter((w) => w.column === "Product Handle").map((w) => [w.row, w.message])).toEqual([
      [2, `"organic-cotton-tee" is the template's example product "Organic Cotton T-Shirt", so its rows were not imported. Delete the example rows from the file.`],
      [5, `"merino-wool-sweater" is the template's example product "Merino Wool Sweater", so its rows were not imported. Delete the example rows from the file.`],
    ]);
    expect((await commit(preview.uploadId)).status).toBe("committed");
    expect((await db.product.findMany({ select: { handle: true } })).map((p) => p.handle)).toEqual(["linen-shirt"]);
  });

  it("alone (the template uploaded as it is), make a file with nothing to import: refused, saying what to do", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "template.xlsx", bytes: await templateAsIs(), createMissing: true });
    expect(preview).toMatchObject({ status: "rejected", changes: [], changeCount: 0 });
    expect(preview.message).toMatch(/^Nothing was imported: the file holds only the template's two example products\./);
    expect(await db.product.count()).toBe(0);
  });

  it("a product of the merchant's own with an example's handle is imported", async () => {
    await excelIntegration(db);
    const preview = await uploadWorkbook(db, { name: "tees.xlsx", bytes: await workbook([{ "Product Handle": "organic-cotton-tee", Title: "Our tee", SKU: "OUR-TEE-1" }]), createMissing: false });
    expect(preview).toMatchObject({ status: "previewed", warnings: [] });
    expect(preview.run?.counts.created).toBe(1);
  });
});

describe("titles: needed only for a product the upload creates", () => {
  const catalogRows = [
    { "Product Handle": "tee", Title: "Tee", SKU: "T-1" },
    { "Product Handle": "cap", Title: "Cap", SKU: "C-1" },
  ];

  it("Excel as primary: a file without a Title column updates the products the catalog has", async () => {
    await excelIntegration(db);
    await commit((await uploadWorkbook(db, { name: "catalog.xlsx", bytes: await workbook(catalogRows), createMissing: false })).uploadId);

    const update = await workbook([
      { "Product Handle": "tee", SKU: "T-1", "Country of production": "PT" },
      { "Product Handle": "cap", SKU: "C-1", "Country of production": "IT" },
    ]);
    const preview = await uploadWorkbook(db, { name: "countries.xlsx", bytes: update, createMissing: false });
    expect(preview.errors).toEqual([]);
    expect(preview.status).toBe("previewed");
    expect(preview.run?.counts).toMatchObject({ created: 0, updated: 2, failed: 0 });
    expect(preview.changes.map((c) => [c.row, c.field, c.newValue])).toEqual([
      [2, "Country of production", '"PT"'],
      [3, "Country of production", '"IT"'],
    ]);

    expect((await commit(preview.uploadId)).status).toBe("committed");
    const tee = await db.product.findFirstOrThrow({ where: { handle: "tee" } });
    expect(tee.title).toBe("Tee");
    expect((await db.fieldValue.findFirstOrThrow({ where: { entityId: tee.id, field: "countryOfProduction" } })).value).toBe('"PT"');
  });

  it("Excel as primary: a new product without a title is an error for its row, and nothing is saved", async () => {
    await excelIntegration(db);
    await commit((await uploadWorkbook(db, { name: "catalog.xlsx", bytes: await workbook(catalogRows), createMissing: false })).uploadId);

    const update = await workbook([
      { "Product Handle": "tee", SKU: "T-1", "Country of production": "PT" },
      { "Product Handle": "scarf", SKU: "S-1", "Country of production": "IT" },
      { "Product Handle": "scarf", SKU: "S-2" },
    ]);
    const preview = await uploadWorkbook(db, { name: "countries.xlsx", bytes: update, createMissing: false });
    expect(preview.status).toBe("invalid");
    expect(preview.errors).toEqual([
      { sheet: "Products", row: 3, column: "Title", message: 'The product "scarf" is new, so it needs a Title: add one, or remove its rows.' },
    ]);
    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow(/errors/);
    expect(await db.product.count()).toBe(2);
    expect(await db.fieldValue.count({ where: { field: "countryOfProduction" } })).toBe(0);
  });

  it("Excel as a secondary creating products: a row that matches needs no title, a row that matches nothing does", async () => {
    await withShopify();
    const matched = { "Product Handle": "tee-1", SKU: "TEE-1-S", "Country of production": "PT" };
    const created = { "Product Handle": "wool-hat", Title: "Wool Hat", SKU: "HAT-1" };
    const enrich = await uploadWorkbook(db, { name: "enrich.xlsx", bytes: await workbook([matched, created]), createMissing: true });
    expect(enrich.errors).toEqual([]);
    expect(enrich.status).toBe("previewed");
    expect(enrich.run?.counts).toMatchObject({ updated: 1, created: 1, failed: 0 });

    const mixed = await uploadWorkbook(db, {
      name: "mixed.xlsx",
      bytes: await workbook([matched, { "Product Handle": "silk-scarf", SKU: "SCARF-1", "Material 1": "Silk", "Material 1 %": 100 }]),
      createMissing: true,
    });
    expect(mixed.status).toBe("invalid");
    expect(mixed.errors).toEqual([
      {
        sheet: "Products",
        row: 3,
        column: "Title",
        message: 'The product "silk-scarf" matches no variant in the catalog by SKU, so it is new and needs a Title: add one, correct its SKUs, or remove its rows.',
      },
    ]);
    await expect(commitUpload(queue, db, mixed.uploadId)).rejects.toThrow(/errors/);

    expect((await commit(enrich.uploadId)).status).toBe("committed");
    const tee = await db.product.findFirstOrThrow({ where: { handle: "tee-1" } });
    expect((await db.fieldValue.findFirstOrThrow({ where: { entityId: tee.id, field: "countryOfProduction" } })).value).toBe('"PT"');
    expect(tee.title).toBe("Tee 1");
    expect((await db.product.findFirstOrThrow({ where: { handle: "wool-hat" } })).title).toBe("Wool Hat");
    expect(await db.product.count({ where: { handle: "silk-scarf" } })).toBe(0);
  });
});

describe("round trip", () => {
  async function exportCatalog(file: string) {
    const out = createWriteStream(file);
    await writeCatalogWorkbook(db, out);
    await finished(out);
  }

  async function seedRichCatalog() {
    await withShopify();
    const preview = await uploadWorkbook(db, {
      name: "rich.xlsx",
      bytes: await workbook([
        {
          "Product Handle": "tee-1",
          SKU: "TEE-1-S",
          "Material 1": "Organic cotton",
          "Material 1 %": 95,
          "Material 1 Recycled %": 20,
          "Material 1 Origin": "IN",
          "Material 2": "Elastane",
          "Material 2 %": 5,
          "Country of production": "PT",
          Manufacturer: "Fábrica Têxtil, Lda.",
          // Text that looks like XML entities stays as it is (the export writes it as "&amp;amp;").
          "Care instructions": "Wash at 30 °C &amp; line dry; &lt;b&gt; is text",
          "Carbon footprint (kg CO2e)": 4.2,
          "Certification 1 Name": "GOTS",
          "Certification 1 Body": "Control Union",
          "Certification 1 Valid until": "2027-06-30",
        },
        { "Product Handle": "tee-1", SKU: "TEE-1-M" },
        { "Product Handle": "tee-2", SKU: "TEE-2-S", "Recycling information": "Textile collection bins" },
      ]),
      createMissing: false,
    });
    expect(preview.status).toBe("previewed");
    await commit(preview.uploadId);
  }

  it("export, then import the file unchanged: zero changes", async () => {
    await seedRichCatalog();
    const tmp = await makeTempDir();
    const file = tmp.path("export.xlsx");
    await exportCatalog(file);
    const preview = await uploadWorkbook(db, { name: "export.xlsx", bytes: readFileSync(file), createMissing: false });
    expect(preview.errors).toEqual([]);
    expect(preview.run?.counts).toMatchObject({ created: 0, updated: 0, unmatched: 0, failed: 0 });
    expect(preview.changeCount).toBe(0);
  });

  it("as the primary, a file exported without archived variants moves none of the others", async () => {
    await connectIntegration(db, "excel");
    const created = await uploadWorkbook(db, {
      name: "catalog.xlsx",
      bytes: await workbook(["S", "M", "L"].map((size) => ({ "Product Handle": "tee", Title: "Tee", SKU: `TEE-${size}`, "Option 1 Name": "Size", "Option 1 Value": size }))),
      createMissing: false,
    });
    expect((await commit(created.uploadId)).status).toBe("committed");
    await db.variant.updateMany({ where: { sku: "TEE-M" }, data: { archivedAt: new Date() } });
    const positions = async () => (await db.variant.findMany({ orderBy: { position: "asc" }, select: { sku: true, position: true } })).map((v) => `${v.sku}@${v.position}`);
    expect(await positions()).toEqual(["TEE-S@1", "TEE-M@2", "TEE-L@3"]);

    const tmp = await makeTempDir();
    const file = tmp.path("export.xlsx");
    const out = createWriteStream(file);
    await writeCatalogWorkbook(db, out, { archived: "exclude" });
    await finished(out);
    const preview = await uploadWorkbook(db, { name: "export.xlsx", bytes: readFileSync(file), createMissing: false });
    expect(preview.errors).toEqual([]);
    expect(preview.changeCount).toBe(0);
    expect((await commit(preview.uploadId)).status).toBe("committed");
    // L was listed second, after S: it stays third, after the archived M.
    expect(await positions()).toEqual(["TEE-S@1", "TEE-M@2", "TEE-L@3"]);
  });

  it("the same after LibreOffice opened and saved the file", async () => {
    await seedRichCatalog();
    const tmp = await makeTempDir();
    const file = tmp.path("export.xlsx");
    await exportCatalog(file);
    const converted = await sofficeConvert(file, { to: "xlsx", outDir: path.join(tmp.dir, "out"), profileDir: path.join(tmp.dir, "profile") });
    expect(converted).not.toBe(file);
    const preview = await uploadWorkbook(db, { name: "libreoffice.xlsx", bytes: readFileSync(converted), createMissing: false });
    expect(preview.errors).toEqual([]);
    expect(preview.run?.counts).toMatchObject({ created: 0, updated: 0, unmatched: 0, failed: 0 });
    expect(preview.changeCount).toBe(0);
  }, 120_000);
});

describe("operator CLI", () => {
  it("import --dry-run --json prints exactly one JSON document with the run and the cell errors", async () => {
    await excelIntegration(db);
    await rootDb.shop.create({ data: { shop: TEST_SHOP } }); // the CLI refuses shops that have not installed the app
    const tmp = await makeTempDir();
    const file = tmp.path("cli.xlsx");
    await writeProducts(file, [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Country of production": "XX" }]);
    let stdout = "";
    let status = 0;
    try {
      stdout = execFileSync("node_modules/.bin/tsx", ["app/cli/dpp.ts", "import", "--shop", TEST_SHOP, file, "--dry-run", "--json"], {
        encoding: "utf8",
        env: { ...process.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const e = error as { stdout: string; status: number };
      stdout = e.stdout;
      status = e.status;
    }
    expect(status).not.toBe(0);
    const doc = JSON.parse(stdout) as { run: { trigger: string; status: string; counts: Record<string, number> }; errors: { sheet: string; row: number; column: string; message: string }[] };
    expect(doc.run).toMatchObject({ trigger: "upload", status: "preview", counts: { failed: 1 } });
    expect(Object.keys(doc.run.counts).sort()).toEqual(["archived", "created", "failed", "skipped", "unchanged", "unmatched", "updated"]);
    expect(doc.errors[0]).toMatchObject({ sheet: "Products", row: 2, column: "Country of production" });
  }, 60_000);

  it("import of a sheet with headers and no product rows fails with the message, and imports nothing", async () => {
    await excelIntegration(db);
    await rootDb.shop.create({ data: { shop: TEST_SHOP } });
    const tmp = await makeTempDir();
    const file = tmp.path("headers.xlsx");
    await writeXlsx(file, [{ name: "Products", rows: [["Product Handle", "Title", "SKU"]] }]);
    let outcome: { stdout: string; stderr: string; status: number } = { stdout: "", stderr: "", status: 0 };
    try {
      const stdout = execFileSync("node_modules/.bin/tsx", ["app/cli/dpp.ts", "import", "--shop", TEST_SHOP, file, "--json"], { encoding: "utf8", env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
      outcome = { stdout, stderr: "", status: 0 };
    } catch (error) {
      outcome = error as typeof outcome;
    }
    expect(outcome.status).not.toBe(0);
    const doc = JSON.parse(outcome.stdout) as { run: { status: string; message?: string }; errors: unknown[] };
    expect(doc.run).toMatchObject({ status: "failed", message: expect.stringMatching(/no product rows under them/) });
    // The refusal is an error of the whole file.
    expect(doc.errors).toEqual([{ sheet: "", row: 0, column: "", message: expect.stringMatching(/no product rows under them/) }]);
    expect(outcome.stderr.trim().split("\n").at(-1)).toMatch(/^dpp: Nothing was imported: the Products sheet has its column headers but no product rows/);
    expect(await db.product.count()).toBe(0);
  }, 60_000);
});
