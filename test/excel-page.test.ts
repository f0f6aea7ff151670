// The Excel page's loader as the embedded admin calls it (session token): what the preview shows
// before "Import" (the rows left out and why, whether there is anything to import, which product
// and variant each change is for), and which upload the page shows when opened from the menu.
import { readFileSync } from "node:fs";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forShop } from "../app/db/scoped.server";
import { makeTempDir, writeProducts, type TestCell } from "../app/integrations/excel/fixtures/helpers";
import { cancelUpload, expireUploads, uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { loader as home } from "../app/routes/app._index";
import { loader } from "../app/routes/app.excel";
import { executeSync } from "../app/sync/engine.server";
import { shopifyTee } from "./support/catalog";
import { TEST_SHOP } from "./support/constants";
import { sessionToken } from "./support/shopify";

// Shopify's token exchange and Admin API, stubbed (the install reads the shop's name and language).
setAbstractFetchFunc(async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  if (url.includes("/admin/oauth/access_token")) {
    return json({ access_token: "shpat_excel_page", scope: "read_products,write_products", expires_in: 3600, refresh_token: "shprt_excel_page", refresh_token_expires_in: 7_776_000 });
  }
  if (url.includes("/graphql.json")) return json({ data: { shop: { name: "Excel page" }, shopLocales: [{ locale: "en", primary: true }] } });
  throw new Error(`unexpected request to ${url}`);
});

const db = forShop(TEST_SHOP);

async function page(path = "/app/excel") {
  const request = new Request(`http://127.0.0.1:3999${path}`, { headers: { Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP })}` } });
  return loader({ request, params: {}, context: {} } as never);
}

async function workbook(rows: Record<string, TestCell>[]): Promise<Uint8Array> {
  const tmp = await makeTempDir();
  const file = tmp.path("upload.xlsx");
  await writeProducts(file, rows);
  return readFileSync(file);
}

beforeAll(async () => {
  await home({ request: new Request("http://127.0.0.1:3999/app", { headers: { Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP })}` } }), params: {}, context: {} } as never);
  // Shopify (the primary, installed above) has two tees; Excel enriches them.
  const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
  await executeSync({ shop: TEST_SHOP, integrationId: shopify.id, trigger: "manual", source: async () => ({ scope: "full", records: [shopifyTee(1), shopifyTee(2)] }) });
});

beforeEach(async () => {
  await db.upload.deleteMany({});
});

describe("the preview lists the rows left out of the import, with why", () => {
  it("rows that match no variant: by row and SKU, all of them counted", async () => {
    const preview = await uploadWorkbook(db, {
      name: "enrich.xlsx",
      bytes: await workbook([
        { "Product Handle": "tee-1", SKU: "TEE-1-S", "Country of production": "PT" },
        { "Product Handle": "scarf", Title: "Scarf", SKU: "SCARF-1" },
        { "Product Handle": "scarf", SKU: "SCARF-2" },
      ]),
      createMissing: false,
    });
    const { preview: shown } = await page(`/app/excel?upload=${preview.uploadId}`);
    expect(shown).toMatchObject({ status: "previewed", matchBy: "sku", createMissing: false, nothingToImport: false });
    expect(shown?.run?.counts.unmatched).toBe(2);
    expect(shown?.run?.details.unmatched).toEqual([
      { externalId: "SCARF-1", identifier: "SCARF-1", ref: { sheet: "Products", row: 3 } },
      { externalId: "SCARF-2", identifier: "SCARF-2", ref: { sheet: "Products", row: 4 } },
    ]);
  });

  it("with products to be created, a new row of a product Shopify has stays unmatched, and is listed", async () => {
    const preview = await uploadWorkbook(db, {
      name: "new-size.xlsx",
      bytes: await workbook([
        { "Product Handle": "tee-2", SKU: "TEE-2-S", "Country of production": "PT" },
        { "Product Handle": "tee-2", SKU: "TEE-2-XL" },
      ]),
      createMissing: true,
    });
    const { preview: shown } = await page(`/app/excel?upload=${preview.uploadId}`);
    expect(shown).toMatchObject({ status: "previewed", createMissing: true });
    expect(shown?.run?.counts).toMatchObject({ created: 0, unmatched: 1 });
    expect(shown?.run?.details.unmatched).toEqual([{ externalId: "TEE-2-XL", identifier: "TEE-2-XL", ref: { sheet: "Products", row: 3 } }]);
  });
});

