// Committing an Excel upload when nothing would run it (a paused or disconnected integration), the
// CLI's wait for a commit, and uploads left unchecked or stuck being committed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { CommitStall, commitOutcome } from "../app/cli/commands.server";
import { db as rootDb } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { disconnectIntegration, setPaused } from "../app/integrations/integrations.server";
import { commitUpload, excelIntegration, expireAllUploads, expireUploads, getUploadPreview, uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { DbJobQueue } from "../app/jobs/db-queue.server";
import { processSyncJob, resumeSyncs } from "../app/jobs/sync-jobs.server";
import { makeTempDir, writeProducts } from "../app/integrations/excel/fixtures/helpers";
import { TEST_SHOP } from "./support/constants";

const db = forShop(TEST_SHOP);
const queue = new DbJobQueue(rootDb, { pollMs: 10 });
const ROWS = [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }];

async function previewedUpload() {
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, ROWS);
  const preview = await uploadWorkbook(db, { name: "upload.xlsx", bytes: readFileSync(file), createMissing: false });
  expect(preview.status).toBe("previewed");
  return { ...preview, file };
}

async function runQueue() {
  await queue.work((job) => processSyncJob(job));
  await queue.drain();
  await queue.stop();
}

beforeEach(async () => {
  await deleteShopData(TEST_SHOP);
});

describe("committing while the Excel integration does not sync", () => {
  it("refuses the commit of a paused integration and leaves the upload previewed, to import after resuming", async () => {
    const excel = await excelIntegration(db);
    const preview = await previewedUpload();
    await setPaused(db, excel.id, true);

    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow("The Excel integration is paused. Resume it on the Integrations page, then import again.");
    expect((await getUploadPreview(db, preview.uploadId)).status).toBe("previewed");
    // No request waits to surprise the merchant on resume.
    expect((await db.integration.findUniqueOrThrow({ where: { id: excel.id } })).pendingScope).toBeNull();

    await resumeSyncs(queue, db, excel.id);
    await commitUpload(queue, db, preview.uploadId);
    await runQueue();
    expect((await getUploadPreview(db, preview.uploadId)).status).toBe("committed");
    expect(await db.product.count()).toBe(1);
  });

  it("refuses the commit of a disconnected integration", async () => {
    const excel = await excelIntegration(db);
    const preview = await previewedUpload();
    await disconnectIntegration(db, excel.id, "test");
    await expect(commitUpload(queue, db, preview.uploadId)).rejects.toThrow(/disconnected.*Connect it again/);
    expect((await getUploadPreview(db, preview.uploadId)).status).toBe("previewed");
  });

  it("a commit paused before its run says why it waits, and runs when the integration is resumed", async () => {
    const excel = await excelIntegration(db);
    const preview = await previewedUpload();
    await commitUpload(queue, db, preview.uploadId);
    await setPaused(db, excel.id, true);
    await runQueue();
    const waiting = await getUploadPreview(db, preview.uploadId);
    expect(waiting.status).toBe("committing");
    expect(waiting.commitBlocked).toMatch(/paused before this import ran.*Resume it/);

    await resumeSyncs(queue, db, excel.id);
    await runQueue();
    const done = await getUploadPreview(db, preview.uploadId);
    expect(done).toMatchObject({ status: "committed", commitBlocked: null });
  });
});

