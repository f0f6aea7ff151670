// Passports through their public routes: stable ids, versions, publication, 404s, GS1 Digital Link,
// UNTP JSON-LD validated against the standard's schema, QR codes decoded, the label zip.
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import yauzl from "yauzl";
import { beforeAll, describe, expect, it } from "vitest";
import { listProducts, setPassportHeld } from "../app/catalog/catalog.server";
import { forShop } from "../app/db/scoped.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import { passportVersions, writeQrZip } from "../app/passports/listing.server";
import { digitalLinkResponse, passportResponse, qrResponse } from "../app/passports/public-responses.server";
import { validateUntpCredential } from "../app/passports/untp";
import { executeSync } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { OTHER_SHOP, TEST_SHOP } from "./support/constants";

const db = forShop(TEST_SHOP);
let shopifyId: string;
const BASE = process.env.SHOPIFY_APP_URL!;

function shirt(title = "Linen Shirt", variants: { id: string; sku: string; barcode?: string; size: string }[] = SHIRT_VARIANTS): SourceRecord {
  return {
    externalId: "gid://shopify/Product/1",
    handle: "linen-shirt",
    fields: { title: { en: title }, vendor: "Nordkap", images: [{ url: "https://cdn.example.com/shirt.jpg", alt: "Linen shirt" }] },
    variants: variants.map((v, i) => ({
      externalId: v.id,
      position: i + 1,
      fields: { sku: v.sku, ...(v.barcode ? { barcode: v.barcode } : {}), options: [{ name: "Size", value: v.size }] },
    })),
  };
}
const SHIRT_VARIANTS = [
  { id: "gid://shopify/ProductVariant/11", sku: "LS-S", barcode: "4006381333931", size: "S" },
  { id: "gid://shopify/ProductVariant/12", sku: "LS-M", size: "M" },
];

async function sync(records: SourceRecord[]) {
  return executeSync({ shop: TEST_SHOP, integrationId: shopifyId, trigger: "manual", source: async () => ({ scope: "full", records }) });
}

async function passportOf(sku: string) {
  const variant = await db.variant.findFirstOrThrow({ where: { sku } });
  return db.passport.findUniqueOrThrow({ where: { variantId: variant.id } });
}

const get = (pathName: string, headers: Record<string, string> = {}) => new Request(`${BASE}${pathName}`, { headers });

beforeAll(async () => {
  shopifyId = (await connectIntegration(db, "shopify")).integration.id;
  await db.shop.create({ data: { shop: TEST_SHOP, name: "Nordkap Apparel", primaryLocale: "en" } });
  await sync([shirt()]);
  await db.fieldOwnership.create({ data: { shop: TEST_SHOP, field: "materials", integrationId: shopifyId } });
});

