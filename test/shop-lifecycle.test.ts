// A shop's lifecycle as Shopify drives it: install (an admin request whose session token is
// exchanged for an offline token), uninstall (the app/uninstalled webhook), reinstall, and a new
// shop name. Shopify's token endpoint and Admin GraphQL API are stubbed here.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { beforeEach, describe, expect, it } from "vitest";
import { db as rootDb } from "../app/db.server";
import { forShop } from "../app/db/scoped.server";
import { connectIntegration, setPaused } from "../app/integrations/integrations.server";
import { loadOwnership, setFieldOwner } from "../app/ownership/ownership.server";
import { loader as home } from "../app/routes/app._index";
import { action as uninstalled } from "../app/routes/webhooks.app.uninstalled";
import { action as shopUpdated } from "../app/routes/webhooks.shop.update";
import { onShopAuthenticated, passportRegeneration } from "../app/shops.server";
import { executeSync } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { sessionToken, webhookRequest } from "./support/shopify";

/** What the stubbed Shopify answers: the shop's profile, and how many GraphQL calls fail first. */
const shopify = { name: "Linen & Co", primaryLocale: "en", failingGraphqlCalls: 0, graphqlCalls: 0 };

setAbstractFetchFunc(async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  if (url.includes("/admin/oauth/access_token")) {
    return json({ access_token: "shpat_lifecycle", scope: "read_products,write_products", expires_in: 3600, refresh_token: "shprt_lifecycle", refresh_token_expires_in: 7_776_000 });
  }
  if (url.includes("/graphql.json")) {
    shopify.graphqlCalls++;
    if (shopify.failingGraphqlCalls > 0) {
      shopify.failingGraphqlCalls--;
      return new Response("Internal error", { status: 500 });
    }
    return json({ data: { shop: { name: shopify.name }, shopLocales: [{ locale: shopify.primaryLocale, primary: true }] } });
  }
  throw new Error(`unexpected request to ${url}`);
});

