// Values pushed to Shopify (the merchant's "push SKU/Barcode/Weight to Shopify") that another
// integration owns, end to end against the Shopify simulator's sample store and through the sync
// job: a push Shopify refuses is pushed again by the next Shopify sync, which reads Shopify's
// values of every variant; a value Shopify has already is never pushed (no write-back loop).
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { readShopifyProductCsv, SAMPLE_STORE_CSV, startShopifySim, type ShopifySim } from "../../../tools/shopify-sim/index.ts";
import { weightToGrams } from "../../../tools/shopify-sim/model.ts";
import { clearCatalog } from "../../../test/support/catalog";
import { TEST_SHOP } from "../../../test/support/constants";
import { db as rootDb } from "../../db.server";
import { forShop, type ShopDb } from "../../db/scoped.server";
import { DbJobQueue } from "../../jobs/db-queue.server";
import { processSyncJob, requestSync } from "../../jobs/sync-jobs.server";
import { setFieldOwner } from "../../ownership/ownership.server";
import type { RunTrigger } from "../../sync/runs.server";
import type { SourceBatch, SourceRecord } from "../../sync/records";
import { connectIntegration, setMatchBy, updateSettings, type IntegrationRow } from "../integrations.server";
import type { AdminGraphqlClient } from "./admin-client.server";
import { fetchAdminClient } from "./fetch-client";
import { shopifySource, type ShopifySourceOptions } from "./source.server";
import { storeWebhookEvent } from "./webhook-events.server";

// Background jobs get their Admin client from the shop's offline session: here, the simulator's,
// through a client that can be told to refuse pushes (as Shopify does with a userError).
const shopifyAdmin: { client?: AdminGraphqlClient; refusePushes: number; pushes: Record<string, unknown>[] } = { refusePushes: 0, pushes: [] };
vi.mock("./admin-client.server", async (original) => ({ ...(await original<object>()), adminClientForShop: async () => refusingClient() }));

function refusingClient(): AdminGraphqlClient {
  const sim = shopifyAdmin.client!;
  return {
    async graphql(query, options) {
      if (query.includes("productVariantsBulkUpdate")) {
        shopifyAdmin.pushes.push(options?.variables ?? {});
        if (shopifyAdmin.refusePushes > 0) {
          shopifyAdmin.refusePushes--;
          const userErrors = [{ field: ["variants", "0", "inventoryItem", "sku"], message: "Inventory item could not be updated, try again", code: null }];
          return Response.json({ data: { productVariantsBulkUpdate: { productVariants: null, userErrors } } });
        }
      }
      return sim.graphql(query, options);
    },
  };
}

const fast: ShopifySourceOptions = { bulk: { pollInitialMs: 10, pollMaxMs: 50 }, graphql: { baseDelayMs: 5, maxDelayMs: 50 } };

// What the merchant's spreadsheet says: the Sage S linen shirt (found by its barcode) gets a new SKU and weight
// (finer than the 0.01 g Shopify's weights are read to: read back, it must still count as pushed).
const NEW_SKU = "NK-LINEN-SAGE-S";
const excelRecords: SourceRecord[] = [
  { externalId: "row-2", fields: {}, variants: [{ externalId: "5790012100403", fields: { barcode: "5790012100403", sku: NEW_SKU, weight: 300.125 } }], ref: { row: 2 } },
];

let sim: ShopifySim;
let db: ShopDb;
let shopify: IntegrationRow;
let excel: IntegrationRow;

beforeEach(async () => {
  sim = await startShopifySim({ seed: await readShopifyProductCsv(fileURLToPath(SAMPLE_STORE_CSV)), bulk: { delayMs: 5 } });
  sim.install(TEST_SHOP);
  const token = sim.issueAccessToken(TEST_SHOP) as { access_token: string };
  shopifyAdmin.client = fetchAdminClient({ shop: TEST_SHOP, accessToken: token.access_token, apiVersion: "2026-10", origin: sim.url });
  shopifyAdmin.refusePushes = 0;
  shopifyAdmin.pushes = [];
  await clearCatalog();
  db = forShop(TEST_SHOP);
  shopify = (await connectIntegration(db, "shopify")).integration;
  excel = (await connectIntegration(db, "excel")).integration;
  await setMatchBy(db, excel.id, "barcode");
  // The spreadsheet owns SKU and weight; the merchant pushes both to Shopify.
  await setFieldOwner(db, "sku", excel.id, "test");
  await setFieldOwner(db, "weight", excel.id, "test");
  await updateSettings(db, shopify.id, { pushFields: ["sku", "weight"] });
});

afterEach(async () => {
  await sim?.close();
});

