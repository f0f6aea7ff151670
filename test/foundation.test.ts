// The app's foundation: webhook signatures, session-token auth on admin routes, shop/redact,
// app/uninstalled, and tokens encrypted at rest.
import { readFileSync } from "node:fs";
import { Session } from "@shopify/shopify-api";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../app/db.server";
import { forShop, SHOP_MODELS } from "../app/db/scoped.server";
import { sessionStorage } from "../app/shopify.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import { action as uninstalled } from "../app/routes/webhooks.app.uninstalled";
import { action as shopRedact } from "../app/routes/webhooks.shop.redact";
import { action as customersRedact } from "../app/routes/webhooks.customers.redact";
import { action as dataRequest } from "../app/routes/webhooks.customers.data_request";
import { action as scopesUpdate } from "../app/routes/webhooks.app.scopes_update";
import { loader as home } from "../app/routes/app._index";
import { loader as healthz } from "../app/routes/healthz";
import { OTHER_SHOP, TEST_API_SECRET, TEST_SHOP } from "./support/constants";
import { sessionToken, webhookRequest } from "./support/shopify";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

/** Calls a route handler; a thrown Response is returned like a returned one. */
async function call(handler: Handler, request: Request): Promise<Response> {
  try {
    const result = await handler({ request, params: {}, context: {} });
    return result instanceof Response ? result : Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const ACCESS_TOKEN = "shpat_plaintext_access_token_1234567890";
const REFRESH_TOKEN = "shprt_plaintext_refresh_token_0987654321";

async function installShop(shop: string): Promise<void> {
  const session = new Session({ id: `offline_${shop}`, shop, state: "s", isOnline: false, scope: "read_products,write_products", accessToken: ACCESS_TOKEN });
  session.refreshToken = REFRESH_TOKEN;
  session.expires = new Date(Date.now() + 3_600_000);
  session.refreshTokenExpires = new Date(Date.now() + 30 * 24 * 3_600_000);
  await sessionStorage!.storeSession(session);
  await db.shop.upsert({ where: { shop }, create: { shop, name: shop }, update: {} });
  const s = forShop(shop);
  const { integration } = await connectIntegration(s, "shopify");
  await s.product.create({ data: { id: `${shop}-p1`, shop, handle: "tee", title: "Tee" } });
  await s.variant.create({ data: { id: `${shop}-v1`, shop, productId: `${shop}-p1`, sku: "TEE-1" } });
  await s.fieldValue.create({ data: { shop, entityId: `${shop}-p1`, field: "title", locale: "en", value: '"Tee"', sourceId: integration.id, updatedAt: new Date() } });
  await s.passport.create({ data: { shop, variantId: `${shop}-v1`, publicId: `${shop}-public`, currentVersion: 1 } });
}

beforeEach(async () => {
  for (const shop of [TEST_SHOP, OTHER_SHOP]) await import("../app/db/scoped.server").then((m) => m.deleteShopData(shop));
  await installShop(TEST_SHOP);
  await installShop(OTHER_SHOP);
});

describe("webhooks", () => {
  it("handles a correctly signed webhook", async () => {
    const response = await call(dataRequest, webhookRequest({ shop: TEST_SHOP, topic: "customers/data_request", payload: { shop_domain: TEST_SHOP, customer: { id: 1 } } }));
    expect(response.status).toBe(200);
    expect(await forShop(TEST_SHOP).complianceRequest.count({ where: { topic: "customers/data_request" } })).toBe(1);
  });

  it("rejects a forged signature with 401 and changes nothing", async () => {
    const forged = webhookRequest({ shop: TEST_SHOP, topic: "app/uninstalled", payload: {}, hmac: "AAAAforgedAAAA=" });
    expect((await call(uninstalled, forged)).status).toBe(401);
    expect(await forShop(TEST_SHOP).session.count()).toBe(1);
    expect((await forShop(TEST_SHOP).integration.findFirstOrThrow({})).status).toBe("active");
  });

  it("rejects a body signed with another secret", async () => {
    const body = JSON.stringify({});
    const { createHmac } = await import("node:crypto");
    const hmac = createHmac("sha256", `${TEST_API_SECRET}-not`).update(body).digest("base64");
    expect((await call(shopRedact, webhookRequest({ shop: TEST_SHOP, topic: "shop/redact", payload: {}, hmac }))).status).toBe(401);
    expect(await forShop(TEST_SHOP).product.count()).toBe(1);
  });

  it("rejects a webhook without signature and changes nothing", async () => {
    const response = await call(shopRedact, webhookRequest({ shop: TEST_SHOP, topic: "shop/redact", payload: {}, hmac: null }));
    expect([400, 401]).toContain(response.status);
    expect(await forShop(TEST_SHOP).product.count()).toBe(1);
  });

  it("records customers/redact by ids only: the customer's email and phone are not kept", async () => {
    const payload = { shop_id: 954889, shop_domain: TEST_SHOP, customer: { id: 7, email: "john@example.com", phone: "555-625-1199" }, orders_to_redact: [299938, 280263] };
    const response = await call(customersRedact, webhookRequest({ shop: TEST_SHOP, topic: "customers/redact", payload }));
    expect(response.status).toBe(200);
    const stored = await forShop(TEST_SHOP).complianceRequest.findFirstOrThrow({ where: { topic: "customers/redact" } });
    expect(JSON.parse(stored.payload)).toEqual({ customerId: 7, orderIds: [299938, 280263] });
    expect(stored.payload).not.toMatch(/john@example\.com|555-625-1199/);
  });

  it("records customers/data_request by ids only", async () => {
    const payload = { shop_domain: TEST_SHOP, customer: { id: 7, email: "john@example.com", phone: "555-625-1199" }, orders_requested: [299938], data_request: { id: 9999 } };
    await call(dataRequest, webhookRequest({ shop: TEST_SHOP, topic: "customers/data_request", payload }));
    const stored = await forShop(TEST_SHOP).complianceRequest.findFirstOrThrow({ where: { topic: "customers/data_request" } });
    expect(JSON.parse(stored.payload)).toEqual({ customerId: 7, dataRequestId: 9999, orderIds: [299938] });
  });

  it.each([
    ["customers/data_request", dataRequest],
    ["customers/redact", customersRedact],
  ] as const)("stores a %s webhook once: a redelivery (same webhook id) is answered 200 and adds nothing", async (topic, route) => {
    const payload = { shop_domain: TEST_SHOP, customer: { id: 7 }, orders_to_redact: [1], orders_requested: [1], data_request: { id: 9 } };
    const deliver = async (shop: string, webhookId: string) => (await call(route, webhookRequest({ shop, topic, webhookId, payload: { ...payload, shop_domain: shop } }))).status;
    const stored = (shop: string) => forShop(shop).complianceRequest.findMany({ where: { topic }, orderBy: { receivedAt: "asc" } });

    expect([await deliver(TEST_SHOP, "hook-1"), await deliver(TEST_SHOP, "hook-1")]).toEqual([200, 200]);
    expect((await stored(TEST_SHOP)).map((r) => r.webhookId)).toEqual(["hook-1"]);
    // Another webhook is another request, even with the same content.
    expect(await deliver(TEST_SHOP, "hook-2")).toBe(200);
    expect((await stored(TEST_SHOP)).map((r) => r.webhookId).sort()).toEqual(["hook-1", "hook-2"]);
    // Webhook ids are kept per shop: another shop's webhook with the same id is its own.
    expect(await deliver(OTHER_SHOP, "hook-1")).toBe(200);
    expect((await stored(OTHER_SHOP)).map((r) => r.webhookId)).toEqual(["hook-1"]);
    expect(await stored(TEST_SHOP)).toHaveLength(2);
  });

  it("records the scopes granted on app/scopes_update", async () => {
    await call(scopesUpdate, webhookRequest({ shop: TEST_SHOP, topic: "app/scopes_update", payload: { previous: ["read_products"], current: ["read_products", "write_products"] } }));
    const session = await forShop(TEST_SHOP).session.findFirstOrThrow({});
    expect(session.scope).toBe("read_products,write_products");
  });
});

describe("app/uninstalled", () => {
  it("removes sessions, stops integrations, keeps the catalog, passports and field ownership — and is idempotent", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await call(uninstalled, webhookRequest({ shop: TEST_SHOP, topic: "app/uninstalled", payload: { id: 1, domain: TEST_SHOP } }));
      expect(response.status).toBe(200);
    }
    const s = forShop(TEST_SHOP);
    expect(await s.session.count()).toBe(0);
    const integration = await s.integration.findFirstOrThrow({});
    expect(integration.status).toBe("disconnected");
    expect(integration.statusMessage).toMatch(/uninstalled/);
    expect(await s.product.count()).toBe(1);
    expect(await s.passport.count()).toBe(1);
    // An uninstall is not the merchant removing the integration: its fields stay its own for the reinstall.
    expect(await s.fieldOwnership.count({ where: { integrationId: integration.id } })).toBeGreaterThan(0);
    expect(integration.statusBeforeUninstall).toBe("active");
    // the other shop is untouched
    expect(await forShop(OTHER_SHOP).session.count()).toBe(1);
    expect((await forShop(OTHER_SHOP).integration.findFirstOrThrow({})).status).toBe("active");
  });
});