describe("versions and ids", () => {
  it("gives every variant a passport with a random, URL-safe public id", async () => {
    const a = await passportOf("LS-S");
    const b = await passportOf("LS-M");
    expect(a.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.publicId).not.toBe(b.publicId);
    expect(a.currentVersion).toBe(1);
  });

  it("makes a new version when shown data changes, none when it does not", async () => {
    await sync([shirt()]);
    expect((await passportOf("LS-S")).currentVersion).toBe(1);
    await sync([shirt("Linen Shirt Classic")]);
    const after = await passportOf("LS-S");
    expect(after.currentVersion).toBe(2);
    const v2 = await db.passportVersion.findFirstOrThrow({ where: { passportId: after.id, version: 2 } });
    expect(JSON.parse(v2.changes)).toEqual([{ key: "title", label: "Title" }]);
    // Version 1 is kept unchanged.
    const v1 = await db.passportVersion.findFirstOrThrow({ where: { passportId: after.id, version: 1 } });
    expect(JSON.parse(v1.content).title).toEqual({ en: "Linen Shirt" });
    // Each version's stored JSON checks against its content hash, and the passport's hash is its current version's.
    for (const v of [v1, v2]) expect(createHash("sha256").update(v.content).digest("hex")).toBe(v.contentHash);
    expect(after.contentHash).toBe(v2.contentHash);
    // The history in the admin: the first version lists every key it brought, the second the title.
    const history = await passportVersions(db, after.publicId);
    expect(history?.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(history?.versions[0].changes).toEqual([{ key: "title", label: "Title" }]);
    expect(history?.versions[1].changes.map((c) => c.key)).toEqual(expect.arrayContaining(["title", "brand", "gtin", "options"]));
  });

  it("keeps the public id when the variant is regrouped under another product", async () => {
    const before = await passportOf("LS-M");
    await sync([
      shirt("Linen Shirt Classic", [SHIRT_VARIANTS[0]]),
      {
        externalId: "gid://shopify/Product/2",
        handle: "linen-shirt-m",
        fields: { title: { en: "Linen Shirt (M)" } },
        variants: [{ externalId: SHIRT_VARIANTS[1].id, fields: { sku: "LS-M", options: [{ name: "Size", value: "M" }] } }],
      },
    ]);
    const after = await passportOf("LS-M");
    expect(after.publicId).toBe(before.publicId);
    expect(after.currentVersion).toBe(before.currentVersion + 1);
    await sync([shirt("Linen Shirt Classic")]);
  });
});

describe("public page", () => {
  it("serves the passport as HTML with caching headers, and 304 for a known ETag", async () => {
    const p = await passportOf("LS-S");
    const response = await passportResponse(get(`/p/${p.publicId}`), p.publicId);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(response.headers.get("Cache-Control")).toMatch(/public, max-age=/);
    const etag = response.headers.get("ETag")!;
    const html = await response.text();
    expect(html).toContain("Linen Shirt Classic");
    expect(html).toContain("Nordkap");
    expect(html).not.toContain("LS-S"); // SKU is admin data
    const again = await passportResponse(get(`/p/${p.publicId}`, { "If-None-Match": etag }), p.publicId);
    expect(again.status).toBe(304);
  });

  it("changes the ETag with a new version", async () => {
    const p = await passportOf("LS-S");
    const before = (await passportResponse(get(`/p/${p.publicId}`), p.publicId)).headers.get("ETag");
    await sync([shirt("Linen Shirt Classic II")]);
    const after = (await passportResponse(get(`/p/${p.publicId}`), p.publicId)).headers.get("ETag");
    expect(after).not.toBe(before);
  });

  it("answers an unknown id with a proper 404 page", async () => {
    const response = await passportResponse(get("/p/doesNotExist123456789"), "doesNotExist123456789");
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/<html[\s\S]*not found/i);
  });

  it("does not publish passports of a product the merchant holds back", async () => {
    const p = await passportOf("LS-S");
    const variant = await db.variant.findFirstOrThrow({ where: { sku: "LS-S" } });
    await setPassportHeld(db, variant.productId, true);
    expect((await passportResponse(get(`/p/${p.publicId}`), p.publicId)).status).toBe(404);
    await setPassportHeld(db, variant.productId, false);
    expect((await passportResponse(get(`/p/${p.publicId}`), p.publicId)).status).toBe(200);
  });

  it("never shows another shop's data under a passport id", async () => {
    const other = forShop(OTHER_SHOP);
    const otherShopify = (await connectIntegration(other, "shopify")).integration.id;
    await executeSync({
      shop: OTHER_SHOP,
      integrationId: otherShopify,
      trigger: "manual",
      source: async () => ({ scope: "full", records: [{ ...shirt("Secret Other Brand Shirt"), variants: [{ externalId: "x", fields: { sku: "OTHER-1" } }] }] }),
    });
    const p = await passportOf("LS-S");
    const html = await (await passportResponse(get(`/p/${p.publicId}`), p.publicId)).text();
    expect(html).not.toContain("Secret Other Brand");
  });
});

describe("JSON-LD", () => {
  it("serves a UNTP DPP 0.6.1 credential that validates against the schema, by Accept or .jsonld", async () => {
    const p = await passportOf("LS-S");
    for (const response of [
      await passportResponse(get(`/p/${p.publicId}`, { Accept: "application/ld+json" }), p.publicId),
      await passportResponse(get(`/p/${p.publicId}.jsonld`), `${p.publicId}.jsonld`),
    ]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toMatch(/application\/ld\+json/);
      const credential = (await response.json()) as { type: string[]; credentialSubject: { product: { id: string } } };
      const result = validateUntpCredential(credential);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      expect(credential.type).toEqual(expect.arrayContaining(["DigitalProductPassport", "VerifiableCredential"]));
    }
  });

  it("validates for a passport without GTIN too", async () => {
    const p = await passportOf("LS-M");
    const credential = await (await passportResponse(get(`/p/${p.publicId}.jsonld`), `${p.publicId}.jsonld`)).json();
    expect(validateUntpCredential(credential).valid).toBe(true);
  });
});

