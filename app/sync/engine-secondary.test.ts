// A secondary integration's records against a real database (SQLite, or PostgreSQL in CI's second
// pass): matching, product values from several records, and its deletes.
import { beforeEach, expect, it } from "vitest";
import { fieldHistory } from "../catalog/catalog.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { setFieldOwner } from "../ownership/ownership.server";
import { TEST_SHOP } from "../../test/support/constants";
import { clearCatalog } from "../../test/support/catalog";
import { executeSync } from "./engine.server";
import type { ChangeSet } from "./merge";
import type { SourceRecord } from "./records";

let db: ShopDb;
beforeEach(async () => {
  await clearCatalog();
  db = forShop(TEST_SHOP);
});

/** Connects integrations in order: the first one is the primary. */
async function connect(...kinds: ("shopify" | "excel")[]): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of kinds) ids.push((await connectIntegration(db, kind)).integration.id);
  return ids;
}

const sync = (
  integrationId: string,
  records: SourceRecord[],
  options: { scope?: "full" | "partial"; deleted?: string[]; trigger?: "manual" | "upload" | "webhook"; createUnmatched?: boolean } = {},
) =>
  executeSync({
    shop: TEST_SHOP,
    integrationId,
    trigger: options.trigger ?? "manual",
    createUnmatched: options.createUnmatched,
    source: async () => ({ scope: options.scope ?? "partial", records, deletedExternalIds: options.deleted }),
  });

const shopifyProduct = (n: number, handle: string, skus: string[]): SourceRecord => ({
  externalId: `gid://shopify/Product/${n}`,
  handle,
  fields: { title: { en: handle } },
  variants: skus.map((sku, i) => ({ externalId: `gid://shopify/ProductVariant/${n}${i}`, position: i + 1, fields: { sku } })),
});

const row = (externalId: string, sku: string, fields: SourceRecord["fields"]): SourceRecord => ({ externalId, fields, variants: [{ externalId: sku, fields: { sku } }] });

it("saves an upload whose records give one product the same value (a row per colour), once, in one batch or across batches", async () => {
  const [shopify, excel] = await connect("shopify", "excel");
  await sync(shopify, [shopifyProduct(1, "tee", ["TEE-RED", "TEE-BLUE"]), shopifyProduct(2, "cap", ["CAP-RED", "CAP-BLUE"])], { scope: "full" });

  // The cap's two rows are 1,000 records apart: the engine merges and writes them in different batches.
  const ghosts = Array.from({ length: 998 }, (_, i) => row(`ghost-${i}`, `GHOST-${i}`, {}));
  const { report } = await sync(
    excel,
    [
      row("tee-red", "TEE-RED", { countryOfProduction: "PT" }),
      row("tee-blue", "TEE-BLUE", { countryOfProduction: "PT" }),
      row("cap-red", "CAP-RED", { countryOfProduction: "IT" }),
      ...ghosts,
      row("cap-blue", "CAP-BLUE", { countryOfProduction: "IT" }),
    ],
    { trigger: "upload" },
  );
  expect(report.errors).toEqual([]);
  expect(report.counts).toMatchObject({ updated: 4, failed: 0, unmatched: 998 });
  expect(report.products).toMatchObject({ updated: 2, unchanged: 0 });
  for (const [handle, country] of [
    ["tee", "PT"],
    ["cap", "IT"],
  ]) {
    const product = await db.product.findFirstOrThrow({ where: { handle } });
    expect(await fieldHistory(db, product.id, "countryOfProduction")).toMatchObject([{ oldValue: null, newValue: country, source: "Excel upload" }]);
  }

  // Different values for one product are still refused, and reported.
  const { report: again } = await sync(excel, [row("tee-red", "TEE-RED", { countryOfProduction: "ES" }), row("tee-blue", "TEE-BLUE", { countryOfProduction: "FR" })], { trigger: "upload" });
  expect(again.errors).toEqual([expect.objectContaining({ externalId: "tee-blue", message: expect.stringMatching(/Country of production differs from "tee-red"/) })]);
});

it("enriches the live variant when an archived one has the same SKU (a product deleted and made again in Shopify)", async () => {
  const [shopify, excel] = await connect("shopify", "excel");
  await sync(shopify, [shopifyProduct(1, "shirt", ["S-1"])], { scope: "full" });
  await sync(shopify, [shopifyProduct(2, "shirt", ["S-1"])], { deleted: ["gid://shopify/Product/1"], trigger: "webhook" });
  const variants = await db.variant.findMany({ where: { sku: "S-1" }, select: { id: true, productId: true, archivedAt: true } });
  expect(variants.map((v) => v.archivedAt === null).sort()).toEqual([false, true]);

  const { report } = await sync(excel, [row("shirt", "S-1", { countryOfProduction: "PT" })], { trigger: "upload" });
  expect(report.errors).toEqual([]);
  expect(report.counts.updated).toBe(1);
  const live = variants.find((v) => v.archivedAt === null)!;
  expect((await db.fieldValue.findFirst({ where: { entityId: live.productId, field: "countryOfProduction" } }))?.value).toBe('"PT"');
});