describe("shop/redact", () => {
  it("deletes every row of exactly that shop, in every table", async () => {
    const response = await call(shopRedact, webhookRequest({ shop: TEST_SHOP, topic: "shop/redact", payload: { shop_domain: TEST_SHOP } }));
    expect(response.status).toBe(200);
    const delegates = db as unknown as Record<string, { count(a: object): Promise<number> }>;
    for (const model of SHOP_MODELS) {
      const delegate = delegates[model.charAt(0).toLowerCase() + model.slice(1)];
      expect(await delegate.count({ where: { shop: TEST_SHOP } }), model).toBe(0);
    }
    expect(SHOP_MODELS.length).toBeGreaterThanOrEqual(15);
    // the other shop keeps everything
    const other = forShop(OTHER_SHOP);
    expect(await other.product.count()).toBe(1);
    expect(await other.passport.count()).toBe(1);
    expect(await other.session.count()).toBe(1);
    expect(await other.integration.count()).toBe(1);
  });
});

describe("admin routes: session-token auth", () => {
  const adminRequest = (headers: Record<string, string>, search = "") =>
    new Request(`http://127.0.0.1:3999/app${search}`, { headers: { Accept: "application/json", ...headers } });

  it("serves the admin home with a valid session token", async () => {
    const token = await sessionToken({ shop: TEST_SHOP });
    const response = await call(home as Handler, adminRequest({ Authorization: `Bearer ${token}` }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { integrations: { kind: string }[] };
    expect(body.integrations.map((i) => i.kind)).toEqual(["shopify"]);
  });

  it.each([
    ["missing", async () => ({}) as Record<string, string>],
    ["expired", async () => ({ Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP, expiresIn: -120 })}` })],
    ["for another app (wrong audience)", async () => ({ Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP, apiKey: "someone-else" })}` })],
    ["signed with another secret", async () => ({ Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP, secret: "not-our-secret" })}` })],
  ])("rejects a %s session token", async (_name, headers) => {
    const response = await call(home as Handler, adminRequest(await headers()));
    expect(response.status).not.toBe(200);
    expect([302, 401, 403]).toContain(response.status);
    const text = await response.text();
    expect(text).not.toContain("shopify");
  });
});

describe("secrets at rest", () => {
  it("stores access and refresh tokens encrypted: the database file holds no plaintext token", async () => {
    const row = await db.session.findUniqueOrThrow({ where: { id: `offline_${TEST_SHOP}` } });
    expect(row.accessToken).not.toContain(ACCESS_TOKEN);
    expect(row.accessToken.startsWith("v1.")).toBe(true);
    const loaded = await sessionStorage!.loadSession(`offline_${TEST_SHOP}`);
    expect(loaded?.accessToken).toBe(ACCESS_TOKEN);
    expect(loaded?.refreshToken).toBe(REFRESH_TOKEN);
    const file = process.env.PASSPORT_TEST_DB_FILE;
    if (file) {
      // SQLite: check the bytes on disk (database and write-ahead log).
      await db.$queryRawUnsafe("PRAGMA wal_checkpoint(FULL)");
      const bytes = Buffer.concat([readFileSync(file), ...["-wal"].map((s) => { try { return readFileSync(file + s); } catch { return Buffer.alloc(0); } })]);
      expect(bytes.includes(Buffer.from(ACCESS_TOKEN))).toBe(false);
      expect(bytes.includes(Buffer.from(REFRESH_TOKEN))).toBe(false);
    } else {
      const raw = await db.$queryRawUnsafe<{ t: string }[]>(`SELECT "accessToken" || coalesce("refreshToken", '') AS t FROM "Session"`);
      expect(raw.every((r) => !r.t.includes(ACCESS_TOKEN) && !r.t.includes(REFRESH_TOKEN))).toBe(true);
    }
  });
});

describe("/healthz", () => {
  it("answers 200 when the database answers", async () => {
    const response = await call(healthz as Handler, new Request("http://127.0.0.1:3999/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, database: { ok: true } });
  });
});
