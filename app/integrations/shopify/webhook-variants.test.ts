// A products/update webhook of a product with more than 100 variants carries the first 100 in
// full and the ids of all (variant_gids): the variants it could not list stay as they are, and
// only those gone from Shopify are archived. Through the engine, on a real database.
import { beforeEach, describe, expect, it } from "vitest";
import { forShop, type ShopDb } from "../../db/scoped.server";
import { executeSync } from "../../sync/engine.server";
import { TEST_SHOP } from "../../../test/support/constants";
import { clearCatalog } from "../../../test/support/catalog";
import { connectIntegration } from "../integrations.server";
import { recordFromWebhook, type ProductWebhookPayload } from "./records";

const variantGid = (n: number) => `gid://shopify/ProductVariant/${n}`;

/** A products/update payload listing `listed` of the product's variants, and `all` in variant_gids. */
function payload(day: number, listed: number[], all: number[]): ProductWebhookPayload {
  return {
    id: 1,
    admin_graphql_api_id: "gid://shopify/Product/1",
    title: "Sock",
    handle: "sock",
    updated_at: `2026-11-0${day}T10:00:00Z`,
    options: [{ name: "Size", position: 1 }],
    variants: listed.map((n) => ({ id: n, admin_graphql_api_id: variantGid(n), position: n, sku: `SOCK-${n}`, option1: `${n}` })),
    variant_gids: all.map((n) => ({ admin_graphql_api_id: variantGid(n), updated_at: `2026-11-0${day}T10:00:00.000Z` })),
  };
}

let db: ShopDb;
let shopifyId: string;
const sync = (p: ProductWebhookPayload) =>
  executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "webhook", source: async () => ({ scope: "partial", records: [recordFromWebhook(p, { primaryLocale: "en" }).record] }) });
const archivedSkus = async () => (await db.variant.findMany({ where: { archivedAt: { not: null } }, orderBy: { sku: "asc" } })).map((v) => v.sku);

beforeEach(async () => {
  await clearCatalog();
  db = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(db, "shopify")).integration.id; // the primary
});

describe("a webhook that lists only some of a product's variants", () => {
  it("names the rest in the record, and only then", () => {
    expect(recordFromWebhook(payload(1, [1, 2], [1, 2, 3]), { primaryLocale: "en" }).record.allVariantIds).toEqual([1, 2, 3].map(variantGid));
    expect(recordFromWebhook(payload(1, [1, 2, 3], [1, 2, 3]), { primaryLocale: "en" }).record).not.toHaveProperty("allVariantIds");
  });

  it("leaves the variants it could not list as they are, and archives those gone from Shopify", async () => {
    await sync(payload(1, [1, 2, 3], [1, 2, 3]));
    expect(await db.variant.count()).toBe(3);

    const capped = await sync(payload(2, [1, 2], [1, 2, 3]));
    expect(capped.report.counts.archived).toBe(0);
    expect(await archivedSkus()).toEqual([]);

    // Variant 3 deleted in Shopify: gone from variant_gids too.
    const deleted = await sync(payload(3, [1, 2], [1, 2]));
    expect(deleted.report.counts.archived).toBe(1);
    expect(await archivedSkus()).toEqual(["SOCK-3"]);
  });

  it("still archives a variant a complete payload no longer lists", async () => {
    await sync(payload(1, [1, 2, 3], [1, 2, 3]));
    await sync(payload(2, [1, 2], []));
    expect(await archivedSkus()).toEqual(["SOCK-3"]);
  });
});
