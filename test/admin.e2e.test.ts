// The embedded admin in Chromium, as a merchant uses it: the built app against the simulator, with
// the simulator's App Bridge stand-in giving the page its session tokens.
import path from "node:path";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import ExcelJS from "exceljs";
import { describe, expect, it, vi } from "vitest";
import { fieldHistory, setPassportHeld } from "../app/catalog/catalog.server";
import { forShop } from "../app/db/scoped.server";
import { generateWorkbook } from "../app/integrations/excel/generate";
import { writeCatalogWorkbook } from "../app/integrations/excel/export.server";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { adminInBrowser, screenshot } from "./support/e2e";
import { until } from "./support/wait";

vi.setConfig({ testTimeout: 120_000 });

const SHOP = "admin-e2e.myshopify.com";
const shopDb = forShop(SHOP);
const admin = adminInBrowser(SHOP);
const open = admin.open;

describe("the app", () => {
  it("answers /healthz", async () => {
    const response = await fetch(`${admin.stack.app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, database: { ok: true, provider: "sqlite" } });
  });

  it("renders the embedded admin home for a valid session token", async () => {
    const { page, errors } = await open("/app");
    await page.getByRole("heading", { name: "Integrations" }).waitFor();
    await expect(page.getByText("Primary").first().isVisible()).resolves.toBe(true);
    await expect(page.getByText("Recent syncs").isVisible()).resolves.toBe(true);
    await screenshot(page, "admin-home.png");
    expect(errors).toEqual([]);
  });
});

describe("catalog admin", () => {
  it("changes the owner of a field", async () => {
    const { page, errors } = await open("/app/ownership");
    const row = page.getByRole("row", { name: /Manufacturer/ });
    await row.getByRole("combobox").selectOption({ label: "Shopify" });
    await row.getByRole("button", { name: /^Transfer Manufacturer to Shopify$/ }).click();
    await until(async () => (await shopDb.fieldOwnership.findFirst({ where: { field: "manufacturer" } }))?.integrationId, 10_000, "the new owner");
    const shopify = await shopDb.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    expect((await shopDb.fieldOwnership.findFirstOrThrow({ where: { field: "manufacturer" } })).integrationId).toBe(shopify.id);
    // And back: switched off, edited by hand.
    await page.reload({ waitUntil: "networkidle" });
    const again = page.getByRole("row", { name: /Manufacturer/ });
    await again.getByRole("combobox").selectOption({ label: "Nobody — edit by hand" });
    await again.getByRole("button", { name: /^Switch off Manufacturer$/ }).click();
    await until(async () => (await shopDb.fieldOwnership.findFirst({ where: { field: "manufacturer" } }))?.integrationId === null, 10_000, "switched off");
    await screenshot(page, "ownership.png");
    expect(errors).toEqual([]);
  });

  it("shows an unpublished passport's QR code, and says why its public links answer not found", async () => {
    const product = await shopDb.product.findFirstOrThrow({ orderBy: { title: "desc" } });
    await setPassportHeld(shopDb, product.id, true);
    try {
      const variant = await shopDb.variant.findFirstOrThrow({ where: { productId: product.id } });
      const passport = await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } });
      const { page, errors } = await open(`/app/passports/${passport.publicId}`);
      await page.getByText("This passport is not published").waitFor();
      const qr = page.getByRole("img", { name: /QR code of the passport/ });
      await until(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 10_000, "the QR code to show");
      // Its files come from the page (the public ones answer "not found" until it is published).
      const png = page.getByRole("link", { name: "Download PNG" });
      expect(await png.getAttribute("download")).toBe(`passport-${passport.publicId}.png`);
      expect(await png.getAttribute("href")).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
      expect(await page.getByRole("link", { name: "Download SVG" }).getAttribute("href")).toMatch(/^data:image\/svg\+xml/);
      await screenshot(page, "passport-unpublished.png");
      expect(errors).toEqual([]);
    } finally {
      await setPassportHeld(shopDb, product.id, false);
    }
  });

  it("opens a product from the list with the keyboard (its title is the row's link)", async () => {
    const product = await shopDb.product.findFirstOrThrow({ orderBy: { title: "asc" } });
    const { page, errors } = await open("/app/products");
    const link = page.getByRole("link", { name: product.title }).first();
    expect(await link.getAttribute("href")).toContain(`/app/products/${product.id}`);
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/app/products/${product.id}`));
    await page.getByRole("heading", { name: product.title }).first().waitFor();
    expect(errors).toEqual([]);
  });

  it("says in the product list whether each product's passports are published, with tabs in the same words", async () => {
    const [draft, held] = await shopDb.product.findMany({ orderBy: { title: "asc" }, take: 2 });
    // A draft in Shopify (its status value, as a sync writes it) and one held back by the merchant.
    const status = { entityId: draft.id, field: "status", locale: "" };
    const before = await shopDb.fieldValue.findUnique({ where: { entityId_field_locale: status } });
    await shopDb.fieldValue.upsert({ where: { entityId_field_locale: status }, create: { ...status, shop: SHOP, value: JSON.stringify("draft"), updatedAt: new Date() }, update: { value: JSON.stringify("draft") } });
    await setPassportHeld(shopDb, held.id, true);
    try {
      const { page, errors } = await open("/app/products");
      const row = (title: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name: title, exact: true }) });
      await row(draft.title).getByText("Draft (not published)").waitFor();
      await row(held.title).getByText("Held back").waitFor();
      await expect(row(draft.title).getByText("Active").count()).resolves.toBe(0);
      // (The list changes once the tab's data is there: wait for the rows, not the address.)
      await page.getByRole("tab", { name: "Draft (not published)" }).click();
      await row(held.title).waitFor({ state: "detached" });
      await row(draft.title).getByText("Draft (not published)").waitFor();
      expect(page.url()).toMatch(/filter=draft/);
      await page.getByRole("tab", { name: "Published", exact: true }).click();
      await row(draft.title).waitFor({ state: "detached" });
      expect(page.url()).toMatch(/filter=published/);
      for (const status of await page.getByRole("row").locator("td:last-child").allTextContents()) expect(status).toContain("Published");
      await screenshot(page, "products-published.png");
      expect(errors).toEqual([]);
    } finally {
      if (before) await shopDb.fieldValue.update({ where: { entityId_field_locale: status }, data: { value: before.value } });
      else await shopDb.fieldValue.delete({ where: { entityId_field_locale: status } });
      await setPassportHeld(shopDb, held.id, false);
    }
  });

  it("edits a field nobody owns, shows its source and history, and locks an owned field", async () => {
    const product = await shopDb.product.findFirstOrThrow({ orderBy: { title: "asc" } });
    const { page, errors } = await open(`/app/products/${product.id}`);
    // Title is owned by Shopify: locked, a badge on the field; what that means is said once.
    await page.getByText("Owned by Shopify", { exact: true }).first().waitFor();
    await expect(page.getByText(/take their values from Shopify: edits here would be overwritten/).count()).resolves.toBe(1);
    await expect(page.getByText(/🔒/).count()).resolves.toBe(0);
    // Every Edit and History button names its field (and variant): none is just "Edit" or "History".
    await page.getByRole("button", { name: "Edit Care instructions", exact: true }).waitFor();
    await expect(page.getByRole("button", { name: "Edit", exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: "History", exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /^History of (SKU|Barcode \(GTIN\)|Options), \S/ }).count()).resolves.toBeGreaterThan(0);
    // What the passports miss, by name (the page said only "… % complete").
    await page.getByRole("heading", { name: "Missing passport data" }).waitFor();
    await page.getByText("Care instructions", { exact: true }).first().waitFor();
    // Care instructions: nobody owns it (Excel is not connected), so it can be edited by hand.
    const care = page
      .locator("div")
      .filter({ has: page.getByRole("heading", { name: "Care instructions", exact: true }) })
      .filter({ has: page.getByRole("button", { name: "Edit" }) })
      .last();
    // The staff member the page was opened for (its id_token's, and so App Bridge's, staff 42), as
    // Shopify's online token describes them; another staff member of the shop has another name.
    admin.stack.sim.setStaffMember(SHOP, 42, { first_name: "Jane", last_name: "Doe" });
    admin.stack.sim.setStaffMember(SHOP, 1, { first_name: "Other", last_name: "Person" });
    await care.getByRole("button", { name: "Edit" }).click();
    await care.getByRole("textbox").fill("Wash at 30 °C, dry flat.");
    await care.getByRole("button", { name: "Save" }).click();
    await until(() => shopDb.fieldValue.findFirst({ where: { entityId: product.id, field: "careInstructions" } }), 10_000, "the edit to be saved");
    await page.getByText("Wash at 30 °C, dry flat.").waitFor();
    // The source names the staff member, never their id, which the value keeps.
    await care.getByText("Manual edit by Jane Doe", { exact: true }).first().waitFor();
    await expect(page.getByText(/staff (42|1)\b/).count()).resolves.toBe(0);
    const stored = await shopDb.fieldValue.findFirstOrThrow({ where: { entityId: product.id, field: "careInstructions" } });
    expect(stored.sourceId).toBeNull();
    expect(stored.editedBy).toBe("staff 42");
    expect(await fieldHistory(shopDb, product.id, "careInstructions")).toMatchObject([{ newValue: "Wash at 30 °C, dry flat.", source: "Manual edit by Jane Doe" }]);
    // Its name is kept until its online token expires (no token, no email); the shop's offline session stays the one background work uses.
    const online = await shopDb.session.findFirstOrThrow({ where: { isOnline: true } });
    expect(online).toMatchObject({ id: `${SHOP}_42`, firstName: "Jane", lastName: "Doe", accessToken: "" });
    expect(await shopDb.session.count({ where: { isOnline: false } })).toBe(1);
    // The passports of the product got a new version.
    const variant = await shopDb.variant.findFirstOrThrow({ where: { productId: product.id } });
    expect((await shopDb.passport.findUniqueOrThrow({ where: { variantId: variant.id } })).currentVersion).toBe(2);
    await screenshot(page, "product-page.png");
    expect(errors).toEqual([]);
  });

  it("starts a sync with Sync now and shows the run", async () => {
    const { page, errors } = await open("/app/integrations");
    const before = await shopDb.syncRun.count({ where: { trigger: "manual" } });
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText("Sync started.").waitFor();
    await until(async () => (await shopDb.syncRun.count({ where: { trigger: "manual", status: "succeeded" } })) > before, 30_000, "the manual run");
    await page.getByText(/Sync now · /).first().waitFor({ timeout: 15_000 });
    await screenshot(page, "integrations.png");
    expect(errors).toEqual([]);
  });
});

