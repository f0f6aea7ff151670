// Which passports are public, end to end against the Shopify simulator's sample store: Shopify's
// product status (a draft is not published, an archived product is no longer sold) and the
// merchant holding a product back, on the public routes and in the passport links the storefront
// block reads from Shopify's metafields.
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readShopifyProductCsv, SAMPLE_STORE_CSV, startShopifySim, type ShopifySim } from "../../../tools/shopify-sim/index.ts";
import { clearCatalog } from "../../../test/support/catalog";
import { TEST_SHOP } from "../../../test/support/constants";
import { setPassportHeld } from "../../catalog/catalog.server";
import { forShop, type ShopDb } from "../../db/scoped.server";
import { digitalLinkResponse, passportResponse, qrResponse } from "../../passports/public-responses.server";
import { executeSync } from "../../sync/engine.server";
import { connectIntegration, type IntegrationRow } from "../integrations.server";
import type { AdminGraphqlClient } from "./admin-client.server";
import { afterCatalogChange, CatalogChanges } from "./after-run.server";
import { SET_PASSPORT_METAFIELDS } from "./documents";
import { fetchAdminClient } from "./fetch-client";
import { shopifySource, type ShopifySourceOptions } from "./source.server";
import { storeWebhookEvent } from "./webhook-events.server";

// Background jobs get their Admin client from the shop's offline session: here, the simulator's.
const shopifyAdmin: { client?: AdminGraphqlClient } = {};
vi.mock("./admin-client.server", async (original) => ({ ...(await original<object>()), adminClientForShop: async () => shopifyAdmin.client }));

const fast: ShopifySourceOptions = { bulk: { pollInitialMs: 10, pollMaxMs: 50 }, graphql: { baseDelayMs: 5, maxDelayMs: 50 } };

let sim: ShopifySim;
let db: ShopDb;
let shopify: IntegrationRow;

beforeEach(async () => {
  sim = await startShopifySim({ seed: await readShopifyProductCsv(fileURLToPath(SAMPLE_STORE_CSV)), bulk: { delayMs: 5 } });
  sim.install(TEST_SHOP);
  const token = sim.issueAccessToken(TEST_SHOP) as { access_token: string };
  shopifyAdmin.client = fetchAdminClient({ shop: TEST_SHOP, accessToken: token.access_token, apiVersion: "2026-10", origin: sim.url });
  await clearCatalog();
  db = forShop(TEST_SHOP);
  shopify = (await connectIntegration(db, "shopify")).integration;
});

afterEach(async () => {
  await sim?.close();
});

/** A sync as the job runs it: the run, then the passport links written to Shopify. */
async function sync(scope: "full" | "partial") {
  const changes = CatalogChanges.forRun(scope);
  const options = scope === "full" ? { admin: shopifyAdmin.client!, ...fast } : {};
  const run = await executeSync({
    shop: TEST_SHOP,
    integrationId: shopify.id,
    trigger: scope === "full" ? "manual" : "webhook",
    source: () => shopifySource(db, shopify, { scope }, options),
    onChanges: (part) => changes.add(part),
  });
  const after = await afterCatalogChange(db, changes, shopify.id);
  expect(after.problems).toEqual([]);
  return run;
}

/** Changes a product in Shopify and syncs the products/update webhook Shopify sends for it. */
async function changeInShopify(handle: string, patch: Parameters<ShopifySim["editProduct"]>[2]) {
  const before = sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).length;
  sim.editProduct(TEST_SHOP, handle, patch);
  for (const d of sim.webhookLog({ shop: TEST_SHOP, topic: "products/update" }).slice(before)) {
    await storeWebhookEvent(db, { webhookId: d.webhookId, topic: d.topic, payload: JSON.parse(d.body), triggeredAt: d.triggeredAt });
  }
  return sync("partial");
}

async function productByHandle(handle: string) {
  const product = await db.product.findFirstOrThrow({ where: { handle }, include: { variants: { orderBy: { position: "asc" } } } });
  const passports = await db.passport.findMany({ where: { variantId: { in: product.variants.map((v) => v.id) } } });
  return { product, passports: product.variants.map((v) => passports.find((p) => p.variantId === v.id)!) };
}

