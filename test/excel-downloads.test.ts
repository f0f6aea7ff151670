// The admin's Excel downloads as Shopify admin requests them (session token, then the route's
// loader): file names in any language, and the marked copy offered only where one is made (and
// while the file is kept).
import { readFileSync } from "node:fs";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { fileNameFromDisposition } from "../app/content-disposition";
import { forShop } from "../app/db/scoped.server";
import { cancelUpload, errorWorkbook, excelIntegration, expireUploads, getUploadPreview, uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { makeTempDir, writeProducts, writeProductsStreaming } from "../app/integrations/excel/fixtures/helpers";
import { DEFAULT_LIMITS, UPLOAD_KEEP_DAYS } from "../app/integrations/excel/limits";
import { loader as errorsLoader } from "../app/routes/app.excel.errors.$uploadId";
import { loader as exportLoader } from "../app/routes/app.excel.export";
import { loader as templateLoader } from "../app/routes/app.excel.template";
import { loader as home } from "../app/routes/app._index";
import { TEST_SHOP } from "./support/constants";
import { sessionToken } from "./support/shopify";

// Shopify's token exchange and Admin API, stubbed.
setAbstractFetchFunc(async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  if (url.includes("/admin/oauth/access_token")) {
    return json({ access_token: "shpat_downloads", scope: "read_products,write_products", expires_in: 3600, refresh_token: "shprt_downloads", refresh_token_expires_in: 7_776_000 });
  }
  if (url.includes("/graphql.json")) return json({ data: { shop: { name: "Downloads" }, shopLocales: [{ locale: "en", primary: true }] } });
  throw new Error(`unexpected request to ${url}`);
});

const db = forShop(TEST_SHOP);
type Loader = (args: never) => Promise<unknown>;

async function get(loader: Loader, path: string, params: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`http://127.0.0.1:3999${path}`, { headers: { Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP })}` } });
  return (await loader({ request, params, context: {} } as never)) as Response;
}

beforeAll(async () => {
  await get(home, "/app"); // installs the shop
  await excelIntegration(db);
});

describe("Excel downloads", () => {
  it("serves the marked copy of a file whose name is not ASCII, under its own name", async () => {
    const tmp = await makeTempDir();
    const file = tmp.path("upload.xlsx");
    await writeProducts(file, [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Barcode (GTIN)": "4006381333932" }]);
    const preview = await uploadWorkbook(db, { name: "Merchant’s products – summer.xlsx", bytes: readFileSync(file), createMissing: false });
    expect(preview).toMatchObject({ status: "invalid", markedCopy: true });

    const response = await get(errorsLoader, `/app/excel/errors/${preview.uploadId}`, { uploadId: preview.uploadId });
    expect(response.status).toBe(200);
    const disposition = response.headers.get("Content-Disposition");
    expect(disposition).toContain(`filename="Merchant's products - summer - errors.xlsx"`);
    expect(fileNameFromDisposition(disposition)).toBe("Merchant’s products – summer - errors.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await response.arrayBuffer());
    expect(JSON.stringify(book.getWorksheet("Products")!.getCell("D2").note)).toMatch(/check digit/);
  });

  it("names the export and the template in the header every client reads", async () => {
    for (const [loader, path] of [
      [exportLoader, "/app/excel/export"],
      [templateLoader, "/app/excel/template"],
    ] as const) {
      const response = await get(loader, path);
      expect(response.status).toBe(200);
      expect(fileNameFromDisposition(response.headers.get("Content-Disposition"))).toMatch(/^passport-.*\.xlsx$/);
      await response.arrayBuffer();
    }
  });

  it("makes no marked copy of a file refused for having too many rows, and says why", async () => {
    const tmp = await makeTempDir();
    const file = tmp.path("huge.xlsx");
    const rows = Array.from({ length: DEFAULT_LIMITS.maxRows + 1 }, (_, i) => [`p-${i}`, `Product ${i}`, `SKU-${i}`]);
    await writeProductsStreaming(file, [["Product Handle", "Title", "SKU"], ...rows]);
    const preview = await uploadWorkbook(db, { name: "huge.xlsx", bytes: readFileSync(file), createMissing: false });
    expect(preview.status).toBe("invalid");
    expect(preview.markedCopy).toBe(false);
    expect(preview.message).toMatch(/more than 100,000 rows.*No copy of a file this large is made/);
    expect(preview.errors.some((e) => /more than 100,000 rows/.test(e.message))).toBe(true);

    const response = await get(errorsLoader, `/app/excel/errors/${preview.uploadId}`, { uploadId: preview.uploadId });
    expect(response.status).toBe(409);
    expect(await response.text()).toMatch(/refused as a whole/);
  }, 120_000);

  it("offers no marked copy once the file is deleted (expired, cancelled), and says why instead of failing", async () => {
    const tmp = await makeTempDir();
    const file = tmp.path("bad-gtin.xlsx");
    await writeProducts(file, [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Barcode (GTIN)": "4006381333932" }]);
    const expired = await uploadWorkbook(db, { name: "expired.xlsx", bytes: readFileSync(file), createMissing: false });
    const cancelled = await uploadWorkbook(db, { name: "cancelled.xlsx", bytes: readFileSync(file), createMissing: false });
    expect([expired.markedCopy, cancelled.markedCopy]).toEqual([true, true]);

    await db.upload.update({ where: { id: expired.uploadId }, data: { updatedAt: new Date(Date.now() - (UPLOAD_KEEP_DAYS + 1) * 86_400_000) } });
    expect(await expireUploads(db)).toBe(1);
    expect(await getUploadPreview(db, expired.uploadId)).toMatchObject({ status: "expired", markedCopy: false });
    const expiredMessage = `This file is no longer kept: uploads not imported within ${UPLOAD_KEEP_DAYS} days are deleted. Upload the file again to get a new copy with its problems marked.`;
    await expect(errorWorkbook(db, expired.uploadId)).rejects.toMatchObject({ name: "MerchantError", message: expiredMessage, permanent: true });
    const response = await get(errorsLoader, `/app/excel/errors/${expired.uploadId}`, { uploadId: expired.uploadId });
    expect(response.status).toBe(409);
    expect(await response.text()).toBe(expiredMessage);

    await cancelUpload(db, cancelled.uploadId);
    expect(await getUploadPreview(db, cancelled.uploadId)).toMatchObject({ status: "cancelled", markedCopy: false });
    await expect(errorWorkbook(db, cancelled.uploadId)).rejects.toMatchObject({ name: "MerchantError", message: expect.stringMatching(/^This file is no longer kept: a cancelled upload's file is deleted\. Upload the file again/) });
  });
});