const resolveSource = async (shopDb: ShopDb, integration: IntegrationRow, request: { scope: "full" | "partial" }): Promise<SourceBatch> =>
  integration.kind === "shopify" ? shopifySource(shopDb, integration, request, { admin: shopifyAdmin.client!, ...fast }) : { scope: "partial", records: excelRecords };

/** A run as the app runs it (a request, the queue, the job, then the write-back), and the run's warnings. */
async function runJob(integrationId: string, scope: "full" | "partial", trigger: RunTrigger = "manual") {
  const queue = new DbJobQueue(rootDb, { pollMs: 10, retryDelay: () => 10 });
  expect(await requestSync(queue, db, integrationId, trigger, scope)).toBe(true);
  await queue.work((job) => processSyncJob(job, resolveSource));
  await queue.drain();
  await queue.stop();
  const run = await db.syncRun.findFirstOrThrow({ where: { integrationId }, orderBy: { createdAt: "desc" } });
  expect(run.status).not.toBe("failed");
  return (JSON.parse(run.details) as { warnings?: { message: string }[] }).warnings?.map((w) => w.message) ?? [];
}

/** What Shopify has for the variant: its SKU and weight in grams. */
function shopifyVariant() {
  const variant = sim.getProduct(TEST_SHOP, "linen-shirt").variants.find((v) => v.barcode === "5790012100403")!;
  return { sku: variant.sku, grams: variant.weight ? weightToGrams(variant.weight) : null };
}

it("pushes a value Shopify refused with the next full Shopify sync, and nothing once Shopify has it", async () => {
  expect(await runJob(shopify.id, "full")).toEqual([]);
  expect(shopifyAdmin.pushes).toHaveLength(0); // the spreadsheet has said nothing yet
  const before = shopifyVariant();
  expect(before.sku).toBe("NK-LSH-SAG-S");

  // The upload's push is refused: the run says so, and Shopify keeps its values.
  shopifyAdmin.refusePushes = 1;
  const warnings = await runJob(excel.id, "partial", "upload");
  expect(warnings).toEqual([expect.stringContaining("Shopify refused a pushed value")]);
  expect(shopifyAdmin.pushes).toHaveLength(1);
  expect(shopifyVariant()).toEqual(before);
  // The same file again writes nothing to the catalog, so it pushes nothing.
  expect(await runJob(excel.id, "partial", "upload")).toEqual([]);
  expect(shopifyAdmin.pushes).toHaveLength(1);

  // The next full Shopify sync finds Shopify's values differ from the spreadsheet's, and pushes them.
  const webhooksBefore = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).length;
  expect(await runJob(shopify.id, "full")).toEqual([]);
  expect(shopifyAdmin.pushes).toHaveLength(2);
  const pushedVariants = shopifyAdmin.pushes[1].variants as { id: string }[];
  expect(pushedVariants).toHaveLength(1); // that variant only: every other one agrees with the catalog
  expect(shopifyVariant()).toEqual({ sku: NEW_SKU, grams: 300.125 });
  const variant = await db.variant.findFirstOrThrow({ where: { gtin: "05790012100403" } });
  expect(variant.sku).toBe(NEW_SKU); // the catalog keeps the spreadsheet's value

  // The products/update webhook the push caused brings the pushed values back: nothing to push…
  const deliveries = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).slice(webhooksBefore);
  expect(deliveries.length).toBeGreaterThan(0);
  for (const d of deliveries) await storeWebhookEvent(db, { webhookId: d.webhookId, topic: d.topic, payload: JSON.parse(d.body), triggeredAt: d.triggeredAt });
  expect(await runJob(shopify.id, "partial", "webhook")).toEqual([]);
  // …and neither does the next full sync.
  expect(await runJob(shopify.id, "full")).toEqual([]);
  expect(shopifyAdmin.pushes).toHaveLength(2);
});

it("pushes nothing for a field Shopify owns, even where it differs from the catalog", async () => {
  await setFieldOwner(db, "sku", shopify.id, "test");
  await setFieldOwner(db, "weight", shopify.id, "test");
  expect(await runJob(shopify.id, "full")).toEqual([]);
  // A value written by hand that Shopify's next sync does not overwrite (its record is unchanged).
  const variant = await db.variant.findFirstOrThrow({ where: { gtin: "05790012100403" } });
  await db.fieldValue.update({ where: { entityId_field_locale: { entityId: variant.id, field: "sku", locale: "" } }, data: { value: JSON.stringify("BY-HAND") } });
  expect(await runJob(shopify.id, "full")).toEqual([]);
  expect(shopifyAdmin.pushes).toHaveLength(0);
  expect(shopifyVariant().sku).toBe("NK-LSH-SAG-S");
});
