import { beforeEach, describe, expect, it } from "vitest";
import { db as client } from "../db.server";
import { deleteShopData, forShop, type ShopDb } from "../db/scoped.server";
import { MerchantError } from "../errors";
import { closeInterruptedRuns } from "../jobs/sync-jobs.server";
import { executeSync } from "../sync/engine.server";
import { emptyChangeSet } from "../sync/merge";
import type { SourceBatch, SourceRecord } from "../sync/records";
import { getRun, listRuns } from "../sync/runs.server";
import { connectIntegration, setPaused, type IntegrationRow } from "./integrations.server";
import {
  confirmPromotion,
  previewFailureMessage,
  previewWorker,
  promoteIntegration,
  readPromotionPreview,
  settledPromotionPreview,
  startPromotionPreview,
  summarizeRegrouping,
  type PromotionPreviewContext,
} from "./promote.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

const db = forShop(TEST_SHOP);

describe("summarizeRegrouping", () => {
  it("counts split, merged and created products and moved and unmatched variants", () => {
    const changes = emptyChangeSet();
    // P1 (3 variants) keeps v1, sends v2 to P2 and v3 to a new product N: split. P2 (1 variant) receives v2: merged.
    changes.variantMoves.push({ id: "v2", fromProductId: "P1", productId: "P2", position: 1 }, { id: "v3", fromProductId: "P1", productId: "N", position: 1 });
    changes.products.created = 1;
    const summary = summarizeRegrouping(changes, 10, 6, new Map([["P1", 3], ["P2", 1]]));
    expect(summary).toMatchObject({ productsSplit: 1, productsMerged: 1, productsCreated: 1, variantsMoved: 2, variantsUnmatched: 4 });
  });

  it("does not call a product split when all its variants move to one product", () => {
    const changes = emptyChangeSet();
    changes.variantMoves.push({ id: "v1", fromProductId: "P1", productId: "N", position: 1 }, { id: "v2", fromProductId: "P1", productId: "N", position: 2 });
    expect(summarizeRegrouping(changes, 2, 2, new Map([["P1", 2]])).productsSplit).toBe(0);
  });
});

describe("promoteIntegration", () => {
  beforeEach(async () => {
    await deleteShopData(TEST_SHOP);
  });

  it("makes the secondary the primary, keeps every variant's passport, and refuses the nonsense cases", async () => {
    const shopify = (await connectIntegration(db, "shopify")).integration;
    const excel = (await connectIntegration(db, "excel")).integration;
    await executeSync({
      shop: TEST_SHOP,
      integrationId: shopify.id,
      trigger: "manual",
      source: async () => ({ scope: "full", records: [{ externalId: "P", handle: "tee", fields: { title: { en: "Tee" } }, variants: [{ externalId: "V", fields: { sku: "T-1" } }] }] }),
    });
    const passport = await db.passport.findFirstOrThrow({});
    const summary = await promoteIntegration(db, "excel", { dryRun: false });
    expect(summary).toMatchObject({ integration: "excel", dryRun: false, previewed: false });
    expect((await db.integration.findUniqueOrThrow({ where: { id: excel.id } })).primaryOfShop).toBe(TEST_SHOP);
    expect((await db.integration.findUniqueOrThrow({ where: { id: shopify.id } })).primaryOfShop).toBeNull();
    expect(await db.externalLink.count({ where: { hash: { not: null } } })).toBe(0);
    expect((await db.passport.findFirstOrThrow({})).publicId).toBe(passport.publicId);
    await expect(promoteIntegration(db, "excel", { dryRun: false })).rejects.toThrow(/already the primary/);
    await expect(promoteIntegration(db, "pim", { dryRun: true })).rejects.toThrow(/no "pim" integration/);
  });

  it("says which primary it replaces, the identifier that one then matches by and the fields it keeps", async () => {
    const shopify = (await connectIntegration(db, "shopify")).integration;
    await connectIntegration(db, "excel");
    await db.integration.update({ where: { id: shopify.id }, data: { matchBy: "barcode" } });
    const preview = await promoteIntegration(db, "excel", { dryRun: true });
    expect(preview.formerPrimary).toMatchObject({ integration: "shopify", matchBy: "barcode" });
    // Shopify took structure and core fields on connect; a promotion moves none of them.
    expect(preview.formerPrimary?.ownedFields).toEqual(expect.arrayContaining(["title", "description", "options"]));
    expect(preview.formerPrimary?.ownedFields).not.toContain("materials");
    const owners = await db.fieldOwnership.findMany({ orderBy: { field: "asc" } });
    await promoteIntegration(db, "excel", { dryRun: false });
    expect(await db.fieldOwnership.findMany({ orderBy: { field: "asc" } })).toEqual(owners);
  });

  it("says whether the new primary's regrouping sync started: not for Excel, not while paused", async () => {
    await connectIntegration(db, "shopify");
    await connectIntegration(db, "excel");
    const preview = await promoteIntegration(db, "excel", { dryRun: true });
    expect(preview).toMatchObject({ dryRun: true, syncStarted: false });
    // Excel regroups with its next upload.
    expect(await promoteIntegration(db, "excel", { dryRun: false })).toMatchObject({ syncStarted: false, formerPrimary: { integration: "shopify" } });
    await setPaused(db, "shopify", true);
    expect(await promoteIntegration(db, "shopify", { dryRun: false })).toMatchObject({ syncStarted: false, formerPrimary: { integration: "excel" } });
    expect((await db.integration.findFirstOrThrow({ where: { kind: "shopify" } })).pendingScope).toBe("full");
    await promoteIntegration(db, "excel", { dryRun: false });
    await setPaused(db, "shopify", false);
    expect(await promoteIntegration(db, "shopify", { dryRun: false })).toMatchObject({ syncStarted: true });
  });

  it("refuses a disconnected integration with what to do", async () => {
    await connectIntegration(db, "shopify");
    const excel = (await connectIntegration(db, "excel")).integration;
    await db.integration.update({ where: { id: excel.id }, data: { status: "disconnected" } });
    await expect(promoteIntegration(db, "excel", { dryRun: true })).rejects.toThrow("Excel is disconnected; connect it again first.");
  });
});

