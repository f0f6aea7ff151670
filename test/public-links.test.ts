// The public URLs of passports as a reader meets them: requests go through the app's own route
// files (matched the way Remix matches them) to their loaders. Shops' own GS1 Digital Links, the
// bare /01/ form, qualifiers, localized errors, ETags, the did:web of a shop, the label CSV.
import { fileURLToPath } from "node:url";
import { createWriteStream, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { flatRoutes } from "@remix-run/dev/dist/config/flat-routes.js";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import yauzl from "yauzl";
import { beforeAll, describe, expect, it } from "vitest";
import { setPassportHeld } from "../app/catalog/catalog.server";
import { forShop } from "../app/db/scoped.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import type { AdminGraphqlClient } from "../app/integrations/shopify/admin-client.server";
import { ShopifyGraphqlClient } from "../app/integrations/shopify/graphql-client.server";
import { publishPassportMetafields } from "../app/integrations/shopify/writeback.server";
import { csvCell, passportList, writeQrZip } from "../app/passports/listing.server";
import { etagFor, passportUrls } from "../app/passports/public.server";
import { validateUntpCredential } from "../app/passports/untp";
import { executeSync } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { OTHER_SHOP, TEST_SHOP } from "./support/constants";

const BASE = process.env.SHOPIFY_APP_URL!;
const GTIN = "04006381333931";
const A = TEST_SHOP; // handle passport-test
const B = OTHER_SHOP; // handle other-brand

// ---------------------------------------------------------------------------------------------
// Requests through the route files

const appDir = fileURLToPath(new URL("../app", import.meta.url));
const manifest = flatRoutes(appDir, ["**/.*", "**/*.test.ts", "**/*.test.tsx"], "routes");
function routeTree(parentId: string): AgnosticRouteObject[] {
  return Object.values(manifest)
    .filter((r) => (r.parentId ?? "root") === parentId)
    .map((r) => ({ id: r.id, path: r.path, index: r.index, children: routeTree(r.id) }) as AgnosticRouteObject);
}
const routes = routeTree("root");

/** GET a public URL as the app answers it: Remix's route matching, then the route's loader. */
async function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = new URL(pathAndQuery, BASE);
  const leaf = matchRoutes(routes, url.pathname)?.at(-1);
  if (!leaf) return new Response("no route", { status: 404 });
  const module = (await import(path.join(appDir, manifest[leaf.route.id!].file))) as {
    loader: (args: { request: Request; params: Record<string, string | undefined>; context: Record<string, unknown> }) => Promise<Response>;
  };
  return module.loader({ request: new Request(url, { headers }), params: leaf.params, context: {} });
}

const locationPath = (response: Response) => new URL(response.headers.get("Location")!).pathname;

// ---------------------------------------------------------------------------------------------
// Catalogs

function shirt(title: string, variants: { sku: string; barcode?: string }[]): SourceRecord {
  return {
    externalId: "gid://shopify/Product/1",
    handle: "linen-shirt",
    fields: { title: { en: title, de: `${title} (DE)` }, vendor: "Nordkap" },
    variants: variants.map((v, i) => ({
      externalId: `gid://shopify/ProductVariant/${i + 1}`,
      position: i + 1,
      fields: { sku: v.sku, ...(v.barcode ? { barcode: v.barcode } : {}) },
    })),
  };
}

async function sync(shop: string, records: SourceRecord[]) {
  const shopDb = forShop(shop);
  const existing = await shopDb.integration.findFirst({ where: { kind: "shopify" } });
  const integrationId = existing?.id ?? (await connectIntegration(shopDb, "shopify")).integration.id;
  return executeSync({ shop, integrationId, trigger: "manual", source: async () => ({ scope: "full", records }) });
}

async function passportOf(shop: string, sku: string) {
  const shopDb = forShop(shop);
  const variant = await shopDb.variant.findFirstOrThrow({ where: { sku } });
  return { variant, passport: await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } }) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await forShop(A).shop.create({ data: { shop: A, name: "Nordkap Apparel", primaryLocale: "en" } });
  await forShop(B).shop.create({ data: { shop: B, name: "Copycat Ltd", primaryLocale: "en" } });
  await sync(A, [shirt("A Linen Shirt", [{ sku: "A-1", barcode: GTIN }, { sku: "A-2" }])]);
  await pause(20);
  // Shop B carries the same barcode, and one of its own.
  await sync(B, [shirt("B Copycat Shirt", [{ sku: "B-1", barcode: GTIN }, { sku: "B-2", barcode: "5901234123457" }])]);
});