/** What a shopper or a scanner gets: the page, its QR code, and the GS1 Digital Link. */
async function publicAnswers(passport: { publicId: string; gtin: string | null }) {
  const base = process.env.SHOPIFY_APP_URL;
  const page = await passportResponse(new Request(`${base}/p/${passport.publicId}`), passport.publicId);
  const qr = await qrResponse(new Request(`${base}/p/${passport.publicId}/qr.svg`), passport.publicId, "svg");
  const digitalLink = passport.gtin ? await digitalLinkResponse(new Request(`${base}/01/${passport.gtin}`), passport.gtin) : null;
  return { page: page.status, qr: qr.status, digitalLink: digitalLink?.status ?? null, html: page.status === 200 ? await page.text() : "" };
}

/** The app's passport metafields Shopify holds for a product and its variants, by key. */
function shopifyLinks(handle: string) {
  const product = sim.getProduct(TEST_SHOP, handle) as {
    metafields: { key: string; value: string }[];
    variants: { metafields: { key: string; value: string }[] }[];
  };
  const ours = (metafields: { key: string; value: string }[]) =>
    Object.fromEntries(metafields.filter((m) => m.key === "passport_url" || m.key === "digital_link_url").map((m) => [m.key, m.value]));
  return { product: ours(product.metafields), variants: product.variants.map((v) => ours(v.metafields)) };
}

const NOTICE = "This product is no longer sold.";