describe("a preview that would change nothing", () => {
  it("says so; one with changes does not", async () => {
    const same = await uploadWorkbook(db, { name: "same.xlsx", bytes: await workbook([{ "Product Handle": "tee-1", SKU: "TEE-1-S" }, { "Product Handle": "ghost", Title: "Ghost", SKU: "NOPE" }]), createMissing: false });
    const { preview: unchanged } = await page(`/app/excel?upload=${same.uploadId}`);
    expect(unchanged?.run?.counts).toMatchObject({ created: 0, updated: 0, archived: 0, unchanged: 1, unmatched: 1 });
    expect(unchanged).toMatchObject({ status: "previewed", nothingToImport: true });

    const changed = await uploadWorkbook(db, { name: "changed.xlsx", bytes: await workbook([{ "Product Handle": "tee-1", SKU: "TEE-1-S", "Country of production": "PT" }]), createMissing: false });
    expect((await page(`/app/excel?upload=${changed.uploadId}`)).preview).toMatchObject({ status: "previewed", nothingToImport: false });
  });
});

describe("the preview's changes", () => {
  it("name the product by its handle and the variant by its SKU, as the file does", async () => {
    const preview = await uploadWorkbook(db, {
      name: "enrich.xlsx",
      bytes: await workbook([
        { "Product Handle": "tee-1", SKU: "TEE-1-M", "Country of production": "PT", "Care instructions": "Wash cold" },
        { "Product Handle": "tee-1", SKU: "TEE-1-S" },
      ]),
      createMissing: false,
    });
    const { preview: shown } = await page(`/app/excel?upload=${preview.uploadId}`);
    expect(shown?.changes.length).toBeGreaterThan(0);
    for (const change of shown?.changes ?? []) {
      expect(change).toMatchObject({ row: 2, handle: "tee-1" });
      // A product's change is for all its variants: no SKU.
      expect(change.sku).toBe(change.entity === "variant" ? "TEE-1-M" : undefined);
    }
  });
});

describe("the page opened from the menu (no upload in its address)", () => {
  const bad = [{ "Product Handle": "tee-1", SKU: "TEE-1-S", "Barcode (GTIN)": "4006381333932" }];

  it("shows the last upload while it is kept, with the marked copy of a refused file", async () => {
    expect((await page()).preview).toBeNull();
    const refused = await uploadWorkbook(db, { name: "bad.xlsx", bytes: await workbook(bad), createMissing: false });
    expect(refused).toMatchObject({ status: "invalid", markedCopy: true });
    const { preview, missing } = await page();
    expect(missing).toBeNull();
    expect(preview).toMatchObject({ uploadId: refused.uploadId, fileName: "bad.xlsx", status: "invalid", markedCopy: true });
    expect(preview?.errors[0]).toMatchObject({ row: 2, column: "Barcode (GTIN)" });
  });

  it("shows nothing once the last upload is cancelled or expired (not an older one)", async () => {
    await uploadWorkbook(db, { name: "older.xlsx", bytes: await workbook(bad), createMissing: false });
    const last = await uploadWorkbook(db, { name: "bad.xlsx", bytes: await workbook(bad), createMissing: false });
    await db.upload.update({ where: { id: last.uploadId }, data: { createdAt: new Date(Date.now() + 1000) } });
    await cancelUpload(db, last.uploadId);
    expect((await page()).preview).toBeNull();

    await db.upload.deleteMany({});
    const old = await uploadWorkbook(db, { name: "bad.xlsx", bytes: await workbook(bad), createMissing: false });
    await expireUploads(db, new Date(Date.now() + 31 * 86_400_000));
    expect((await db.upload.findUniqueOrThrow({ where: { id: old.uploadId } })).status).toBe("expired");
    expect((await page()).preview).toBeNull();
  });
});