// ---------------------------------------------------------------------------------------------

describe("a shop's GS1 Digital Link", () => {
  it("is qualified by the shop in the QR code, the JSON-LD, the lists and the label zip", async () => {
    const { passport } = await passportOf(A, "A-1");
    const shopLink = `${BASE}/s/passport-test/01/${GTIN}`;
    const svg = await (await get(`/p/${passport.publicId}/qr.svg`)).text();
    expect(svg).toContain(`<title>${shopLink}</title>`);
    const credential = await (await get(`/p/${passport.publicId}.jsonld`)).json();
    expect(credential.credentialSubject.product.id).toBe(shopLink);
    const listed = [];
    for await (const item of passportList(forShop(A))) listed.push(item);
    expect(listed.find((p) => p.publicId === passport.publicId)?.digitalLinkUrl).toBe(shopLink);
    expect(listed.find((p) => p.sku === "A-2")?.digitalLinkUrl).toBeNull();
  });

  it("keeps opening the shop's own passport after another shop adds the same barcode", async () => {
    const a = await passportOf(A, "A-1");
    const b = await passportOf(B, "B-1");
    const fromA = await get(`/s/passport-test/01/${GTIN}`);
    expect(fromA.status).toBe(307);
    expect(locationPath(fromA)).toBe(`/p/${a.passport.publicId}`);
    expect(fromA.headers.get("Link")).toBe(`<${BASE}/s/passport-test/01/${GTIN}>; rel="canonical"`);
    expect(locationPath(await get(`/s/other-brand/01/${GTIN}`))).toBe(`/p/${b.passport.publicId}`);
    // GTIN-13 in the path works as well; a shop that does not carry the GTIN answers 404.
    expect(locationPath(await get(`/s/passport-test/01/${GTIN.slice(1)}`))).toBe(`/p/${a.passport.publicId}`);
    expect((await get("/s/passport-test/01/5901234123457")).status).toBe(404);
    expect((await get(`/s/no-such-shop/01/${GTIN}`)).status).toBe(404);
  });

  it("bare /01/<gtin>: resolves in the only shop carrying the GTIN, else in the one that carried it first, whatever changes later", async () => {
    const a = await passportOf(A, "A-1");
    const b2 = await passportOf(B, "B-2");
    expect(locationPath(await get("/01/5901234123457"))).toBe(`/p/${b2.passport.publicId}`);
    expect(locationPath(await get(`/01/${GTIN}`))).toBe(`/p/${a.passport.publicId}`);
    // Shop B updates its passport (it is now the most recently updated): the link stays with A.
    await sync(B, [shirt("B Copycat Shirt v2", [{ sku: "B-1", barcode: GTIN }, { sku: "B-2", barcode: "5901234123457" }])]);
    expect(locationPath(await get(`/01/${GTIN}`))).toBe(`/p/${a.passport.publicId}`);
    // Shop A holds its product back: the link answers 404 rather than showing another brand.
    await setPassportHeld(forShop(A), a.variant.productId, true);
    expect((await get(`/01/${GTIN}`)).status).toBe(404);
    expect((await get(`/s/passport-test/01/${GTIN}`)).status).toBe(404);
    await setPassportHeld(forShop(A), a.variant.productId, false);
    expect(locationPath(await get(`/01/${GTIN}`))).toBe(`/p/${a.passport.publicId}`);
  });

  it("is written again to the shop's metafields where the old form was published", async () => {
    const { variant, passport } = await passportOf(A, "A-1");
    const gid = "gid://shopify/ProductVariant/1";
    await forShop(A).passport.update({
      where: { id: passport.id },
      data: { publishedUrls: JSON.stringify({ [`${gid}|passport_url`]: `${BASE}/p/${passport.publicId}`, [`${gid}|digital_link_url`]: `${BASE}/01/${GTIN}` }) },
    });
    const calls: { metafields: { key: string; value: string }[] }[] = [];
    const admin: AdminGraphqlClient = {
      async graphql(_query, options) {
        calls.push(options?.variables as { metafields: { key: string; value: string }[] });
        return Response.json({ data: { metafieldsSet: { metafields: [], userErrors: [] } } });
      },
    };
    const urls = passportUrls(A, passport.publicId, passport.gtin);
    const result = await publishPassportMetafields(forShop(A), new ShopifyGraphqlClient(admin, { sleep: async () => undefined }), [
      { variantId: variant.id, passportUrl: urls.url, digitalLinkUrl: urls.digitalLinkUrl },
    ]);
    expect(result.failed).toEqual([]);
    expect(calls.flatMap((c) => c.metafields).filter((m) => m.key === "digital_link_url")).toEqual([
      expect.objectContaining({ key: "digital_link_url", value: `${BASE}/s/passport-test/01/${GTIN}` }),
    ]);
  });
});