/** A Shopify product record: `variants` are [external id, SKU]. */
const product = (id: string, variants: [string, string][]): SourceRecord => ({
  externalId: id,
  handle: id.toLowerCase(),
  fields: { title: { en: id } },
  variants: variants.map(([externalId, sku]) => ({ externalId, fields: { sku } })),
});

/** A source whose records come only once `release()` is called (a Shopify bulk export still running), or that fails. */
function heldSource(records: SourceRecord[], failure?: Error) {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const source = async (_db: ShopDb, _integration: IntegrationRow): Promise<SourceBatch> => ({
    scope: "full",
    records: (async function* () {
      await released;
      if (failure) throw failure;
      yield* records;
    })(),
  });
  return { source, release };
}

describe("the promotion preview in the background", () => {
  let shopifyId: string;

  beforeEach(async () => {
    await deleteShopData(TEST_SHOP);
    await deleteShopData(OTHER_SHOP);
    // Shopify brought one product with two variants; then Excel was made the primary.
    shopifyId = (await connectIntegration(db, "shopify")).integration.id;
    await connectIntegration(db, "excel");
    await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [product("P1", [["V1", "A"], ["V2", "B"]])] }) });
    await promoteIntegration(db, "excel", { dryRun: false });
  });

  /** Shopify, as the new primary, now has the two variants in two products: one product split. */
  const regrouped = [product("P1", [["V1", "A"]]), product("P2", [["V2", "B"]])];
  const catalog = async () => (await db.variant.findMany({ orderBy: { id: "asc" }, select: { id: true, productId: true } })).map((v) => `${v.id}:${v.productId}`);
  const primary = async () => (await db.integration.findFirst({ where: { primaryOfShop: { not: null } } }))?.kind;

  it("starts at once with its run id, shows its progress, then the summary kept with the run; nothing is written", async () => {
    const before = await catalog();
    const held = heldSource(regrouped);
    const started = await startPromotionPreview(db, "shopify", { source: held.source });
    expect(started).toMatchObject({ integrationId: shopifyId, integration: "shopify", status: "running", phase: "fetching", summary: null, processed: 0 });
    expect(started.runId).toEqual(expect.any(String));
    // The progress bar's scale: Shopify's last full run read one product.
    expect(started).toMatchObject({ total: 1, estimated: true });
    expect(await readPromotionPreview(db, started.runId!)).toMatchObject({ status: "running" });
    // It is in Sync history as a running run.
    expect((await listRuns(db))[0]).toMatchObject({ id: started.runId, status: "running", integration: "shopify" });

    held.release();
    await settledPromotionPreview(started.runId!);
    const done = await readPromotionPreview(db, started.runId!);
    expect(done).toMatchObject({
      runId: started.runId,
      status: "finished",
      phase: null,
      processed: 2,
      message: null,
      summary: { integration: "shopify", dryRun: true, previewed: true, productsSplit: 1, productsCreated: 1, variantsMoved: 1, formerPrimary: { integration: "excel" } },
    });
    expect(done?.finishedAt).toEqual(expect.any(String));
    // Kept with the run, typed; the run is a preview in Sync history with its counts.
    const run = await getRun(db, started.runId!);
    expect(run).toMatchObject({ status: "preview", details: { products: { created: 1 } } });
    expect((run?.details.context as PromotionPreviewContext).summary).toEqual(done?.summary);
    expect(await catalog()).toEqual(before);
    expect(await primary()).toBe("excel");
  });

  it("never runs two at a time: starting again while it runs, or soon after it finished, shows the same one", async () => {
    const held = heldSource(regrouped);
    const [a, b] = await Promise.all([startPromotionPreview(db, "shopify", { source: held.source }), startPromotionPreview(db, "shopify", { source: held.source })]);
    expect(b.runId).toBe(a.runId);
    expect((await startPromotionPreview(db, "shopify", { source: held.source })).runId).toBe(a.runId);
    expect(await db.syncRun.count({ where: { integrationId: shopifyId, status: "running" } })).toBe(1);
    held.release();
    await settledPromotionPreview(a.runId!);
    expect(await startPromotionPreview(db, "shopify")).toMatchObject({ runId: a.runId, status: "finished" });

    // A sync since it started may have changed the catalog: the next start works it out again.
    await db.integration.updateMany({ where: { kind: "excel" }, data: { lastSyncAt: new Date() } });
    const again = heldSource(regrouped);
    const next = await startPromotionPreview(db, "shopify", { source: again.source });
    expect(next).toMatchObject({ status: "running" });
    expect(next.runId).not.toBe(a.runId);
    again.release();
    await settledPromotionPreview(next.runId!);
  });

  it("is read back only by its shop, and only for a promotion preview's run", async () => {
    const held = heldSource(regrouped);
    const { runId } = await startPromotionPreview(db, "shopify", { source: held.source });
    held.release();
    await settledPromotionPreview(runId!);
    const other = forShop(OTHER_SHOP);
    await connectIntegration(other, "shopify");
    expect(await readPromotionPreview(other, runId!)).toBeNull();
    await expect(confirmPromotion(other, shopifyId, runId)).rejects.toThrow(/no ".*" integration/);
    // A sync's run is no preview; an unknown id is nothing.
    const sync = await db.syncRun.findFirstOrThrow({ where: { status: "succeeded" } });
    expect(await readPromotionPreview(db, sync.id)).toBeNull();
    expect(await readPromotionPreview(db, "no-such-run")).toBeNull();
    expect(await readPromotionPreview(db, runId!)).toMatchObject({ status: "finished" });
  });

  /** A preview run as a process records it (`worker`), its heartbeat `ago` ms old. */
  async function recordedPreview(worker: string, ago: number): Promise<string> {
    const context: PromotionPreviewContext = { preview: "promotion", integrationId: shopifyId, primaryId: null, worker, expected: null };
    const at = new Date(Date.now() - ago);
    const run = await db.syncRun.create({
      data: { shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", status: "running", phase: "fetching", createdAt: at, startedAt: at, heartbeatAt: at, details: JSON.stringify({ context }) },
    });
    return run.id;
  }

  it("a preview cut short by a restart shows as interrupted, and starting again begins a new one", async () => {
    // Another process still works on this one (its heartbeat is fresh): it is shown, not started twice.
    const alive = await recordedPreview("another-process", 5_000);
    expect(await readPromotionPreview(db, alive)).toMatchObject({ status: "running" });
    expect((await startPromotionPreview(db, "shopify")).runId).toBe(alive);

    // That process stopped: its heartbeat is old.
    const stopped = new Date(Date.now() - 2 * 60_000);
    await db.syncRun.update({ where: { id: alive }, data: { createdAt: stopped, startedAt: stopped, heartbeatAt: stopped } });
    const interrupted = await readPromotionPreview(db, alive);
    expect(interrupted).toMatchObject({ status: "failed", summary: null });
    expect(interrupted?.message).toBe("The preview was interrupted: the app restarted while it ran. Nothing was changed. Start the preview again to see what would change.");
    expect((await getRun(db, alive))?.status).toBe("failed");

    // This process's own preview that it no longer works on (the process restarted in development) is interrupted at once.
    const lost = await recordedPreview(previewWorker(), 0);
    expect(await readPromotionPreview(db, lost)).toMatchObject({ status: "failed" });

    const held = heldSource(regrouped);
    const fresh = await startPromotionPreview(db, "shopify", { source: held.source });
    expect(fresh).toMatchObject({ status: "running" });
    expect([alive, lost]).not.toContain(fresh.runId);
    held.release();
    await settledPromotionPreview(fresh.runId!);
  });

  it("the schedule closes a preview nobody looked at after a restart as an interrupted preview, not as a sync that is retried", async () => {
    const preview = await recordedPreview("stopped-process", 20 * 60_000);
    const at = new Date(Date.now() - 20 * 60_000);
    const sync = await db.syncRun.create({ data: { shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", status: "running", startedAt: at, heartbeatAt: at } });
    expect(await closeInterruptedRuns(client)).toBe(2);
    expect((await getRun(db, preview))?.message).toMatch(/^The preview was interrupted/);
    expect((await getRun(db, sync.id))?.message).toMatch(/^The sync was interrupted .* It is retried automatically\.$/);
    expect(await readPromotionPreview(db, preview)).toMatchObject({ status: "failed" });
  });

  it("a failed preview says what happened and what to do, leaves the integration's health alone, and a retry starts anew", async () => {
    const held = heldSource(regrouped, new MerchantError("Shopify took too long to export your catalog. Passport will try again automatically."));
    const { runId } = await startPromotionPreview(db, "shopify", { source: held.source });
    held.release();
    await settledPromotionPreview(runId!);
    expect(await readPromotionPreview(db, runId!)).toMatchObject({
      status: "failed",
      summary: null,
      message: "Shopify took too long to export your catalog. Nothing was changed. Try again in a few minutes.",
    });
    expect(await db.integration.findUniqueOrThrow({ where: { id: shopifyId } })).toMatchObject({ status: "active", consecutiveFailures: 0 });
    const retry = heldSource(regrouped);
    const next = await startPromotionPreview(db, "shopify", { source: retry.source });
    expect(next.runId).not.toBe(runId);
    retry.release();
    await settledPromotionPreview(next.runId!);
    expect(await readPromotionPreview(db, next.runId!)).toMatchObject({ status: "finished" });
  });

  it("failure messages: what to do when retrying cannot help, and no internals", () => {
    expect(previewFailureMessage(new MerchantError("Shopify refused to export your catalog to Passport (access denied). Reinstall the app.", true))).toBe(
      "Shopify refused to export your catalog to Passport (access denied). Reinstall the app. Nothing was changed.",
    );
    // A sync tries again by itself; a preview does not: the merchant is told to.
    expect(
      previewFailureMessage(new MerchantError("Shopify is still busy with other catalog exports of Passport, so reading your catalog from Shopify could not start. Passport will try again automatically.")),
    ).toBe("Shopify is still busy with other catalog exports of Passport, so reading your catalog from Shopify could not start. Nothing was changed. Try again in a few minutes.");
    expect(previewFailureMessage(new Error("connect ECONNREFUSED 127.0.0.1:5432"))).toBe(
      "Something went wrong on our side (connect ECONNREFUSED 127.0.0.1:5432). Nothing was changed. Try again in a few minutes; if this keeps happening, contact support.",
    );
  });

  it("confirming promotes only after a finished preview of that integration, against the same primary", async () => {
    await expect(confirmPromotion(db, "shopify", null)).rejects.toThrow("Passport has not shown what making Shopify the primary would change. Choose Make primary to see it first.");
    const held = heldSource(regrouped);
    const { runId } = await startPromotionPreview(db, "shopify", { source: held.source });
    await expect(confirmPromotion(db, "shopify", runId)).rejects.toThrow("The preview is still being worked out. Confirm once it shows what would change.");
    held.release();
    await settledPromotionPreview(runId!);
    expect(await primary()).toBe("excel");

    // The primary changed after the preview: it no longer says what the promotion does.
    const excel = await db.integration.findFirstOrThrow({ where: { kind: "excel" } });
    await db.integration.update({ where: { id: excel.id }, data: { primaryOfShop: null } });
    await expect(confirmPromotion(db, "shopify", runId)).rejects.toThrow(/The primary integration changed after this preview/);
    await db.integration.update({ where: { id: excel.id }, data: { primaryOfShop: TEST_SHOP } });

    expect(await confirmPromotion(db, "shopify", runId)).toMatchObject({ integration: "shopify", dryRun: false, syncStarted: true, formerPrimary: { integration: "excel" } });
    expect(await primary()).toBe("shopify");
    await expect(confirmPromotion(db, "shopify", runId)).rejects.toThrow(/already the primary/);
  });

  it("refuses a failed preview; Excel has nothing to work out: its summary comes at once, without a run", async () => {
    const held = heldSource(regrouped, new Error("boom"));
    const { runId } = await startPromotionPreview(db, "shopify", { source: held.source });
    held.release();
    await settledPromotionPreview(runId!);
    await expect(confirmPromotion(db, "shopify", runId)).rejects.toThrow("The preview could not be finished, so there is nothing to confirm. Choose Make primary to try again.");

    await promoteIntegration(db, "shopify", { dryRun: false });
    const excel = await startPromotionPreview(db, "excel");
    expect(excel).toMatchObject({ runId: null, status: "finished", summary: { integration: "excel", previewed: false, formerPrimary: { integration: "shopify" } } });
    expect(await confirmPromotion(db, "excel", null)).toMatchObject({ integration: "excel", syncStarted: false });
    expect(await primary()).toBe("excel");
  });
});