describe("the CLI's wait for a commit", () => {
  it("import --json with a paused integration ends at once with the reason, and the upload stays previewed", async () => {
    const excel = await excelIntegration(db);
    await rootDb.shop.create({ data: { shop: TEST_SHOP } }); // the CLI refuses shops that have not installed the app
    await setPaused(db, excel.id, true);
    const tmp = await makeTempDir();
    const file = tmp.path("cli.xlsx");
    await writeProducts(file, ROWS);
    let result: { status: number; stdout: string; stderr: string };
    try {
      const stdout = execFileSync("node_modules/.bin/tsx", ["app/cli/dpp.ts", "import", "--shop", TEST_SHOP, file, "--json"], {
        encoding: "utf8",
        env: { ...process.env },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 50_000,
      });
      result = { status: 0, stdout, stderr: "" };
    } catch (error) {
      result = error as { status: number; stdout: string; stderr: string };
    }
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("dpp: The Excel integration is paused. Resume it on the Integrations page, then import again.");
    expect(result.stdout).toBe("");
    const upload = await db.upload.findFirstOrThrow();
    expect(upload.status).toBe("previewed");
  }, 60_000);

  it("ends on every state that will not change by itself", async () => {
    const excel = await excelIntegration(db);
    const preview = await previewedUpload();
    await commitUpload(queue, db, preview.uploadId);
    const stall = new CommitStall(60_000);
    expect(await commitOutcome(db, preview.uploadId, stall)).toBeNull(); // queued: still waiting

    await setPaused(db, excel.id, true);
    await expect(commitOutcome(db, preview.uploadId, stall)).rejects.toThrow(/paused before this import ran/);
    await setPaused(db, excel.id, false);
    await disconnectIntegration(db, excel.id, "test");
    await expect(commitOutcome(db, preview.uploadId, stall)).rejects.toThrow(/disconnected before this import ran/);

    await db.upload.update({ where: { id: preview.uploadId }, data: { status: "expired" } });
    await expect(commitOutcome(db, preview.uploadId, stall)).rejects.toThrow(/expired/);
    await db.upload.update({ where: { id: preview.uploadId }, data: { status: "cancelled" } });
    await expect(commitOutcome(db, preview.uploadId, stall)).rejects.toThrow(/upload is cancelled/);
    await db.upload.update({ where: { id: preview.uploadId }, data: { status: "failed" } });
    expect(await commitOutcome(db, preview.uploadId, stall)).toMatchObject({ status: "failed" });
  });

  it("gives up on a commit that no run takes up, saying so", async () => {
    await excelIntegration(db);
    const preview = await previewedUpload();
    await commitUpload(queue, db, preview.uploadId); // no worker runs the queue
    const stall = new CommitStall(50);
    expect(await commitOutcome(db, preview.uploadId, stall)).toBeNull();
    await new Promise((r) => setTimeout(r, 80));
    await expect(commitOutcome(db, preview.uploadId, stall)).rejects.toThrow(/has not started after .* seconds and stays queued/);
  });
});

describe("expiring uploads", () => {
  it("expires uploads never checked (left 'uploaded') after a day, deleting their file", async () => {
    const excel = await excelIntegration(db);
    const stale = await db.upload.create({ data: { shop: TEST_SHOP, integrationId: excel.id, fileName: "crashed.xlsx" } });
    const fresh = await db.upload.create({ data: { shop: TEST_SHOP, integrationId: excel.id, fileName: "checking.xlsx" } });
    for (const id of [stale.id, fresh.id]) await db.uploadBytes.create({ data: { shop: TEST_SHOP, uploadId: id, kind: "file", bytes: Buffer.from("x") } });
    await rootDb.upload.update({ where: { id: stale.id }, data: { updatedAt: new Date(Date.now() - 25 * 3_600_000) } });

    expect(await expireAllUploads(rootDb)).toBe(1);
    expect((await getUploadPreview(db, stale.id)).status).toBe("expired");
    expect(await db.uploadBytes.count({ where: { uploadId: stale.id } })).toBe(0);
    expect((await getUploadPreview(db, fresh.id)).status).toBe("uploaded");
    expect(await db.uploadBytes.count({ where: { uploadId: fresh.id } })).toBe(1);
  });

  it("expires an upload left committing for a week (its integration disconnected), deleting its file", async () => {
    const excel = await excelIntegration(db);
    const preview = await previewedUpload();
    await commitUpload(queue, db, preview.uploadId);
    await disconnectIntegration(db, excel.id, "test");
    await rootDb.upload.update({ where: { id: preview.uploadId }, data: { updatedAt: new Date(Date.now() - 8 * 86_400_000) } });

    expect(await expireUploads(db)).toBe(1);
    expect((await getUploadPreview(db, preview.uploadId)).status).toBe("expired");
    expect(await db.uploadBytes.count({ where: { uploadId: preview.uploadId } })).toBe(0);
  });
});
