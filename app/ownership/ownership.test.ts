// Who writes a field of a product (effectiveWriter), as a rule and against a real database: a
// product only its creating integration has, before and after that integration is disconnected.
import { beforeEach, describe, expect, it } from "vitest";
import { editField, productDetail } from "../catalog/catalog.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration, disconnectIntegration } from "../integrations/integrations.server";
import { executeSync } from "../sync/engine.server";
import type { SourceRecord } from "../sync/records";
import { TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { effectiveWriter, type OwnershipMap } from "./ownership";

describe("effectiveWriter", () => {
  const ownership: OwnershipMap = new Map([
    ["title", "shopify"],
    ["sku", "excel"],
  ]);
  const excelOnly = { originId: "excel", linkedIntegrationIds: new Set(["excel"]) };
  const both = new Set(["shopify", "excel"]);

  it("gives the fields the primary owns of a product only its creator has to that creator, while it is connected", () => {
    expect(effectiveWriter(ownership, "title", excelOnly, "shopify", both)).toBe("excel");
    expect(effectiveWriter(ownership, "title", excelOnly, "shopify", new Set(["shopify"]))).toBeNull();
  });

  it("gives every other field to its owner, whoever created the product", () => {
    expect(effectiveWriter(ownership, "title", { originId: "excel", linkedIntegrationIds: both }, "shopify", new Set(["shopify"]))).toBe("shopify");
    expect(effectiveWriter(ownership, "sku", excelOnly, "shopify", both)).toBe("excel");
    expect(effectiveWriter(ownership, "vendor", excelOnly, "shopify", both)).toBeNull();
  });
});

describe("a product its creating integration had alone, once that integration is disconnected", () => {
  let db: ShopDb;
  beforeEach(async () => {
    await clearCatalog();
    db = forShop(TEST_SHOP);
  });

  const sync = (integrationId: string, records: SourceRecord[], options: { scope?: "full" | "partial"; createUnmatched?: boolean } = {}) =>
    executeSync({ shop: TEST_SHOP, integrationId, trigger: "manual", createUnmatched: options.createUnmatched, source: async () => ({ scope: options.scope ?? "partial", records }) });

  const tee: SourceRecord = { externalId: "gid://shopify/Product/1", handle: "tee", fields: { title: { en: "Tee" } }, variants: [{ externalId: "gid://shopify/ProductVariant/11", fields: { sku: "TEE" } }] };
  const scarf: SourceRecord = { externalId: "scarf", handle: "scarf", fields: { title: { en: "Scarf" } }, variants: [{ externalId: "SCARF-1", fields: { sku: "SCARF-1" } }] };
  const titleWriter = async (productId: string) => (await productDetail(db, productId)).fields.find((f) => f.field === "title")!.writer;

  it("is edited by hand, and the primary's runs leave it so", async () => {
    const shopify = (await connectIntegration(db, "shopify")).integration.id;
    const excel = (await connectIntegration(db, "excel")).integration.id;
    await sync(shopify, [tee], { scope: "full" });
    await sync(excel, [scarf], { createUnmatched: true });
    const { id } = await db.product.findFirstOrThrow({ where: { handle: "scarf" } });
    // Title is Shopify's, which does not have the scarf: Excel, which created it, writes it.
    expect(await titleWriter(id)).toEqual({ id: excel, label: "Excel" });
    await expect(editField(db, { entityId: id, field: "title", value: "Silk scarf" }, "merchant@example.com")).rejects.toThrow(/owned by Excel/);

    await disconnectIntegration(db, excel, "Removed by the merchant");
    expect(await titleWriter(id)).toBeNull();
    expect(await editField(db, { entityId: id, field: "title", value: "Silk scarf" }, "merchant@example.com")).toMatchObject({ newValue: '"Silk scarf"' });

    const { report } = await sync(shopify, [tee], { scope: "full" });
    expect(report.counts.archived).toBe(0);
    const product = await db.product.findUniqueOrThrow({ where: { id } });
    expect(product).toMatchObject({ title: "Silk scarf", archivedAt: null });

    // Connected again (the same integration), Excel writes the products it created again.
    await connectIntegration(db, "excel");
    expect(await titleWriter(id)).toEqual({ id: excel, label: "Excel" });
  });
});