it("keeps the primary's product and variants when a secondary's source deletes its record, and drops only that secondary's links", async () => {
  const [excel, shopify] = await connect("excel", "shopify");
  await sync(excel, [{ externalId: "tee", handle: "tee", fields: { title: { en: "Tee" } }, variants: ["TEE-1", "TEE-2"].map((sku) => ({ externalId: sku, fields: { sku } })) }], {
    trigger: "upload",
  });
  await sync(shopify, [shopifyProduct(1, "tee", ["TEE-1"])], { trigger: "webhook" });
  expect(await db.externalLink.count({ where: { integrationId: shopify } })).toBe(2);

  const { report } = await sync(shopify, [], { deleted: ["gid://shopify/Product/1"], trigger: "webhook" });
  expect(report.counts.archived).toBe(0);
  expect(report.products.archived).toBe(0);
  expect(await db.product.count({ where: { archivedAt: { not: null } } })).toBe(0);
  expect(await db.variant.count({ where: { archivedAt: { not: null } } })).toBe(0);
  expect(await db.externalLink.count({ where: { integrationId: shopify } })).toBe(0);
  expect(await db.externalLink.count({ where: { integrationId: excel } })).toBe(3);
});

it("lets a secondary that owns SKU enrich the variants the primary creates afterwards, and the primary's next identical run writes nothing", async () => {
  const [shopify, excel] = await connect("shopify", "excel");
  await setFieldOwner(db, "sku", excel, "merchant"); // GUIDE §2's default: a secondary owns identifiers
  const tee = shopifyProduct(1, "tee", ["TEE-1", "TEE-2"]);
  await sync(shopify, [tee], { scope: "full" });
  expect(await db.variant.count({ where: { sku: null } })).toBe(2); // Shopify's SKUs are not the catalog's values

  const { report } = await sync(excel, [row("tee", "TEE-1", { countryOfProduction: "PT" })], { trigger: "upload" });
  expect(report.counts).toMatchObject({ updated: 1, unmatched: 0 });
  expect(await db.variant.count({ where: { sku: "TEE-1" } })).toBe(1); // written by its owner, Excel

  // Shopify again: the same records, then a changed title, write no identifiers; a new SKU is followed.
  const changes: ChangeSet[] = [];
  const before = await db.variant.findMany({ orderBy: { id: "asc" } });
  await executeSync({ shop: TEST_SHOP, integrationId: shopify, trigger: "scheduled", source: async () => ({ scope: "full", records: [tee] }), onChanges: (c) => changes.push(c) });
  await sync(shopify, [{ ...tee, fields: { title: { en: "Renamed" } } }], { scope: "full" });
  expect(await db.variant.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  expect(changes.flatMap((c) => [...c.writes, ...c.sourceIdentifiers, ...c.links])).toEqual([]);

  const second = before.find((v) => v.sourceSku === "TEE-2")!;
  await sync(shopify, [shopifyProduct(1, "tee", ["TEE-1", "TEE-2-NEW"])], { scope: "full" });
  const { report: renamed } = await sync(excel, [row("tee", "TEE-2-NEW", { countryOfProduction: "PT" })], { trigger: "upload" });
  expect(renamed.counts).toMatchObject({ updated: 1, unmatched: 0 });
  expect((await db.variant.findUniqueOrThrow({ where: { id: second.id } })).sku).toBe("TEE-2-NEW");
});

it("reports a new row of a product the primary defines as unmatched, create-missing on, once an earlier upload of it matched; its own products still grow", async () => {
  const [shopify, excel] = await connect("shopify", "excel");
  const tee = shopifyProduct(1, "tee", ["TEE-S"]);
  await sync(shopify, [tee], { scope: "full" });
  const upload = (records: SourceRecord[]) => sync(excel, records, { trigger: "upload", createUnmatched: true });
  // The upload's "tee" matches Shopify's variant: Excel's product "tee" is linked to Shopify's product.
  expect((await upload([row("tee", "TEE-S", { countryOfProduction: "PT" })])).report.counts).toMatchObject({ updated: 1, unmatched: 0 });

  // A later upload of "tee" with a SKU Shopify does not have: Shopify defines that product's variants (GUIDE §2).
  const { report } = await upload([row("tee", "TEE-XL", { title: { en: "Tee" } })]);
  expect(report.errors).toEqual([]);
  expect(report.counts).toMatchObject({ created: 0, unmatched: 1 });
  expect(report.products.created).toBe(0);
  expect(report.unmatched).toEqual([expect.objectContaining({ externalId: "TEE-XL", identifier: "TEE-XL" })]);
  expect(await db.product.count()).toBe(1);
  expect(await db.variant.findMany({ select: { sku: true } })).toEqual([{ sku: "TEE-S" }]);
  await sync(shopify, [tee], { scope: "full" });
  expect(await db.variant.count()).toBe(1);

  // A product Excel created itself, which Shopify never linked, is Excel's: a new row adds a variant to it.
  await upload([{ ...row("scarf", "SC-1", { title: { en: "Scarf" } }), handle: "scarf" }]);
  expect((await upload([row("scarf", "SC-2", {})])).report.counts).toMatchObject({ created: 1, unmatched: 0 });
  const scarf = await db.product.findFirstOrThrow({ where: { handle: "scarf" }, include: { variants: { orderBy: { sku: "asc" } } } });
  expect(scarf.variants.map((v) => v.sku)).toEqual(["SC-1", "SC-2"]);
});