describe("GS1 Digital Link qualifiers", () => {
  it("resolves /22/, /10/ and /21/ in GS1's order to the variant's passport, with and without the shop", async () => {
    const { passport } = await passportOf(A, "A-1");
    for (const qualifiers of ["/10/LOT1", "/10/LOT1/21/S1", "/22/V1/10/LOT1/21/S1", "/21/S1", "/22/V1"]) {
      for (const prefix of ["", "/s/passport-test"]) {
        const response = await get(`${prefix}/01/${GTIN}${qualifiers}`);
        expect(response.status, `${prefix}/01/${GTIN}${qualifiers}`).toBe(307);
        expect(locationPath(response)).toBe(`/p/${passport.publicId}`);
      }
    }
    const withSlash = await get(`/s/passport-test/01/${GTIN.slice(1)}/10/LOT%201/21/A%2FB`);
    expect(withSlash.headers.get("Link")).toBe(`<${BASE}/s/passport-test/01/${GTIN}/10/LOT%201/21/A%2FB>; rel="canonical"`);
  });

  it("explains a wrong order, an unknown key or a missing value with 400", async () => {
    const cases: [string, RegExp][] = [
      [`/01/${GTIN}/21/S1/10/LOT1`, /\/10\/ must come before \/21\//],
      [`/01/${GTIN}/10/LOT1/22/V1`, /\/22\/ must come before \/10\//],
      [`/s/passport-test/01/${GTIN}/99/X`, /“99” is not a key/],
      [`/01/${GTIN}/10`, /\/10\/ needs a value/],
      [`/01/${GTIN}/10/A/10/B`, /\/10\/ may appear only once/],
    ];
    for (const [url, explanation] of cases) {
      const response = await get(url);
      expect(response.status, url).toBe(400);
      const html = await response.text();
      expect(html, url).toMatch(explanation);
      expect(html).toContain("/22/ (variant), /10/ (batch or lot) and /21/ (serial number)");
    }
  });
});

describe("Digital Links read by a verifier in a browser", () => {
  it("allows any origin on the redirect, exposing its Link, and on the resolver's errors", async () => {
    for (const url of [`/s/passport-test/01/${GTIN}`, `/01/${GTIN}/10/LOT1`]) {
      const response = await get(url, { Origin: "https://verifier.example", Accept: "application/ld+json" });
      expect(response.status, url).toBe(307);
      expect(response.headers.get("Access-Control-Allow-Origin"), url).toBe("*");
      expect(response.headers.get("Access-Control-Expose-Headers"), url).toBe("Link");
    }
    for (const [url, status] of [["/01/4006381333932", 400], ["/s/passport-test/01/5901234123457", 404], [`/s/no-such-shop/01/${GTIN}`, 404]] as const) {
      const response = await get(url, { Origin: "https://verifier.example" });
      expect(response.status, url).toBe(status);
      expect(response.headers.get("Access-Control-Allow-Origin"), url).toBe("*");
    }
  });
});

describe("Digital Link errors in the reader's language", () => {
  it("answers a bad GTIN in the language of ?lang or Accept-Language, like the 404 page", async () => {
    const german = await get("/01/4006381333932?lang=de");
    expect(german.status).toBe(400);
    expect(german.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(german.headers.get("Vary")).toMatch(/Accept-Language/);
    const html = await german.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain("falsche Prüfziffer: Die letzte Ziffer müsste 1 sein");
    expect(await (await get("/01/12345", { "Accept-Language": "fr-CH, fr;q=0.9" })).text()).toContain("« 12345 » compte 5 chiffres");
    expect(await (await get(`/01/${GTIN}/21/S/10/L`, { "Accept-Language": "it" })).text()).toContain("/10/ deve precedere /21/");
    expect(await (await get("/01/4006381333932")).text()).toMatch(/wrong check digit: the last digit should be 1/);
  });
});

describe("ETags and caching", () => {
  const safeEtag = /^"[A-Za-z0-9_-]+"$/;

  it("never puts a raw ?lang= in a header: odd values are ignored, not a 500", async () => {
    const { passport } = await passportOf(A, "A-1");
    const plain = (await get(`/p/${passport.publicId}`)).headers.get("ETag");
    for (const lang of ["%E4%B8%AD", "de%0Ax", "de%22", "%22%2C%20W%2F%22x"]) {
      for (const suffix of ["", ".jsonld"]) {
        const response = await get(`/p/${passport.publicId}${suffix}?lang=${lang}`);
        expect(response.status, lang).toBe(200);
        expect(response.headers.get("ETag"), lang).toMatch(safeEtag);
      }
      expect((await get(`/p/${passport.publicId}?lang=${lang}`)).headers.get("ETag")).toBe(plain);
    }
  });

  it("is keyed on the language rendered: same page, same ETag; another language, another ETag", async () => {
    const { passport } = await passportOf(A, "A-1");
    const etag = async (query: string, headers: Record<string, string> = {}) => (await get(`/p/${passport.publicId}${query}`, headers)).headers.get("ETag");
    // Japanese has neither labels nor texts here: the English page, as without a language.
    expect(await etag("?lang=ja")).toBe(await etag(""));
    expect(await etag("", { "Accept-Language": "en-GB,en;q=0.9" })).toBe(await etag(""));
    expect(await etag("?lang=de")).not.toBe(await etag(""));
    expect(await etag("?lang=de")).toBe(await etag("", { "Accept-Language": "de" }));
    const german = await get(`/p/${passport.publicId}`, { "Accept-Language": "de" });
    expect(await german.text()).toContain("A Linen Shirt (DE)");
    const again = await get(`/p/${passport.publicId}?lang=de`, { "If-None-Match": german.headers.get("ETag")! });
    expect(again.status).toBe(304);
  });

  it("changes with what a version does not hold: the shop and its name (the credential's issuer)", async () => {
    const published = { contentHash: "abc", version: 3, shop: A, shopName: "Nordkap Apparel" };
    expect(etagFor(published, "jsonld")).toBe(etagFor({ ...published }, "jsonld"));
    expect(etagFor({ ...published, shopName: "Nordkap GmbH" }, "jsonld")).not.toBe(etagFor(published, "jsonld"));
    expect(etagFor({ ...published, shop: B }, "jsonld")).not.toBe(etagFor(published, "jsonld"));
  });

  it("lets caches keep 404 pages of different languages apart", async () => {
    const response = await get("/p/doesNotExist123456789", { "Accept-Language": "de" });
    expect(response.status).toBe(404);
    expect(response.headers.get("Vary")).toMatch(/Accept-Language/);
    expect(await response.text()).toContain("Produktpass nicht gefunden");
  });
});

describe("the issuer of a shop's credentials", () => {
  const didOf = (shopHandle: string) => `did:web:${new URL(BASE).host.replace(":", "%3A")}:s:${shopHandle}`;
  /** did:web resolution (W3C CCG did:web method): path segments, then /did.json. */
  const didDocumentPath = (did: string) => `/${did.split(":").slice(3).join("/")}/did.json`;

  it("is the shop's own did:web, whose DID document the app serves", async () => {
    const a = await passportOf(A, "A-1");
    const b = await passportOf(B, "B-1");
    const credentialA = await (await get(`/p/${a.passport.publicId}.jsonld`)).json();
    const credentialB = await (await get(`/p/${b.passport.publicId}.jsonld`)).json();
    expect(credentialA.issuer).toEqual({ type: ["CredentialIssuer"], id: didOf("passport-test"), name: "Nordkap Apparel" });
    expect(credentialB.issuer.id).toBe(didOf("other-brand"));
    expect(validateUntpCredential(credentialA).errors).toEqual([]);

    const response = await get(didDocumentPath(credentialA.issuer.id));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/application\/did\+json/);
    const document = await response.json();
    expect(document.id).toBe(credentialA.issuer.id);
    expect(document["@context"]).toContain("https://www.w3.org/ns/did/v1");
    expect(document.alsoKnownAs).toEqual([`https://${A}`]);
    expect(document.service).toEqual([expect.objectContaining({ name: "Nordkap Apparel" })]);
    expect(document.verificationMethod).toBeUndefined(); // unsigned credentials: no keys
    expect((await get("/s/no-such-shop/did.json")).status).toBe(404);
  });
});

describe("labels.csv", () => {
  it("prefixes cells a spreadsheet would run as a formula with an apostrophe", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+49 30")).toBe("'+49 30");
    expect(csvCell("-5")).toBe("'-5");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell("Linen Shirt")).toBe("Linen Shirt");
  });

  it("holds a product title starting with = as text in the label zip", async () => {
    await sync(B, [shirt('=HYPERLINK("http://evil.example","Click")', [{ sku: "B-1", barcode: GTIN }, { sku: "B-2", barcode: "5901234123457" }])]);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "labels-")), "labels.zip");
    await writeQrZip(forShop(B), createWriteStream(file));
    const csv = await new Promise<string>((resolve, reject) => {
      yauzl.open(file, { lazyEntries: true }, (error, zip) => {
        if (error || !zip) return reject(error);
        zip.on("entry", (entry: yauzl.Entry) => {
          if (entry.fileName !== "labels.csv") return zip.readEntry();
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(e);
            const chunks: Buffer[] = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
          });
        });
        zip.readEntry();
      });
    });
    const rows = csv.split("\r\n").slice(1, -1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.startsWith(`"'=HYPERLINK(""http://evil.example"",""Click"")"`)).toBe(true);
    expect(csv).toContain(`${BASE}/s/other-brand/01/${GTIN}`);
  });
});