describe("Shopify's product status", () => {
  it("publishes no passport of a draft product, and publishes it once the product is active", async () => {
    expect(sim.getProduct(TEST_SHOP, "denim-shorts").status).toBe("DRAFT");
    await sync("full");
    const draft = await productByHandle("denim-shorts");
    expect(draft.passports.length).toBeGreaterThan(0);
    for (const passport of draft.passports) expect(await publicAnswers(passport)).toMatchObject({ page: 404, qr: 404, digitalLink: 404 });
    // The storefront block gets no link to a passport that answers 404…
    expect(shopifyLinks("denim-shorts")).toEqual({ product: {}, variants: draft.product.variants.map(() => ({})) });
    // …while active products' links are written.
    expect(shopifyLinks("linen-shirt").product.passport_url).toMatch(/\/p\//);

    await changeInShopify("denim-shorts", { status: "ACTIVE" });
    const active = await productByHandle("denim-shorts");
    expect(active.passports.map((p) => p.publicId)).toEqual(draft.passports.map((p) => p.publicId));
    for (const passport of active.passports) {
      expect(await publicAnswers(passport)).toMatchObject({ page: 200, qr: 200, digitalLink: passport.gtin ? 307 : null });
    }
    const links = shopifyLinks("denim-shorts");
    expect(links.variants.map((v) => v.passport_url)).toEqual(active.passports.map((p) => expect.stringMatching(new RegExp(`/p/${p.publicId}$`))));
    expect(links.product.passport_url).toBe(links.variants[0].passport_url);

    // Back to draft: the passports and their links on the storefront go again.
    await changeInShopify("denim-shorts", { status: "DRAFT" });
    for (const passport of active.passports) expect(await publicAnswers(passport)).toMatchObject({ page: 404, qr: 404 });
    expect(shopifyLinks("denim-shorts")).toEqual({ product: {}, variants: draft.product.variants.map(() => ({})) });
  });

  it("says a product archived in Shopify is no longer sold, and keeps its passport public", async () => {
    await sync("full");
    const sold = await productByHandle("linen-shirt");
    expect((await publicAnswers(sold.passports[0])).html).not.toContain(NOTICE);

    sim.editProduct(TEST_SHOP, "linen-shirt", { status: "ARCHIVED" });
    await sync("full");
    const archived = await productByHandle("linen-shirt");
    expect(archived.product.archivedAt).toBeNull(); // still in Shopify: archived there, not gone
    for (const passport of archived.passports) {
      const answers = await publicAnswers(passport);
      expect(answers).toMatchObject({ page: 200, qr: 200 });
      expect(answers.html).toContain(NOTICE);
      expect(passport.currentVersion).toBe(2);
    }
    expect(shopifyLinks("linen-shirt").product.passport_url).toMatch(/\/p\//);

    await changeInShopify("linen-shirt", { status: "ACTIVE" });
    expect((await publicAnswers((await productByHandle("linen-shirt")).passports[0])).html).not.toContain(NOTICE);
  });

  it("keeps publishing products that have no status (catalogs from before it, Excel rows without the column)", async () => {
    await sync("full");
    const { product, passports } = await productByHandle("linen-shirt");
    await db.fieldValue.deleteMany({ where: { entityId: product.id, field: "status" } });
    await setPassportHeld(db, product.id, false); // regenerates the product's passports
    const answers = await publicAnswers((await productByHandle("linen-shirt")).passports[0]);
    expect(answers).toMatchObject({ page: 200, qr: 200 });
    expect(answers.html).not.toContain(NOTICE);
    expect(passports[0].held).toBe(false);
  });
});

describe("a product held back by the merchant", () => {
  it("takes its passport links off the storefront while held, and writes them again when published", async () => {
    await sync("full");
    const before = shopifyLinks("linen-shirt");
    expect(before.product.passport_url).toMatch(/\/p\//);
    expect(before.variants.every((v) => v.passport_url && v.digital_link_url)).toBe(true);
    const { product, passports } = await productByHandle("linen-shirt");

    await setPassportHeld(db, product.id, true);
    const held = await afterCatalogChange(db, new CatalogChanges().addProducts([product.id]), null);
    expect(held.problems).toEqual([]);
    expect(shopifyLinks("linen-shirt")).toEqual({ product: {}, variants: before.variants.map(() => ({})) });
    for (const passport of passports) expect(await publicAnswers(passport)).toMatchObject({ page: 404, qr: 404, digitalLink: 404 });

    await setPassportHeld(db, product.id, false);
    await afterCatalogChange(db, new CatalogChanges().addProducts([product.id]), null);
    expect(shopifyLinks("linen-shirt")).toEqual(before);
    for (const passport of passports) expect(await publicAnswers(passport)).toMatchObject({ page: 200, qr: 200, digitalLink: 307 });
  });

  it("does not publish a draft product's passports when the merchant stops holding it back", async () => {
    await sync("full");
    const { product, passports } = await productByHandle("denim-shorts");
    await setPassportHeld(db, product.id, true);
    await setPassportHeld(db, product.id, false);
    await afterCatalogChange(db, new CatalogChanges().addProducts([product.id]), null);
    for (const passport of passports) expect(await publicAnswers(passport)).toMatchObject({ page: 404, qr: 404 });
    expect(shopifyLinks("denim-shorts").product).toEqual({});
  });
});

describe("passport links written in an older form", () => {
  it("are brought up to date by the next full sync, even where nothing in the catalog changed", async () => {
    await sync("full");
    const current = shopifyLinks("linen-shirt");
    const passport = (await productByHandle("linen-shirt")).passports[0];
    expect(current.variants[0].digital_link_url).toMatch(new RegExp(`/s/[^/]+/01/${passport.gtin}$`));

    // As an earlier version wrote them: a Digital Link that does not name the shop.
    const variantGid = (await db.externalLink.findFirstOrThrow({ where: { integrationId: shopify.id, entityType: "variant", entityId: passport.variantId } })).externalId;
    const bare = `${process.env.SHOPIFY_APP_URL}/01/${passport.gtin}`;
    const written = await shopifyAdmin.client!.graphql(SET_PASSPORT_METAFIELDS, {
      variables: { metafields: [{ ownerId: variantGid, namespace: "$app", key: "digital_link_url", type: "url", value: bare }] },
    });
    expect(((await written.json()) as { data: { metafieldsSet: { userErrors: unknown[] } } }).data.metafieldsSet.userErrors).toEqual([]);
    const published = JSON.parse(passport.publishedUrls!) as Record<string, string>;
    published[`${variantGid}|digital_link_url`] = bare;
    await db.passport.update({ where: { id: passport.id }, data: { publishedUrls: JSON.stringify(published) } });
    expect(shopifyLinks("linen-shirt").variants[0].digital_link_url).toBe(bare);

    // A webhook's partial sync that changes nothing looks at nothing…
    await changeInShopify("linen-shirt", {});
    expect(shopifyLinks("linen-shirt").variants[0].digital_link_url).toBe(bare);
    // …the next full sync finds the old link and writes the current one, and nothing else.
    await sync("full");
    expect(shopifyLinks("linen-shirt")).toEqual(current);
  });
});
