import { describe, expect, it } from "vitest";
import { parseFieldValue } from "../../catalog/fields";
import { encodeFieldValue, recordHash } from "../../sync/merge";
import { recordFromGraphql, recordFromWebhook, weightInGrams, type GqlProductNode, type ProductWebhookPayload } from "./records";
import { parseShopifySettings } from "./settings";

const UPDATED = "2026-10-02T09:30:00Z";

/** One product as the GraphQL documents return it (connections flattened). */
function graphqlTee(): GqlProductNode {
  return {
    id: "gid://shopify/Product/1001",
    handle: "organic-tee",
    title: "Organic Tee",
    status: "ACTIVE",
    descriptionHtml: "<p>Soft <strong>organic</strong> cotton.</p>",
    vendor: "Acme Apparel",
    productType: "T-shirt",
    tags: ["dpp-pilot", "summer"],
    updatedAt: UPDATED,
    category: { fullName: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts" },
    media: [
      { id: "gid://shopify/MediaImage/71", mediaContentType: "IMAGE", alt: "Front", image: { url: "https://cdn.example.com/tee-front.jpg", altText: "Front" } },
      { id: "gid://shopify/Video/72", mediaContentType: "VIDEO" },
      { id: "gid://shopify/MediaImage/73", mediaContentType: "IMAGE", alt: "", image: { url: "https://cdn.example.com/tee-back.jpg", altText: null } },
    ],
    variants: [
      {
        id: "gid://shopify/ProductVariant/2002",
        position: 2,
        sku: "TEE-M",
        barcode: "",
        selectedOptions: [
          { name: "Size", value: "M" },
          { name: "Color", value: "Blue" },
        ],
        inventoryItem: { measurement: { weight: { unit: "KILOGRAMS", value: 0.25 } } },
      },
      {
        id: "gid://shopify/ProductVariant/2001",
        position: 1,
        sku: "TEE-S",
        barcode: "4006381333931",
        selectedOptions: [
          { name: "Size", value: "S" },
          { name: "Color", value: "Blue" },
        ],
        inventoryItem: { measurement: { weight: { unit: "OUNCES", value: 7 } } },
      },
    ],
  };
}

/** The same product as a products/update webhook delivers it (REST shape). */
function webhookTee(): ProductWebhookPayload {
  return {
    id: 1001,
    admin_graphql_api_id: "gid://shopify/Product/1001",
    title: "Organic Tee",
    status: "active",
    body_html: "<p>Soft <strong>organic</strong> cotton.</p>",
    vendor: "Acme Apparel",
    product_type: "T-shirt",
    handle: "organic-tee",
    updated_at: "2026-10-02T11:30:00+02:00",
    tags: "dpp-pilot, summer",
    category: { full_name: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts" },
    options: [
      { name: "Color", position: 2, values: ["Blue"] },
      { name: "Size", position: 1, values: ["S", "M"] },
    ],
    variants: [
      { id: 2001, position: 1, sku: "TEE-S", barcode: "4006381333931", option1: "S", option2: "Blue", option3: null, grams: 198, weight: 7, weight_unit: "oz" },
      { id: 2002, position: 2, sku: "TEE-M", barcode: null, option1: "M", option2: "Blue", option3: null, grams: 250, weight: 0.25, weight_unit: "kg" },
    ],
    images: [
      { src: "https://cdn.example.com/tee-back.jpg", alt: null, position: 2 },
      { src: "https://cdn.example.com/tee-front.jpg", alt: "Front", position: 1 },
    ],
    media: [
      { media_content_type: "IMAGE", alt: "Front", position: 1, preview_image: { src: "https://cdn.example.com/tee-front.jpg" } },
      { media_content_type: "VIDEO", alt: null, position: 2, preview_image: { src: "https://cdn.example.com/video-poster.jpg" } },
      { media_content_type: "IMAGE", alt: null, position: 3, preview_image: { src: "https://cdn.example.com/tee-back.jpg" } },
    ],
  };
}

const ctx = { primaryLocale: "en" };

describe("records from GraphQL nodes", () => {
  it("maps product fields, images in order, variants by position, grams", () => {
    const { record, warnings } = recordFromGraphql(graphqlTee(), ctx);
    expect(warnings).toEqual([]);
    expect(record.externalId).toBe("gid://shopify/Product/1001");
    expect(record.handle).toBe("organic-tee");
    expect(record.updatedAt).toEqual(new Date(UPDATED));
    expect(record.fields).toEqual({
      title: { en: "Organic Tee" },
      description: { en: "<p>Soft <strong>organic</strong> cotton.</p>" },
      images: [{ url: "https://cdn.example.com/tee-front.jpg", alt: "Front" }, { url: "https://cdn.example.com/tee-back.jpg" }],
      vendor: "Acme Apparel",
      productType: "T-shirt",
      category: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
      tags: ["dpp-pilot", "summer"],
      status: "active",
    });
    expect(record.variants.map((v) => v.externalId)).toEqual(["gid://shopify/ProductVariant/2001", "gid://shopify/ProductVariant/2002"]);
    expect(record.variants[0]).toMatchObject({
      position: 1,
      fields: { sku: "TEE-S", barcode: "4006381333931", options: [{ name: "Size", value: "S" }, { name: "Color", value: "Blue" }], weight: 198.45 },
    });
    // An empty barcode is no barcode.
    expect(record.variants[1].fields).toEqual({ sku: "TEE-M", options: [{ name: "Size", value: "M" }, { name: "Color", value: "Blue" }], weight: 250 });
  });

  it("leaves out what Shopify does not have, and drops the Default Title placeholder", () => {
    const node: GqlProductNode = {
      id: "gid://shopify/Product/5",
      handle: "gift-card",
      title: "Gift card",
      descriptionHtml: "",
      vendor: "",
      productType: "",
      tags: [],
      updatedAt: UPDATED,
      category: null,
      media: [],
      variants: [
        {
          id: "gid://shopify/ProductVariant/6",
          position: 1,
          sku: null,
          barcode: null,
          selectedOptions: [{ name: "Title", value: "Default Title" }],
          inventoryItem: { measurement: { weight: { unit: "GRAMS", value: 0 } } },
        },
      ],
    };
    const { record } = recordFromGraphql(node, { primaryLocale: "de" });
    expect(record.fields).toEqual({ title: { de: "Gift card" } });
    expect(record.variants[0].fields).toEqual({});
    // ... and lists it as empty, so that where Shopify owns the field the catalog's value is cleared.
    expect(record.emptyFields).toEqual(["description", "images", "vendor", "productType", "category", "tags"]);
    expect(record.variants[0].emptyFields).toEqual(["sku", "barcode", "weight"]);
  });

  it("passes an invalid barcode through as it is, so the engine fails that variant with the reason", () => {
    const node = graphqlTee();
    node.variants[1].barcode = " 4006381333932 ";
    const { record } = recordFromGraphql(node, ctx);
    const barcode = record.variants[0].fields.barcode!;
    expect(barcode).toBe("4006381333932");
    const parsed = parseFieldValue("barcode", barcode);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/check digit/);
  });
});

describe("values Shopify has empty", () => {
  it("a products/update with the barcode and the tags removed lists them as empty", () => {
    const payload = webhookTee();
    payload.tags = "";
    payload.variants![0].barcode = "";
    payload.variants![1].weight = 0;
    payload.variants![1].grams = 0;
    const { record } = recordFromWebhook(payload, ctx);
    expect(record.fields.tags).toBeUndefined();
    expect(record.emptyFields).toEqual(["tags"]);
    expect(record.variants[0].fields.barcode).toBeUndefined();
    expect(record.variants[0].emptyFields).toEqual(["barcode"]);
    expect(record.variants[1].emptyFields).toEqual(["barcode", "weight"]);
  });

  it("lists nothing the input does not carry, and leaves emptyFields out when nothing is empty", () => {
    const payload: ProductWebhookPayload = { id: 7, title: "Cap", handle: "cap", variants: [{ id: 8, sku: "CAP-1", barcode: "4006381333931", weight: 120, weight_unit: "g" }] };
    const { record } = recordFromWebhook(payload, ctx);
    expect(record).not.toHaveProperty("emptyFields");
    expect(record.variants[0]).not.toHaveProperty("emptyFields");
    // An emptied field changes the record's hash, so the engine merges the record again.
    const cleared = recordFromWebhook({ ...payload, variants: [{ ...payload.variants![0], barcode: "" }] }, ctx).record;
    expect(cleared.variants[0].fields).toEqual({ sku: "CAP-1", weight: 120 });
    expect(recordHash(cleared)).not.toBe(recordHash({ ...cleared, variants: [{ ...cleared.variants[0], emptyFields: undefined }] }));
  });

  it("lists the images as empty when the input carries media or images and has none, in either input", () => {
    // Every image removed in Shopify: GraphQL media (a video is no image), the webhook's media and images.
    const node = { ...graphqlTee(), media: [{ id: "gid://shopify/Video/72", mediaContentType: "VIDEO" }] };
    const fromGraphql = recordFromGraphql(node, ctx).record;
    expect(fromGraphql.fields.images).toBeUndefined();
    expect(fromGraphql.emptyFields).toEqual(["images"]);
    expect(recordFromGraphql({ ...graphqlTee(), media: [] }, ctx).record.emptyFields).toEqual(["images"]);
    const payload = { ...webhookTee(), images: [], media: [] };
    const fromWebhook = recordFromWebhook(payload, ctx).record;
    expect(fromWebhook.fields.images).toBeUndefined();
    expect(fromWebhook.emptyFields).toEqual(["images"]);
    expect(fromWebhook).toEqual(fromGraphql);
    expect(recordHash(fromWebhook)).toBe(recordHash(fromGraphql));
    // Either list alone carries the images.
    const { media: _media, ...imagesOnly } = payload;
    void _media;
    expect(recordFromWebhook(imagesOnly, ctx).record.emptyFields).toEqual(["images"]);
    const { images: _images, ...mediaOnly } = payload;
    void _images;
    expect(recordFromWebhook(mediaOnly, ctx).record.emptyFields).toEqual(["images"]);
  });

  it("says nothing about images the input does not carry, and keeps the hash of a product that has images", () => {
    const { media: _media, ...node } = graphqlTee();
    void _media;
    expect(recordFromGraphql(node, ctx).record).not.toHaveProperty("emptyFields");
    const { media: _m, images: _i, ...payload } = webhookTee();
    void _m;
    void _i;
    const { record } = recordFromWebhook(payload, ctx);
    expect(record).not.toHaveProperty("emptyFields");
    expect(record.fields.images).toBeUndefined();
    // A product with images: no emptyFields, so its hash is the one stored before empty images were listed.
    expect(recordFromWebhook(webhookTee(), ctx).record).not.toHaveProperty("emptyFields");
  });

  it("lists a mapped metafield the product does not have, but only when the input carries metafields", () => {
    const metafieldMap = parseShopifySettings(JSON.stringify({ metafieldMap: { materials: "dpp.materials", countryOfProduction: "custom.made_in" } })).settings.metafieldMap;
    const mctx = { primaryLocale: "en", metafieldMap };
    const node = graphqlTee();
    node.metafields = [{ namespace: "custom", key: "made_in", type: "single_line_text_field", value: "PT" }];
    expect(recordFromGraphql(node, mctx).record.emptyFields).toEqual(["materials"]);
    node.metafields.push({ namespace: "dpp", key: "materials", type: "json", value: "" });
    expect(recordFromGraphql(node, mctx).record.emptyFields).toEqual(["materials"]);
    // A webhook payload carries no metafields (none subscribed): it says nothing about them.
    expect(recordFromWebhook(webhookTee(), mctx).record).not.toHaveProperty("emptyFields");
  });
});

describe("records from webhook payloads", () => {
  it("gives the same record as the GraphQL node of the same product", () => {
    const fromGraphql = recordFromGraphql(graphqlTee(), ctx);
    const fromWebhook = recordFromWebhook(webhookTee(), ctx);
    expect(fromWebhook).toEqual(fromGraphql);
    expect(recordHash(fromWebhook.record)).toBe(recordHash(fromGraphql.record));
  });

  it("builds GIDs from numeric ids and falls back to images[] and grams", () => {
    const payload = webhookTee();
    delete payload.admin_graphql_api_id;
    delete payload.media;
    payload.variants = payload.variants!.map(({ weight_unit: _u, weight: _w, ...v }) => v);
    const { record } = recordFromWebhook(payload, ctx);
    expect(record.externalId).toBe("gid://shopify/Product/1001");
    expect(record.variants.map((v) => v.externalId)).toEqual(["gid://shopify/ProductVariant/2001", "gid://shopify/ProductVariant/2002"]);
    expect(record.fields.images).toEqual([{ url: "https://cdn.example.com/tee-front.jpg", alt: "Front" }, { url: "https://cdn.example.com/tee-back.jpg" }]);
    expect(record.variants.map((v) => v.fields.weight)).toEqual([198, 250]);
  });

  it("drops the placeholder option of a product without options", () => {
    const payload: ProductWebhookPayload = {
      id: 9,
      title: "Poster",
      handle: "poster",
      updated_at: UPDATED,
      tags: "",
      options: [{ name: "Title", position: 1, values: ["Default Title"] }],
      variants: [{ id: 10, position: 1, sku: "P-1", barcode: "", option1: "Default Title", option2: null, option3: null, grams: 0, weight: 0, weight_unit: "kg" }],
    };
    const { record } = recordFromWebhook(payload, ctx);
    expect(record.variants[0].fields).toEqual({ sku: "P-1" });
    expect(record.fields).toEqual({ title: { en: "Poster" } });
  });
});

describe("product status", () => {
  it.each([
    ["ACTIVE", "active", "active"],
    ["DRAFT", "draft", "draft"],
    ["ARCHIVED", "archived", "archived"],
    ["UNLISTED", "unlisted", "unlisted"],
  ])("Shopify's %s (webhook: %s) is the catalog's status %s, a value the field takes", (graphql, rest, status) => {
    const fromGraphql = recordFromGraphql({ ...graphqlTee(), status: graphql }, ctx).record;
    const fromWebhook = recordFromWebhook({ ...webhookTee(), status: rest }, ctx).record;
    expect(fromGraphql.fields.status).toBe(status);
    expect(fromWebhook).toEqual(fromGraphql);
    expect(parseFieldValue("status", status)).toEqual({ ok: true, value: status });
  });

  it("leaves the status out when Shopify sends none, or one this app does not know", () => {
    for (const status of [undefined, null, "", "SCHEDULED"]) {
      expect(recordFromGraphql({ ...graphqlTee(), status }, ctx).record.fields).not.toHaveProperty("status");
      expect(recordFromWebhook({ ...webhookTee(), status }, ctx).record.fields).not.toHaveProperty("status");
    }
  });
});

describe("unit conversion", () => {
  it.each([
    [250, "GRAMS", 250],
    [1.5, "KILOGRAMS", 1500],
    [1, "OUNCES", 28.35],
    [1, "POUNDS", 453.59],
    [2.2, "lb", 997.9],
    [12, "oz", 340.19],
    [0.4, "kg", 400],
    [80, "g", 80],
  ])("%s %s = %s g", (value, unit, grams) => {
    expect(weightInGrams(value, unit)).toBe(grams);
  });

  it("treats 0, negative, missing or unknown units as no weight", () => {
    expect(weightInGrams(0, "KILOGRAMS")).toBeNull();
    expect(weightInGrams(-1, "GRAMS")).toBeNull();
    expect(weightInGrams(null, "GRAMS")).toBeNull();
    expect(weightInGrams(5, "STONES")).toBeNull();
  });
});

describe("metafield mapping", () => {
  const { settings } = parseShopifySettings(
    JSON.stringify({
      metafieldMap: {
        materials: "dpp.materials",
        countryOfProduction: "custom.made_in",
        careInstructions: "custom.care",
        carbonFootprint: "dpp.co2",
        waterUse: "dpp.water",
        certifications: "dpp.certs",
        manufacturer: "custom.maker",
        weight: "dpp.net_weight",
      },
    }),
  );
  const mctx = { primaryLocale: "en", metafieldMap: settings.metafieldMap };

  it("converts metafields to the field kinds, on products and variants", () => {
    const node = graphqlTee();
    node.metafields = [
      { namespace: "dpp", key: "materials", type: "json", value: JSON.stringify([{ material: "Cotton", massPercent: 95, originCountry: "IN" }, { material: "Elastane", massPercent: 5 }]) },
      { namespace: "custom", key: "made_in", type: "single_line_text_field", value: "pt" },
      { namespace: "custom", key: "care", type: "rich_text_field", value: JSON.stringify({ type: "root", children: [{ type: "paragraph", children: [{ type: "text", value: "Wash at 30 °C." }] }] }) },
      { namespace: "dpp", key: "co2", type: "number_decimal", value: "4,2" },
      { namespace: "dpp", key: "water", type: "volume", value: JSON.stringify({ value: 2.7, unit: "m3" }) },
      { namespace: "custom", key: "maker", type: "single_line_text_field", value: "Fábrica Têxtil Lda" },
      { namespace: "custom", key: "unrelated", type: "single_line_text_field", value: "ignored" },
    ];
    node.variants[1].metafields = [
      { namespace: "custom", key: "made_in", type: "single_line_text_field", value: "ES" },
      { namespace: "dpp", key: "net_weight", type: "weight", value: JSON.stringify({ value: 0.19, unit: "kg" }) },
    ];
    const { record, warnings } = recordFromGraphql(node, mctx);
    expect(warnings).toEqual([]);
    expect(record.fields).toMatchObject({
      materials: [{ material: "Cotton", massPercent: 95, originCountry: "IN" }, { material: "Elastane", massPercent: 5 }],
      countryOfProduction: "PT",
      careInstructions: { en: "Wash at 30 °C." },
      carbonFootprint: 4.2,
      waterUse: 2700,
      manufacturer: "Fábrica Têxtil Lda",
    });
    // A variant override of a product field, and the weight from a metafield replacing Shopify's.
    expect(record.variants[0].fields).toMatchObject({ countryOfProduction: "ES", weight: 190 });
    expect(record.variants[1].fields.countryOfProduction).toBeUndefined();
  });

  it("leaves out a value that does not fit its field, with a warning, and keeps the record", () => {
    const node = graphqlTee();
    node.metafields = [
      { namespace: "custom", key: "made_in", type: "single_line_text_field", value: "Portugal" },
      { namespace: "dpp", key: "materials", type: "json", value: "[{\"material\":\"Cotton\",\"massPercent\":60}]" },
      { namespace: "dpp", key: "co2", type: "single_line_text_field", value: "about four" },
      { namespace: "dpp", key: "certs", type: "json", value: "{not json" },
    ];
    const { record, warnings } = recordFromGraphql(node, mctx);
    expect(record.fields.title).toEqual({ en: "Organic Tee" });
    expect(record.fields.countryOfProduction).toBeUndefined();
    expect(record.fields.materials).toBeUndefined();
    expect(record.fields.carbonFootprint).toBeUndefined();
    expect(record.fields.certifications).toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/Materials.*100%.*dpp\.materials.*left out/),
      expect.stringMatching(/Country of production.*ISO 3166.*custom\.made_in/),
      expect.stringMatching(/Carbon footprint: metafield dpp\.co2 "about four" is not a number/),
      expect.stringMatching(/Certifications: metafield dpp\.certs is not valid JSON/),
    ]);
    expect(warnings.every((w) => w.externalId === "gid://shopify/Product/1001")).toBe(true);
  });

  it("reads metafields from a webhook payload the same way", () => {
    const node = graphqlTee();
    node.metafields = [{ namespace: "custom", key: "made_in", type: "single_line_text_field", value: "PT" }];
    const payload = webhookTee();
    payload.metafields = [{ namespace: "custom", key: "made_in", type: "single_line_text_field", value: "PT" }];
    expect(recordFromWebhook(payload, mctx)).toEqual(recordFromGraphql(node, mctx));
  });

  it("ignores mappings that make no sense, with warnings", () => {
    const { settings: s, warnings } = parseShopifySettings(JSON.stringify({ metafieldMap: { nonsense: "a.b", title: "a.b", vendor: "no-dot" }, subset: { first: "x" } }));
    expect(s.metafieldMap).toEqual({});
    expect(warnings).toHaveLength(4);
  });

  it("stores values as the catalog encodes them (localized per locale)", () => {
    expect(encodeFieldValue("title", { en: "Organic Tee" })).toEqual([["en", '"Organic Tee"']]);
  });
});