/** The merchant opens the app in Shopify admin; the page's status (a thrown Response counts). */
async function openAdmin(shop: string): Promise<number> {
  const request = new Request("http://127.0.0.1:3999/app", { headers: { Accept: "application/json", Authorization: `Bearer ${await sessionToken({ shop })}` } });
  try {
    const result = await home({ request, params: {}, context: {} } as never);
    return result instanceof Response ? result.status : 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
}

async function uninstall(shop: string): Promise<void> {
  const response = await uninstalled({ request: webhookRequest({ shop, topic: "app/uninstalled", payload: { domain: shop } }), params: {}, context: {} } as never);
  expect((response as Response).status).toBe(200);
}

const shirt = (): SourceRecord[] => [
  {
    externalId: "gid://shopify/Product/1",
    handle: "shirt",
    fields: { title: { en: "Linen shirt" } },
    variants: [{ externalId: "gid://shopify/ProductVariant/11", position: 1, fields: { sku: "S-1", barcode: "4006381333931" } }],
  },
];

async function syncShopify(shop: string): Promise<void> {
  const integration = await forShop(shop).integration.findFirstOrThrow({ where: { kind: "shopify" } });
  await executeSync({ shop, integrationId: integration.id, trigger: "install", source: async () => ({ scope: "full", records: shirt() }) });
}

let shopNumber = 0;
let shop = "";
beforeEach(() => {
  shop = `lifecycle-${++shopNumber}.myshopify.com`;
  Object.assign(shopify, { name: "Linen & Co", primaryLocale: "en", failingGraphqlCalls: 0, graphqlCalls: 0 });
});

/** The Admin API as onShopAuthenticated asks it: the shop's name and languages. */
const fakeAdmin = () => ({
  graphql: async () => Response.json({ data: { shop: { name: shopify.name }, shopLocales: [{ locale: shopify.primaryLocale, primary: true }] } }),
});

describe("install", () => {
  it("sets the shop up (Shopify integration, first sync) even when Shopify fails once while the app installs", async () => {
    shopify.failingGraphqlCalls = 1;
    expect(await openAdmin(shop)).toBe(200);
    const db = forShop(shop);
    expect(await db.shop.findUnique({ where: { shop }, select: { name: true, primaryLocale: true, uninstalledAt: true } })).toEqual({ name: "Linen & Co", primaryLocale: "en", uninstalledAt: null });
    const integration = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    expect(integration).toMatchObject({ status: "active", primaryOfShop: shop, pendingScope: "full", pendingTrigger: "install" }); // the first sync is asked for
  });

  it("completes an install that failed on a later admin request, and then stops checking with Shopify", async () => {
    shopify.failingGraphqlCalls = 2; // the install hook and the admin page's own attempt
    expect(await openAdmin(shop)).not.toBe(200);
    expect(await forShop(shop).integration.count()).toBe(0);
    expect(await openAdmin(shop)).toBe(200);
    expect(await forShop(shop).integration.findFirstOrThrow({ where: { kind: "shopify" } })).toMatchObject({ status: "active", pendingScope: "full" });
    const calls = shopify.graphqlCalls;
    expect(await openAdmin(shop)).toBe(200);
    expect(shopify.graphqlCalls).toBe(calls);
  });

  it("calls the sync after a reconnect (a new token for an integration in error) an automatic one, not the first after install", async () => {
    expect(await openAdmin(shop)).toBe(200);
    const db = forShop(shop);
    await db.integration.updateMany({ where: { kind: "shopify" }, data: { status: "error", pendingScope: null, pendingTrigger: null } });
    await onShopAuthenticated(shop, fakeAdmin());
    expect(await db.integration.findFirstOrThrow({ where: { kind: "shopify" } })).toMatchObject({ status: "active", pendingScope: "full", pendingTrigger: "scheduled" });
  });
});

describe("uninstall and reinstall", () => {
  it("keeps every integration's role and fields: Excel's barcode (the passport's GTIN) survives the reinstall's full sync", async () => {
    expect(await openAdmin(shop)).toBe(200);
    await syncShopify(shop);
    const db = forShop(shop);
    const excel = (await connectIntegration(db, "excel")).integration;
    await setFieldOwner(db, "barcode", excel.id, "merchant");
    await executeSync({
      shop,
      integrationId: excel.id,
      trigger: "upload",
      source: async () => ({ scope: "partial", records: [{ externalId: "row-2", fields: {}, variants: [{ externalId: "S-1", fields: { sku: "S-1", barcode: "5901234123457" } }] }] }),
    });
    const passport = await db.passport.findFirstOrThrow({});
    expect(passport.gtin).toBe("05901234123457");
    const ownership = await loadOwnership(db);

    await uninstall(shop);
    const stopped = await db.integration.findMany({ orderBy: { kind: "asc" } });
    expect(stopped.map((i) => [i.kind, i.status])).toEqual([["excel", "disconnected"], ["shopify", "disconnected"]]);
    expect(stopped.every((i) => /uninstalled/.test(i.statusMessage ?? ""))).toBe(true);
    expect(await loadOwnership(db)).toEqual(ownership);

    expect(await openAdmin(shop)).toBe(200);
    const back = await db.integration.findMany({ orderBy: { kind: "asc" } });
    expect(back.map((i) => [i.kind, i.status, i.statusMessage, i.primaryOfShop])).toEqual([
      ["excel", "active", null, null],
      ["shopify", "active", null, shop],
    ]);
    expect(await loadOwnership(db)).toEqual(ownership);
    expect((await db.shop.findUniqueOrThrow({ where: { shop } })).uninstalledAt).toBeNull();
    expect(back.find((i) => i.kind === "shopify")).toMatchObject({ pendingScope: "full", pendingTrigger: "install" });

    await syncShopify(shop); // the full sync the reinstall queued; Shopify still has the old barcode
    expect((await db.variant.findFirstOrThrow({})).gtin).toBe("05901234123457");
    expect(await db.passport.findFirstOrThrow({})).toMatchObject({ gtin: "05901234123457", currentVersion: passport.currentVersion, publicId: passport.publicId });
    expect(await db.product.count()).toBe(1);
  });

  it("brings a paused integration back paused, its catch-up sync waiting for the merchant to resume it", async () => {
    expect(await openAdmin(shop)).toBe(200);
    await syncShopify(shop);
    const db = forShop(shop);
    const shopifyIntegration = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    await setPaused(db, shopifyIntegration.id, true);
    await uninstall(shop);
    expect(await openAdmin(shop)).toBe(200);
    expect(await db.integration.findUniqueOrThrow({ where: { id: shopifyIntegration.id } })).toMatchObject({ status: "paused", pendingScope: "full" });
  });

  it("leaves an integration the merchant disconnected disconnected", async () => {
    expect(await openAdmin(shop)).toBe(200);
    const db = forShop(shop);
    const excel = (await connectIntegration(db, "excel")).integration;
    const { disconnectIntegration } = await import("../app/integrations/integrations.server");
    await disconnectIntegration(db, excel.id, "Disconnected by the merchant. Its data stays in the catalog.");
    await uninstall(shop);
    expect(await openAdmin(shop)).toBe(200);
    expect(await db.integration.findUniqueOrThrow({ where: { id: excel.id } })).toMatchObject({ status: "disconnected", statusMessage: "Disconnected by the merchant. Its data stays in the catalog." });
    expect(await db.fieldOwnership.count({ where: { integrationId: excel.id } })).toBe(0);
  });
});

describe("the shop's name and language", () => {
  const latestContent = async () => {
    const passport = await forShop(shop).passport.findFirstOrThrow({});
    const version = await forShop(shop).passportVersion.findFirstOrThrow({ where: { passportId: passport.id, version: passport.currentVersion } });
    return { version: passport.currentVersion, content: JSON.parse(version.content) as { brand: string } };
  };

  it("gives every passport a new version when the shop's name or primary language changed, and none when nothing did", async () => {
    shopify.name = "Old Name Co";
    expect(await openAdmin(shop)).toBe(200);
    await syncShopify(shop);
    const before = await latestContent();
    expect(before.content.brand).toBe("Old Name Co");

    // Shopify authenticates the shop again (a new token) after the merchant renamed it.
    shopify.name = "New Name GmbH";
    await onShopAuthenticated(shop, fakeAdmin());
    await passportRegeneration(shop);
    const renamed = await latestContent();
    expect(renamed.version).toBe(before.version + 1);
    expect(renamed.content.brand).toBe("New Name GmbH");
    expect((await rootDb.shop.findUniqueOrThrow({ where: { shop } })).name).toBe("New Name GmbH");

    shopify.primaryLocale = "de";
    await onShopAuthenticated(shop, fakeAdmin());
    await passportRegeneration(shop);
    expect((await latestContent()).version).toBe(renamed.version + 1);

    await onShopAuthenticated(shop, fakeAdmin());
    expect(passportRegeneration(shop)).toBeUndefined();
    expect((await latestContent()).version).toBe(renamed.version + 1);
  });
  it("picks up a rename from Shopify's shop/update webhook, without waiting for the next install", async () => {
    shopify.name = "Before Rename";
    expect(await openAdmin(shop)).toBe(200);
    await syncShopify(shop);
    const before = await latestContent();
    expect(before.content.brand).toBe("Before Rename");

    shopify.name = "After Rename";
    // The webhook's own payload is not trusted for the name: Shopify is asked (stubbed above).
    const response = await shopUpdated({ request: webhookRequest({ shop, topic: "shop/update", payload: { name: "Stale Name", domain: shop } }), params: {}, context: {} } as never);
    expect((response as Response).status).toBe(200);
    await passportRegeneration(shop);
    expect(await latestContent()).toMatchObject({ version: before.version + 1, content: { brand: "After Rename" } });

    // After an uninstall the shop is left as it is (a reinstall reads its name again).
    await uninstall(shop);
    shopify.name = "Renamed While Away";
    await shopUpdated({ request: webhookRequest({ shop, topic: "shop/update", payload: { domain: shop } }), params: {}, context: {} } as never);
    expect((await rootDb.shop.findUniqueOrThrow({ where: { shop } })).name).toBe("After Rename");
  });
});
