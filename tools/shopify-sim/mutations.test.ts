/* eslint-disable @typescript-eslint/no-explicit-any -- assertions on loosely typed JSON responses */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_APP_ID, startShopifySim, type ShopifySim } from "./index.ts";
import { adminGraphql, startWebhookReceiver, type WebhookReceiver } from "./testing.ts";

const apiSecret = "mutation-secret";
const SHOP = "mutation-shop.myshopify.com";
let sim: ShopifySim;
let receiver: WebhookReceiver;
let token: string;

const gql = (query: string, variables?: Record<string, unknown>) => adminGraphql(sim.url, SHOP, token, query, variables);

const SET = `mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value jsonValue ownerType owner { ... on Product { id } ... on ProductVariant { id } } }
    userErrors { field message code elementIndex }
  }
}`;

const UPDATE = `mutation Update($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $partial: Boolean) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: $partial) {
    product { id updatedAt }
    productVariants { id sku barcode title updatedAt inventoryItem { sku countryCodeOfOrigin measurement { weight { value unit } } } }
    userErrors { field message code }
  }
}`;

async function product(handle: string) {
  const res = await gql(
    `query($h: String!) { productByHandle(handle: $h) { id updatedAt variants(first: 10) { nodes { id sku title updatedAt } } } }`,
    { h: handle },
  );
  return res.body.data!["productByHandle"] as { id: string; updatedAt: string; variants: { nodes: Array<{ id: string; sku: string; title: string; updatedAt: string }> } };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(apiSecret);
  sim = await startShopifySim({ apiKey: "mutation-key", apiSecret, appUrl: receiver.url });
  token = String(sim.issueAccessToken(SHOP)["access_token"]);
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(async () => {
  await sim.waitForWebhooks();
  receiver.received.length = 0;
});

describe("metafieldsSet / metafieldsDelete", () => {
  it("writes metafields on products and variants, resolving $app to the app's reserved namespace", async () => {
    const p = await product("linen-shirt");
    const variant = p.variants.nodes[0]!;
    const res = await gql(SET, {
      metafields: [
        { ownerId: p.id, namespace: "$app", key: "passport_url", type: "url", value: "https://passport.example/p/abc" },
        { ownerId: variant.id, namespace: "$app:dpp", key: "passport", type: "json", value: '{"id":"abc","version":2}' },
        { ownerId: variant.id, key: "gtin", type: "single_line_text_field", value: "05790012100403" },
      ],
    });
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data!["metafieldsSet"] as { metafields: Array<Record<string, unknown>>; userErrors: unknown[] };
    expect(payload.userErrors).toEqual([]);
    expect(payload.metafields.map((m) => [m["namespace"], m["key"], m["ownerType"], (m["owner"] as { id: string }).id])).toEqual([
      [`app--${DEFAULT_APP_ID}`, "passport_url", "PRODUCT", p.id],
      [`app--${DEFAULT_APP_ID}--dpp`, "passport", "PRODUCTVARIANT", variant.id],
      [`app--${DEFAULT_APP_ID}`, "gtin", "PRODUCTVARIANT", variant.id],
    ]);
    expect(payload.metafields[1]!["jsonValue"]).toEqual({ id: "abc", version: 2 });

    const read = await gql(
      `query($id: ID!) { product(id: $id) {
        byApp: metafield(namespace: "$app", key: "passport_url") { value }
        byFullNamespace: metafield(namespace: "app--${DEFAULT_APP_ID}", key: "passport_url") { value }
        metafields(first: 10, namespace: "$app") { nodes { key } }
        variants(first: 1) { nodes { metafields(first: 5, keys: ["$app:dpp.passport"]) { nodes { key value } } } }
      } }`,
      { id: p.id },
    );
    expect(read.body.data).toEqual({
      product: {
        byApp: { value: "https://passport.example/p/abc" },
        byFullNamespace: { value: "https://passport.example/p/abc" },
        metafields: { nodes: [{ key: "passport_url" }] },
        variants: { nodes: [{ metafields: { nodes: [{ key: "passport", value: '{"id":"abc","version":2}' }] } }] },
      },
    });

    // A metafield change alone touches the product: updatedAt and products/update (decision documented in the README).
    const after = await product("linen-shirt");
    expect(after.updatedAt > p.updatedAt).toBe(true);
    const [hook] = await receiver.waitFor(1, "products/update");
    expect(hook!.validHmac).toBe(true);
    expect((hook!.json as { id: number }).id).toBe(Number(p.id.split("/").pop()));

    // Writing the same values again changes nothing.
    const before = sim.webhookLog({ shop: SHOP, topic: "products/update" }).length;
    await gql(SET, { metafields: [{ ownerId: p.id, namespace: "$app", key: "passport_url", type: "url", value: "https://passport.example/p/abc" }] });
    expect(sim.webhookLog({ shop: SHOP, topic: "products/update" }).length).toBe(before);
  });

  it("limits a call to 25 metafields and validates types atomically", async () => {
    const p = await product("oxford-shirt");
    const many = Array.from({ length: 26 }, (_, i) => ({ ownerId: p.id, namespace: "custom", key: `k${i}`, type: "single_line_text_field", value: "x" }));
    const tooMany = await gql(SET, { metafields: many });
    expect(tooMany.body.data!["metafieldsSet"]).toEqual({
      metafields: [],
      userErrors: [{ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null }],
    });
    expect((await gql(SET, { metafields: many.slice(0, 25) })).body.data!["metafieldsSet"]).toMatchObject({ userErrors: [] });

    const invalid = await gql(SET, {
      metafields: [
        { ownerId: p.id, namespace: "custom", key: "good", type: "single_line_text_field", value: "fine" },
        { ownerId: p.id, namespace: "custom", key: "link", type: "url", value: "not a url" },
        { ownerId: p.id, namespace: "custom", key: "lines", type: "single_line_text_field", value: "two\nlines" },
        { ownerId: p.id, namespace: "custom", key: "doc", type: "json", value: "{broken" },
        { ownerId: p.id, namespace: "custom", key: "typeless", value: "x" },
        { ownerId: "gid://shopify/Product/1", namespace: "custom", key: "ghost", type: "single_line_text_field", value: "x" },
      ],
    });
    const result = invalid.body.data!["metafieldsSet"] as { metafields: unknown[]; userErrors: Array<{ field: string[]; code: string; elementIndex: number }> };
    expect(result.metafields).toEqual([]);
    expect(result.userErrors.map((e) => [e.field.join("."), e.code, e.elementIndex])).toEqual([
      ["metafields.1.value", "INVALID_VALUE", 1],
      ["metafields.2.value", "INVALID_VALUE", 2],
      ["metafields.3.value", "INVALID_VALUE", 3],
      ["metafields.4.type", "BLANK", 4],
      ["metafields.5.ownerId", "INVALID", 5],
    ]);
    const unchanged = await gql(`query($id: ID!) { product(id: $id) { metafield(namespace: "custom", key: "good") { id } } }`, { id: p.id });
    expect(unchanged.body.data).toEqual({ product: { metafield: null } });
  });

  it("writes shop-owned metafields", async () => {
    const shop = await gql(`{ shop { id } }`);
    const shopId = (shop.body.data!["shop"] as { id: string }).id;
    const res = await gql(SET, { metafields: [{ ownerId: shopId, namespace: "$app", key: "settings", type: "json", value: '{"theme":"light"}' }] });
    expect(res.body.data!["metafieldsSet"]).toMatchObject({ userErrors: [], metafields: [{ ownerType: "SHOP", namespace: `app--${DEFAULT_APP_ID}` }] });
    const read = await gql(`{ shop { metafield(namespace: "$app", key: "settings") { jsonValue } } }`);
    expect(read.body.data).toEqual({ shop: { metafield: { jsonValue: { theme: "light" } } } });
  });

  it("deletes metafields", async () => {
    const p = await product("poplin-shirt");
    await gql(SET, { metafields: [{ ownerId: p.id, namespace: "$app", key: "passport_url", type: "url", value: "https://passport.example/x" }] });
    const res = await gql(
      `mutation($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) { deletedMetafields { ownerId namespace key } userErrors { field message } } }`,
      { m: [{ ownerId: p.id, namespace: "$app", key: "passport_url" }, { ownerId: p.id, namespace: "$app", key: "missing" }] },
    );
    expect(res.body.data).toEqual({
      metafieldsDelete: { deletedMetafields: [{ ownerId: p.id, namespace: `app--${DEFAULT_APP_ID}`, key: "passport_url" }, null], userErrors: [] },
    });
  });
});

describe("productVariantsBulkUpdate", () => {
  it("updates barcode, SKU, weight and options, bumps updatedAt and sends a signed products/update webhook", async () => {
    const p = await product("heavyweight-tee");
    const [v1, v2] = p.variants.nodes;
    const res = await gql(UPDATE, {
      productId: p.id,
      variants: [
        {
          id: v1!.id,
          barcode: "4006381333931",
          inventoryItem: { sku: "NK-HWT-CHA-S-2", countryCodeOfOrigin: "PT", measurement: { weight: { value: 0.25, unit: "KILOGRAMS" } } },
        },
        { id: v2!.id, optionValues: [{ optionName: "Colour", name: "Slate" }] },
      ],
    });
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data!["productVariantsBulkUpdate"] as {
      product: { updatedAt: string };
      productVariants: Array<Record<string, any>>;
      userErrors: unknown[];
    };
    expect(payload.userErrors).toEqual([]);
    expect(payload.productVariants[0]).toMatchObject({
      sku: "NK-HWT-CHA-S-2",
      barcode: "4006381333931",
      inventoryItem: { sku: "NK-HWT-CHA-S-2", countryCodeOfOrigin: "PT", measurement: { weight: { value: 0.25, unit: "KILOGRAMS" } } },
    });
    expect(payload.productVariants[1]!["title"]).toBe("Slate / M");
    expect(payload.productVariants[0]!["updatedAt"] > v1!.updatedAt).toBe(true);
    expect(payload.product.updatedAt > p.updatedAt).toBe(true);
    const options = await gql(`query($id: ID!) { product(id: $id) { options { name values } } }`, { id: p.id });
    expect((options.body.data!["product"] as any).options[0]).toEqual({ name: "Colour", values: ["Charcoal", "Ecru", "Slate"] });

    const [hook] = await receiver.waitFor(1, "products/update");
    expect(hook!.path).toBe("/webhooks/products/update");
    expect(hook!.validHmac).toBe(true);
    expect(hook!.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", apiSecret).update(hook!.body).digest("base64"));
    expect(hook!.headers).toMatchObject({
      "x-shopify-topic": "products/update",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "x-shopify-event-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "x-shopify-triggered-at": expect.any(String),
    });
    const body = hook!.json as Record<string, any>;
    expect(body).toMatchObject({
      id: Number(p.id.split("/").pop()),
      admin_graphql_api_id: p.id,
      handle: "heavyweight-tee",
      title: "Heavyweight Boxy Tee",
      vendor: "Nordkyst",
      product_type: "T-Shirts",
      status: "active",
      tags: "t-shirts, organic-cotton",
      updated_at: payload.product.updatedAt.replace("Z", "+00:00"),
    });
    expect(body["body_html"]).toMatch(/^<p>/);
    expect(body["variants"][0]).toMatchObject({
      id: Number(v1!.id.split("/").pop()),
      product_id: body["id"],
      sku: "NK-HWT-CHA-S-2",
      barcode: "4006381333931",
      grams: 250,
      weight: 0.25,
      weight_unit: "kg",
      option1: "Charcoal",
      option2: "S",
      option3: null,
      position: 1,
      admin_graphql_api_id: v1!.id,
    });
    expect(body["options"].map((o: { name: string }) => o.name)).toEqual(["Colour", "Size"]);
    expect(body["images"][0]).toMatchObject({ src: `${sim.url}/images/heavyweight-tee-charcoal.svg`, position: 1, product_id: body["id"] });
  });

  it("returns Shopify's userErrors and applies nothing unless partial updates are allowed", async () => {
    const p = await product("merino-crewneck");
    const [a, b] = p.variants.nodes;
    const other = (await product("oxford-shirt")).variants.nodes[0]!;
    const res = await gql(UPDATE, {
      productId: p.id,
      variants: [
        { id: a!.id, barcode: "111" },
        { id: other.id, barcode: "222" },
        { id: "gid://shopify/ProductVariant/1", barcode: "333" },
        { barcode: "444" },
        { id: b!.id, optionValues: [{ optionName: "Colour", name: "Navy" }, { optionName: "Size", name: "S" }] },
        { id: b!.id, inventoryQuantities: [{ locationId: "gid://shopify/Location/1", availableQuantity: 3 }] },
        { id: b!.id, optionValues: [{ optionName: "Fit", name: "Slim" }] },
      ],
    });
    const payload = res.body.data!["productVariantsBulkUpdate"] as { productVariants: unknown[]; userErrors: Array<{ field: string[]; code: string }> };
    expect(payload.productVariants).toEqual([]);
    expect(payload.userErrors.map((e) => [e.field.join("."), e.code])).toEqual([
      ["variants.1.id", "MUST_BE_FOR_THIS_PRODUCT"],
      ["variants.2.id", "PRODUCT_VARIANT_DOES_NOT_EXIST"],
      ["variants.3.id", "PRODUCT_VARIANT_ID_MISSING"],
      ["variants.5.inventoryQuantities", "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"],
      ["variants.6.optionValues.0", "OPTION_DOES_NOT_EXIST"],
      ["variants.4.optionValues", "VARIANT_ALREADY_EXISTS"],
    ]);
    expect((await product("merino-crewneck")).updatedAt).toBe(p.updatedAt);

    const partial = await gql(UPDATE, { productId: p.id, partial: true, variants: [{ id: a!.id, barcode: "05790012199991" }, { id: other.id, barcode: "2" }] });
    const partialPayload = partial.body.data!["productVariantsBulkUpdate"] as { productVariants: Array<{ barcode: string }>; userErrors: unknown[] };
    expect(partialPayload.productVariants.map((v) => v.barcode)).toEqual(["05790012199991"]);
    expect(partialPayload.userErrors).toHaveLength(1);

    const missing = await gql(UPDATE, { productId: "gid://shopify/Product/1", variants: [] });
    expect(missing.body.data!["productVariantsBulkUpdate"]).toEqual({
      product: null,
      productVariants: null,
      userErrors: [{ field: ["productId"], message: "Product does not exist", code: "PRODUCT_DOES_NOT_EXIST" }],
    });
    const unsupported = await gql(UPDATE, { productId: p.id, variants: [{ id: a!.id, mediaSrc: ["https://x/y.png"] }] });
    expect((unsupported.body.errors as Array<{ message: string }>)[0]!.message).toMatch(/ProductVariantsBulkInput.mediaSrc is not implemented by the Shopify simulator/);
  });

  it("costs 10 per mutation", async () => {
    const p = await product("cable-knit-sweater");
    const res = await gql(UPDATE, { productId: p.id, variants: [{ id: p.variants.nodes[0]!.id, barcode: "4006381333931" }] });
    expect(res.body.extensions!.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
  });
});