describe("Excel import in the admin", () => {
  it("uploads a workbook, previews the changes, and commits them", async () => {
    // A file the merchant exported, with a passport value changed.
    const dir = mkdtempSync(path.join(os.tmpdir(), "admin-e2e-"));
    const file = path.join(dir, "catalog.xlsx");
    const out = createWriteStream(file);
    await writeCatalogWorkbook(shopDb, out);
    await finished(out);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const products = workbook.getWorksheet("Products")!;
    const headers = products.getRow(1).values as unknown[];
    products.getRow(2).getCell(headers.indexOf("Care instructions")).value = "Wash at 30 °C, changed in the file";
    await workbook.xlsx.writeFile(file);
    const { page, errors } = await open("/app/excel");
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole("button", { name: "Upload and preview" }).click();
    // Stored first, then checked while the page shows it.
    await page.getByText(/Checking catalog.xlsx/).waitFor({ timeout: 30_000 });
    await screenshot(page, "excel-checking.png");
    await page.getByText(/Preview of catalog.xlsx/).waitFor({ timeout: 60_000 });
    await screenshot(page, "excel-preview.png");
    await page.getByRole("button", { name: "Import these changes" }).click();
    await page.getByText(/catalog.xlsx was imported/).waitFor({ timeout: 60_000 });
    const upload = await shopDb.upload.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    expect(upload.status).toBe("committed");
    expect(errors).toEqual([]);
  });

  it("refuses a dropped file that is no workbook, saying what to do, and keeps the file chosen before", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "admin-e2e-"));
    const workbook = path.join(dir, "tees.xlsx");
    await generateWorkbook(workbook, { products: 1, variantsPerProduct: 1 });
    const { page, errors } = await open("/app/excel");
    await page.locator('input[type="file"]').setInputFiles(workbook);
    const chosen = page.getByText(/^tees\.xlsx \(\d+ KB\)$/);
    await chosen.waitFor();

    // A CSV dropped on the drop zone (which takes .xlsx only).
    const dataTransfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(["Product Handle,Title\ntee,Tee\n"], "tees.csv", { type: "text/csv" }));
      return data;
    });
    await page.locator(".Polaris-DropZone").first().dispatchEvent("drop", { dataTransfer });
    await page.getByText(/tees\.csv is not an Excel workbook \(\.xlsx\).*save it as \.xlsx \(Excel Workbook\)/).waitFor();
    // The workbook chosen before is still the one to upload.
    expect(await chosen.isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Upload and preview" }).isEnabled()).toBe(true);
    await screenshot(page, "excel-not-a-workbook.png");
    expect(errors).toEqual([]);
  });

  it("shows the problems of a bad workbook and commits nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "admin-e2e-"));
    const file = path.join(dir, "broken.xlsx");
    await generateWorkbook(file, { products: 2, variantsPerProduct: 2 });
    const { page } = await open("/app/excel");
    // Not a spreadsheet at all.
    const notXlsx = path.join(dir, "notes.xlsx");
    (await import("node:fs")).writeFileSync(notXlsx, "handle,title\nfoo,bar\n");
    await page.locator('input[type="file"]').setInputFiles(notXlsx);
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.getByText(/notes.xlsx cannot be imported/).waitFor({ timeout: 30_000 });
    await page.getByText(/not an Excel workbook/i).first().waitFor();
    expect(await shopDb.upload.count({ where: { status: "committed", fileName: "notes.xlsx" } })).toBe(0);

    // An old or mistyped link to an upload: the page says so instead of failing.
    const { page: stale, errors } = await open("/app/excel?upload=no-such-upload");
    await stale.getByText(/This upload does not exist.*Upload the file again/).waitFor();
    expect(errors).toEqual([]);
  });
});