describe("a barcode two variants of a shop share", () => {
  it("puts the Digital Link only on the passport it opens: the other's QR code, JSON-LD and lists use its own URL", async () => {
    const SHARED = "00012345678905";
    const twin: SourceRecord = {
      externalId: "gid://shopify/Product/2",
      handle: "twin-tee",
      fields: { title: { en: "Twin tee" } },
      variants: ["T-S", "T-L"].map((sku, i) => ({ externalId: `gid://shopify/ProductVariant/2${i}`, position: i + 1, fields: { sku, barcode: SHARED } })),
    };
    await sync(A, [shirt("A Linen Shirt", [{ sku: "A-1", barcode: GTIN }, { sku: "A-2" }]), twin]);
    const small = await passportOf(A, "T-S");
    const large = await passportOf(A, "T-L");
    const shopLink = `${BASE}/s/passport-test/01/${SHARED}`;
    const resolved = locationPath(await get(`/s/passport-test/01/${SHARED}`));
    const [opened, other] = resolved === `/p/${small.passport.publicId}` ? [small, large] : [large, small];
    expect(resolved).toBe(`/p/${opened.passport.publicId}`);

    expect(await (await get(`/p/${opened.passport.publicId}/qr.svg`)).text()).toContain(`<title>${shopLink}</title>`);
    expect(await (await get(`/p/${other.passport.publicId}/qr.svg`)).text()).toContain(`<title>${BASE}/p/${other.passport.publicId}</title>`);
    expect((await (await get(`/p/${opened.passport.publicId}.jsonld`)).json()).credentialSubject.product.id).toBe(shopLink);
    expect((await (await get(`/p/${other.passport.publicId}.jsonld`)).json()).credentialSubject.product.id).not.toBe(shopLink);
    const listed = new Map<string, string | null>();
    for await (const item of passportList(forShop(A))) listed.set(item.publicId, item.digitalLinkUrl);
    expect(listed.get(opened.passport.publicId)).toBe(shopLink);
    expect(listed.get(other.passport.publicId)).toBeNull();
    // A barcode of one variant keeps its Digital Link.
    expect(listed.get((await passportOf(A, "A-1")).passport.publicId)).toBe(`${BASE}/s/passport-test/01/${GTIN}`);
  });
});