describe("GS1 Digital Link", () => {
  it("resolves a GTIN in any length to the variant's passport", async () => {
    const p = await passportOf("LS-S");
    for (const gtin of ["4006381333931", "04006381333931"]) {
      const response = await digitalLinkResponse(get(`/01/${gtin}`));
      expect(response.status).toBe(307);
      expect(response.headers.get("Location")).toBe(`${BASE}/p/${p.publicId}`);
    }
    expect((await digitalLinkResponse(get("/01/04006381333931/21/ABC123"))).status).toBe(307);
  });

  it("explains a wrong check digit with 400 and answers an unknown GTIN with 404", async () => {
    const bad = await digitalLinkResponse(get("/01/4006381333932"));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/check digit/);
    expect((await digitalLinkResponse(get("/01/5901234123457"))).status).toBe(404);
    expect((await digitalLinkResponse(get("/01/12345"))).status).toBe(400);
  });

  it("keeps opening a passport with the GTIN its variant had before, for labels printed then, until a variant has it", async () => {
    const p = await passportOf("LS-S");
    const withBarcode = (barcode: string, m?: string) => shirt("Linen Shirt", [{ ...SHIRT_VARIANTS[0], barcode }, { ...SHIRT_VARIANTS[1], ...(m ? { barcode: m } : {}) }]);
    const opens = async (pathName: string) => {
      const response = await digitalLinkResponse(get(pathName));
      return response.status === 307 ? response.headers.get("Location") : response.status;
    };
    try {
      await sync([withBarcode("4006381333948")]);
      expect((await passportOf("LS-S")).gtin).toBe("04006381333948");
      for (const pathName of ["/01/04006381333931", "/01/4006381333931", "/s/passport-test/01/04006381333931", "/01/04006381333948"]) {
        expect(await opens(pathName)).toBe(`${BASE}/p/${p.publicId}`);
      }
      // Held back, it is not published under its old GTIN either.
      await setPassportHeld(db, (await db.variant.findFirstOrThrow({ where: { sku: "LS-S" } })).productId, true);
      expect(await opens("/01/04006381333931")).toBe(404);
      await setPassportHeld(db, (await db.variant.findFirstOrThrow({ where: { sku: "LS-S" } })).productId, false);
      // Once another variant has the GTIN, the GTIN is that variant's.
      await sync([withBarcode("4006381333948", "4006381333931")]);
      expect(await opens("/01/04006381333931")).toBe(`${BASE}/p/${(await passportOf("LS-M")).publicId}`);
    } finally {
      const restored = shirt();
      restored.variants[1].emptyFields = ["barcode"]; // (a record without a field leaves its value)
      await sync([restored]);
    }
    expect(await opens("/01/04006381333931")).toBe(`${BASE}/p/${p.publicId}`);
  });
});

describe("QR codes", () => {
  it("encodes the shop's GS1 Digital Link in a PNG that a QR reader decodes", async () => {
    const p = await passportOf("LS-S");
    const response = await qrResponse(get(`/p/${p.publicId}/qr.png?size=300`), p.publicId, "png");
    expect(response.headers.get("Content-Type")).toBe("image/png");
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`${BASE}/s/passport-test/01/04006381333931`);
  });

  it("encodes the passport URL when the variant has no GTIN, as SVG too", async () => {
    const p = await passportOf("LS-M");
    const png = PNG.sync.read(Buffer.from(await (await qrResponse(get(`/p/${p.publicId}/qr.png`), p.publicId, "png")).arrayBuffer()));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(`${BASE}/p/${p.publicId}`);
    const svg = await qrResponse(get(`/p/${p.publicId}/qr.svg`), p.publicId, "svg");
    expect(svg.headers.get("Content-Type")).toMatch(/image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<\?xml|^<svg/);
  });

  it("exports a zip of SVG and PNG codes with a labels CSV", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "qr-")), "codes.zip");
    const { passports } = await writeQrZip(db, createWriteStream(file));
    expect(passports).toBe(2);
    const entries = await new Promise<Map<string, Buffer>>((resolve, reject) => {
      const found = new Map<string, Buffer>();
      yauzl.open(file, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        zip.on("entry", (entry: yauzl.Entry) => {
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(e);
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => {
              found.set(entry.fileName, Buffer.concat(chunks));
              zip.readEntry();
            });
          });
        });
        zip.on("end", () => resolve(found));
        zip.readEntry();
      });
    });
    const names = [...entries.keys()];
    expect(names.filter((n) => n.endsWith(".svg"))).toHaveLength(2);
    expect(names.filter((n) => n.endsWith(".png"))).toHaveLength(2);
    const csv = entries.get("labels.csv")!.toString("utf8");
    expect(csv).toContain("GTIN");
    expect(csv).toContain("04006381333931");
    const pngName = names.find((n) => n.endsWith(".png") && csv.includes(n) && n.includes("S"))!;
    const png = PNG.sync.read(entries.get(pngName)!);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toMatch(new RegExp(`^${BASE}/`));
    expect(readFileSync(file).subarray(0, 2).toString()).toBe("PK");
  });
});

describe("product completeness", () => {
  const productScore = async () => (await db.product.findFirstOrThrow({ where: { handle: "linen-shirt" } })).completeness;
  const passportScores = async () => [(await passportOf("LS-S")).completeness, (await passportOf("LS-M")).completeness];

  it("is the lowest score of the product's passports, and the missing-data filter lists it", async () => {
    const [small, medium] = await passportScores();
    expect(small).toBeGreaterThan(medium); // only the small one has a barcode
    expect(await productScore()).toBe(medium);
    const missing = await listProducts(db, { filter: "missing" });
    expect(missing.items.map((p) => p.handle)).toContain("linen-shirt");
  });

  it("follows a variant that gains data", async () => {
    const before = await productScore();
    await sync([shirt("Linen Shirt Classic", [SHIRT_VARIANTS[0], { ...SHIRT_VARIANTS[1], barcode: "4006381333948" }])]);
    const [small, medium] = await passportScores();
    expect(medium).toBe(small);
    expect(await productScore()).toBe(Math.min(small, medium));
    expect(await productScore()).toBeGreaterThan(before);
  });
});
