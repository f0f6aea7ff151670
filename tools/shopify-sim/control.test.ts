/* eslint-disable @typescript-eslint/no-explicit-any -- assertions on loosely typed JSON responses */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySim, type ShopifySim, type WebhookDelivery } from "./index.ts";
import { adminGraphql, startWebhookReceiver, type WebhookReceiver } from "./testing.ts";

const apiSecret = "control-secret";
const SHOP = "control-shop.myshopify.com";
let sim: ShopifySim;
let receiver: WebhookReceiver;

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(apiSecret);
  sim = await startShopifySim({ apiKey: "control-key", apiSecret, appUrl: receiver.url, webhooks: { retryBaseMs: 20 } });
  sim.issueAccessToken(SHOP);
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(async () => {
  await sim.waitForWebhooks();
  receiver.received.length = 0;
});

describe("control API", () => {
  it("edits a product over HTTP: bumps updatedAt and sends products/update", async () => {
    const before = await control("GET", `/_sim/shops/${SHOP}/products/oxford-shirt`);
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ handle: "oxford-shirt", title: "Oxford Button-Down Shirt", tags: "shirts, organic-cotton" });

    const edit = await control("PATCH", `/_sim/shops/${SHOP}/products/oxford-shirt`, {
      title: "Oxford Shirt",
      tags: ["shirts", "organic-cotton", "dpp-pilot"],
      variants: [
        { matchSku: "NK-OXF-SKY-S", sku: "NK-OXF-SKY-S2", barcode: "4006381333931", grams: 260, countryCodeOfOrigin: "pt" },
        { position: 2, options: ["Sky", "XL"] },
      ],
    });
    expect(edit.status).toBe(200);
    expect(edit.json.changed).toBe(true);
    const product = edit.json.product;
    expect(product).toMatchObject({ title: "Oxford Shirt", tags: "shirts, organic-cotton, dpp-pilot" });
    expect(product.updated_at > before.json.updated_at).toBe(true);
    expect(product.variants[0]).toMatchObject({ sku: "NK-OXF-SKY-S2", barcode: "4006381333931", grams: 260, country_code_of_origin: "PT" });
    expect(product.variants[1]).toMatchObject({ title: "Sky / XL", option2: "XL" });

    const [hook] = await receiver.waitFor(1, "products/update");
    expect(hook!.validHmac).toBe(true);
    expect(hook!.json).toMatchObject({ id: product.id, title: "Oxford Shirt", updated_at: product.updated_at });

    // The same edit again changes nothing and sends nothing.
    const again = await control("PATCH", `/_sim/shops/${SHOP}/products/oxford-shirt`, { title: "Oxford Shirt" });
    expect(again.json.changed).toBe(false);
    await sim.waitForWebhooks();
    expect(receiver.received).toHaveLength(1);

    // And GraphQL sees it.
    const token = String(sim.issueAccessToken(SHOP)["access_token"]);
    const read = await adminGraphql(sim.url, SHOP, token, `{ products(first: 1, query: "sku:NK-OXF-SKY-S2") { nodes { title updatedAt } } }`);
    expect(read.body.data).toEqual({ products: { nodes: [{ title: "Oxford Shirt", updatedAt: product.updated_at.replace("+00:00", "Z") }] } });

    const bad = await control("PATCH", `/_sim/shops/${SHOP}/products/oxford-shirt`, { variants: [{ matchSku: "nope", sku: "x" }] });
    expect(bad).toEqual({ status: 404, json: { error: 'No variant with SKU "nope" in product "oxford-shirt".' } });
    const dup = await control("PATCH", `/_sim/shops/${SHOP}/products/oxford-shirt`, { variants: [{ position: 3, options: ["Sky", "XL"] }] });
    expect(dup.status).toBe(400);
    const typo = await control("PATCH", `/_sim/shops/${SHOP}/products/oxford-shirt`, { titel: "x" });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toMatch(/^Unknown product patch field "titel"/);
  });

  it("adds and removes variants", async () => {
    const res = await control("PATCH", `/_sim/shops/${SHOP}/products/merino-beanie`, {
      addVariants: [{ options: ["Navy"], sku: "NK-MBN-NAV", barcode: "4006381333931", grams: 90, price: 39 }],
      removeVariants: [{ matchSku: "NK-MBN-RUS" }],
    });
    expect(res.status).toBe(200);
    const variants = res.json.product.variants as Array<{ sku: string; position: number; title: string }>;
    expect(variants.map((v) => [v.sku, v.position, v.title])).toEqual([
      ["NK-MBN-CHA", 1, "Charcoal"],
      ["NK-MBN-FOR", 2, "Forest"],
      ["NK-MBN-NAV", 3, "Navy"],
    ]);
    expect(res.json.product.options[0].values).toEqual(["Charcoal", "Forest", "Navy"]);
    const [hook] = await receiver.waitFor(1, "products/update");
    expect((hook!.json as { variants: unknown[] }).variants).toHaveLength(3);
    const defaultOnly = await control("POST", `/_sim/shops/${SHOP}/products`, { title: "Gift Wrap" });
    expect(defaultOnly.json.variants).toMatchObject([{ title: "Default Title", option1: "Default Title" }]);
    const bad = await control("PATCH", `/_sim/shops/${SHOP}/products/gift-wrap`, { variants: [{ position: 1, options: ["Red"] }] });
    expect(bad.status).toBe(400);
  });

  it("creates and deletes products with products/create and products/delete", async () => {
    const created = await control("POST", `/_sim/shops/${SHOP}/products`, {
      title: "Recycled Fleece",
      vendor: "Nordkyst",
      productType: "Outerwear",
      category: "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets",
      tags: "outerwear, recycled",
      options: ["Size"],
      variants: [
        { options: ["S"], sku: "NK-RFL-S", barcode: "4006381333931", grams: 540, price: "119" },
        { options: ["M"], sku: "NK-RFL-M", grams: 560, price: "119" },
      ],
      images: [{ src: "https://shopify-sim.local/images/recycled-fleece.svg", alt: "Recycled Fleece in Olive" }],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ handle: "recycled-fleece", category: { name: "Coats & Jackets" } });
    expect(created.json.images[0].src).toBe(`${sim.url}/images/recycled-fleece.svg`);
    const [hook] = await receiver.waitFor(1, "products/create");
    expect(hook!.json).toMatchObject({ id: created.json.id, title: "Recycled Fleece" });
    const svg = await (await fetch(created.json.images[0].src)).text();
    expect(svg).toContain("Recycled Fleece</text>");

    const deleted = await control("DELETE", `/_sim/shops/${SHOP}/products/${created.json.id}`);
    expect(deleted.json).toEqual({ deleted: created.json.id });
    const [del] = await receiver.waitFor(1, "products/delete");
    expect(del!.json).toEqual({ id: created.json.id });
    expect((await control("GET", `/_sim/shops/${SHOP}/products/recycled-fleece`)).status).toBe(404);
    expect((await control("GET", `/_sim/shops/${SHOP}/products?query=${encodeURIComponent("tag:recycled")}`)).json.length).toBe(4);
  });

  it("retries failed deliveries with backoff and logs every attempt", async () => {
    receiver.respondWith.push(500, 503);
    sim.editProduct(SHOP, "linen-shirt", { vendor: "Nordkyst Studio" });
    const [hook] = await receiver.waitFor(1, "products/update");
    const log = (await control("GET", `/_sim/webhooks?shop=${SHOP}&topic=products/update`)).json as WebhookDelivery[];
    const delivery = log.find((d) => d.webhookId === hook!.headers["x-shopify-webhook-id"])!;
    expect(delivery.status).toBe("delivered");
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
  });

  it("resends a webhook as a duplicate, and delivers held webhooks late and out of order", async () => {
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt v2" });
    const [first] = await receiver.waitFor(1, "products/update");
    const original = sim.webhookLog({ topic: "products/update" }).find((d) => d.webhookId === first!.headers["x-shopify-webhook-id"])!;
    const resent = await control("POST", `/_sim/webhooks/${original.id}/resend`);
    expect(resent.status).toBe(201);
    const [, duplicate] = await receiver.waitFor(2, "products/update");
    expect(duplicate!.headers["x-shopify-webhook-id"]).toBe(first!.headers["x-shopify-webhook-id"]);
    expect(duplicate!.headers["x-shopify-event-id"]).toBe(first!.headers["x-shopify-event-id"]);
    expect(duplicate!.body).toBe(first!.body);
    receiver.received.length = 0;

    await control("POST", "/_sim/webhooks/hold");
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt v3" });
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt v4" });
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(0);
    expect(sim.webhookLog({ topic: "products/update" }).filter((d) => d.status === "held")).toHaveLength(2);
    const released = await control("POST", "/_sim/webhooks/release", { order: "reverse" });
    expect(released.json).toHaveLength(2);
    const hooks = await receiver.waitFor(2, "products/update");
    expect(hooks.map((h) => (h.json as { title: string }).title)).toEqual(["Linen Shirt v4", "Linen Shirt v3"]);
  });

  it("delays deliveries and sends compliance topics", async () => {
    await control("PUT", "/_sim/webhooks/settings", { delayMs: 150 });
    const started = Date.now();
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt (late)" });
    await new Promise((r) => setTimeout(r, 60));
    expect(receiver.received).toHaveLength(0);
    await receiver.waitFor(1, "products/update");
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await control("PUT", "/_sim/webhooks/settings", { delayMs: 0 });

    const sent = await control("POST", `/_sim/shops/${SHOP}/webhooks`, { topic: "shop/redact" });
    expect(sent.status).toBe(201);
    const [redact] = await receiver.waitFor(1, "shop/redact");
    expect(redact!.path).toBe("/webhooks/shop/redact");
    expect(redact!.json).toEqual({ shop_id: expect.any(Number), shop_domain: SHOP });
    expect(redact!.validHmac).toBe(true);
  });

  it("controls throttling, failures, app URL and reports statistics", async () => {
    const throttle = await control("PUT", "/_sim/throttle", { bucketSize: 500, restoreRate: 50 });
    expect(throttle.json).toMatchObject({ enabled: true, bucketSize: 500, restoreRate: 50, maxQueryCost: 1000 });
    const token = String(sim.issueAccessToken(SHOP)["access_token"]);
    const res = await adminGraphql(sim.url, SHOP, token, "{ shop { name } }");
    expect(res.body.extensions!.cost.throttleStatus).toMatchObject({ maximumAvailable: 500, restoreRate: 50 });
    await control("PUT", "/_sim/throttle", { bucketSize: 2000, restoreRate: 100, available: 2000 });

    const failures = await control("POST", "/_sim/failures", { count: 1, status: 503, target: "oauth" });
    expect(failures.json).toEqual([{ count: 1, status: 503, target: "oauth", retryAfter: null, shop: null }]);
    const oauth = await fetch(`${sim.url}/admin/oauth/access_token`, { method: "POST", body: "{}" });
    expect(oauth.status).toBe(503);
    expect((await control("GET", "/_sim/failures")).json).toEqual([]);

    const stats = await control("GET", `/_sim/stats?shop=${SHOP}`);
    expect(stats.json).toMatchObject({ graphqlRequests: expect.any(Number), failuresInjected: 1, shops: { [SHOP]: { installed: true, products: 27 } } });
    expect(stats.json.webhooksSent).toBeGreaterThan(3);
    expect(stats.json.costUsed).toBeGreaterThan(0);

    await control("PUT", "/_sim/app-url", { appUrl: null });
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt v5" });
    expect(sim.webhookLog({ topic: "products/update" }).at(-1)!.status).toBe("skipped");
    await control("PUT", "/_sim/app-url", { appUrl: receiver.url });
    expect((await control("PUT", "/_sim/webhooks/settings", { topics: ["app/uninstalled"] })).json.topics).toEqual(["app/uninstalled"]);
    sim.editProduct(SHOP, "linen-shirt", { title: "Linen Shirt v6" });
    expect(sim.webhookLog({ topic: "products/update" }).at(-1)!.status).toBe("skipped");
    await control("PUT", "/_sim/webhooks/settings", { topics: null });

    const shops = await control("GET", "/_sim/shops");
    expect(shops.json).toContainEqual(expect.objectContaining({ domain: SHOP, installed: true, products: 27 }));
    expect((await control("GET", "/_sim/nope")).status).toBe(404);
    expect((await control("GET", "/_sim/shops/not-a-shop/products")).status).toBe(400);
  });

  it("has a CLI sub-command to edit a product of a running simulator", async () => {
    const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [
      tsx,
      cli,
      "edit",
      "--port",
      String(sim.port),
      "--shop",
      SHOP,
      "--handle",
      "canvas-tote",
      "--title",
      "Canvas Tote (CLI)",
      "--variant-sku",
      "NK-CTB-BLA",
      "--barcode",
      "4006381333931",
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ changed: true, handle: "canvas-tote", title: "Canvas Tote (CLI)" });
    const [hook] = await receiver.waitFor(1, "products/update");
    const body = hook!.json as { title: string; variants: Array<{ sku: string; barcode: string }> };
    expect(body.title).toBe("Canvas Tote (CLI)");
    expect(body.variants.find((v) => v.sku === "NK-CTB-BLA")!.barcode).toBe("4006381333931");
  });
});
