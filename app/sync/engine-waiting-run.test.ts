// A run that waits for its source (a Shopify bulk export, minutes) merges by the shop's settings as
// they are when its records arrive, not as they were when it started: field owners, its role, and
// whether it is still connected.
import { beforeEach, expect, it } from "vitest";
import { forShop, type ShopDb } from "../db/scoped.server";
import { editField } from "../catalog/catalog.server";
import { connectIntegration, disconnectIntegration } from "../integrations/integrations.server";
import { promoteIntegration } from "../integrations/promote.server";
import { loadOwnership, setFieldOwner } from "../ownership/ownership.server";
import { executeSync } from "./engine.server";
import type { SourceBatch, SourceRecord } from "./records";
import { clearCatalog } from "../../test/support/catalog";
import { TEST_SHOP } from "../../test/support/constants";

let db: ShopDb;
let shopifyId: string;

function tee(description = "About"): SourceRecord {
  return {
    externalId: "gid://shopify/Product/1",
    handle: "tee",
    fields: { title: { en: "Shopify title" }, vendor: "Acme", description: { en: `<p>${description}</p>` } },
    variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "T-1", options: [{ name: "Size", value: "M" }] } }],
  };
}

const now = (records: SourceRecord[]) => async (): Promise<SourceBatch> => ({ scope: "full", records });

/** A full run's records as a bulk export hands them over: `meanwhile` happens while the run waits for them. */
const afterWaiting =
  (records: SourceRecord[], meanwhile: () => Promise<unknown>) =>
  async (): Promise<SourceBatch> => ({
    scope: "full",
    records: (async function* () {
      await meanwhile();
      yield* records;
    })(),
  });

const sync = (source: () => Promise<SourceBatch>) => executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "scheduled", source });

beforeEach(async () => {
  await clearCatalog();
  db = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  await connectIntegration(db, "excel");
});

it("keeps a field the merchant switched off and edited by hand while the run waited", async () => {
  await sync(now([tee()]));
  const product = await db.product.findFirstOrThrow();
  await sync(
    afterWaiting([tee("Updated in Shopify")], async () => {
      await setFieldOwner(db, "title", null, "merchant");
      await editField(db, { entityId: product.id, field: "title", value: "Hand-written title" }, "merchant");
    }),
  );
  expect((await db.product.findFirstOrThrow()).title).toBe("Hand-written title");
});

it("writes a field given to it while it waited, and its later runs keep it", async () => {
  await setFieldOwner(db, "vendor", null, "merchant");
  await sync(now([tee()]));
  expect((await db.product.findFirstOrThrow()).vendor).toBe("");
  await sync(afterWaiting([tee()], () => setFieldOwner(db, "vendor", shopifyId, "merchant")));
  expect((await db.product.findFirstOrThrow()).vendor).toBe("Acme");
  await sync(now([tee()]));
  expect((await loadOwnership(db)).get("vendor")).toBe(shopifyId);
  expect((await db.product.findFirstOrThrow()).vendor).toBe("Acme");
});

it("merges as a secondary once another integration was made primary while it waited: it creates no product", async () => {
  await sync(now([tee()]));
  const newInShopify: SourceRecord = {
    ...tee(),
    externalId: "gid://shopify/Product/2",
    handle: "new-in-shopify",
    variants: [{ externalId: "gid://shopify/ProductVariant/21", position: 1, fields: { sku: "N-1", options: [{ name: "Size", value: "M" }] } }],
  };
  const { report } = await sync(afterWaiting([tee(), newInShopify], () => promoteIntegration(db, "excel", { dryRun: false })));
  expect((await db.integration.findUniqueOrThrow({ where: { id: shopifyId } })).primaryOfShop).toBeNull();
  expect(report.counts.unmatched).toBe(1);
  expect(await db.product.count()).toBe(1);
});

it("saves nothing when its integration was disconnected while it waited, and says so", async () => {
  await sync(now([tee()]));
  await promoteIntegration(db, "excel", { dryRun: false }); // (a primary cannot be disconnected while Excel is connected)
  const before = await db.fieldValue.findMany({ orderBy: [{ entityId: "asc" }, { field: "asc" }] });
  await expect(sync(afterWaiting([tee("Updated in Shopify")], () => disconnectIntegration(db, shopifyId, "Disconnected by the merchant")))).rejects.toThrow(
    "Shopify was disconnected while this sync was running, so nothing was saved.",
  );
  expect(await db.fieldValue.findMany({ orderBy: [{ entityId: "asc" }, { field: "asc" }] })).toEqual(before);
  const run = await db.syncRun.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
  expect(run).toMatchObject({ status: "failed", message: "Shopify was disconnected while this sync was running, so nothing was saved." });
});
