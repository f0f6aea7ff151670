// Runs of two integrations of one shop at the same time (the queue runs one job per integration,
// so a Shopify webhook run and an Excel import can overlap). On PostgreSQL they take the shop's lock
// in turn (forShop's transactions), and other shops go on; SQLite's one connection runs one
// transaction at a time anyway.
import { beforeEach, expect, it } from "vitest";
import { isPostgres } from "../db.server";
import { forShop, type ShopDb } from "../db/scoped.server";
import { connectIntegration } from "../integrations/integrations.server";
import { executeSync } from "./engine.server";
import type { SourceRecord } from "./records";
import { clearCatalog } from "../../test/support/catalog";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

let db: ShopDb;
let shopifyId: string;
let excelId: string;

const fromShopify = (title: string): SourceRecord => ({
  externalId: "gid://shopify/Product/1",
  handle: "tee",
  fields: { title: { en: title } },
  variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "T-1" } }],
});
const fromExcel = (country: string): SourceRecord => ({ externalId: "tee", fields: { countryOfProduction: country }, variants: [{ externalId: "T-1", fields: { sku: "T-1" } }] });

/** A Shopify run that holds its transaction open for a while after writing its passports; resolves `inside` once there. */
function slowShopifyRun(shop: string, integrationId: string, title: string, inside: () => void) {
  return executeSync({
    shop,
    integrationId,
    trigger: "webhook",
    source: async () => ({
      scope: "partial",
      records: [fromShopify(title)],
      onCommit: async () => {
        inside();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      },
    }),
  });
}

beforeEach(async () => {
  await clearCatalog();
  db = forShop(TEST_SHOP);
  shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  excelId = (await connectIntegration(db, "excel")).integration.id;
  await executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [fromShopify("Tee")] }) });
});

it("a Shopify run and an Excel import of the same variant at the same time both succeed, each passport version after the other", async () => {
  let reached!: () => void;
  const inside = new Promise<void>((resolve) => (reached = resolve));
  const shopifyRun = slowShopifyRun(TEST_SHOP, shopifyId, "Tee, renamed", reached);
  await inside;
  const excelRun = executeSync({ shop: TEST_SHOP, integrationId: excelId, trigger: "upload", source: async () => ({ scope: "partial", records: [fromExcel("PT")], atomic: true }) });
  const results = await Promise.allSettled([shopifyRun, excelRun]);
  expect(results.map((r) => (r.status === "fulfilled" ? "ok" : String(r.reason)))).toEqual(["ok", "ok"]);

  const passport = await db.passport.findFirstOrThrow();
  const versions = await db.passportVersion.findMany({ where: { passportId: passport.id }, orderBy: { version: "asc" } });
  expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  expect(passport.currentVersion).toBe(3);
  // The last version has both changes: neither run wrote it from values the other had changed.
  const latest = JSON.parse(versions[2].content) as { title: Record<string, string>; countryOfProduction?: string };
  expect(latest.title.en).toBe("Tee, renamed");
  expect(JSON.stringify(latest)).toContain('"PT"');
});

it.runIf(isPostgres())("on PostgreSQL, another shop's run does not wait for it", async () => {
  const other = forShop(OTHER_SHOP);
  const otherShopifyId = (await connectIntegration(other, "shopify")).integration.id;
  let reached!: () => void;
  const inside = new Promise<void>((resolve) => (reached = resolve));
  const finished: string[] = [];
  const held = slowShopifyRun(TEST_SHOP, shopifyId, "Tee, renamed", reached).then(() => finished.push(TEST_SHOP));
  await inside;
  await executeSync({ shop: OTHER_SHOP, integrationId: otherShopifyId, trigger: "manual", source: async () => ({ scope: "full", records: [fromShopify("Other tee")] }) });
  finished.push(OTHER_SHOP);
  await held;
  expect(finished).toEqual([OTHER_SHOP, TEST_SHOP]);
});
