import { beforeEach, describe, expect, it } from "vitest";
import { deleteShopData, forShop } from "../db/scoped.server";
import { executeSync } from "../sync/engine.server";
import { emptyChangeSet } from "../sync/merge";
import { connectIntegration, setPaused } from "./integrations.server";
import { promoteIntegration, summarizeRegrouping } from "./promote.server";
import { TEST_SHOP } from "../../test/support/constants";

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
