// What a merchant walkthrough found, in Chromium: the Shopify settings report every problem on its
// field and the outcome beside Save; the sync history tells a refused file's check from a failed
// sync and names runs as a merchant would; Field ownership offers other owners as an option, and
// its buttons' accessible names start with their visible text.
import type { Locator } from "playwright-core";
import { describe, expect, it, vi } from "vitest";
import { forShop } from "../app/db/scoped.server";
import { uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import { adminInBrowser, screenshot } from "./support/e2e";

vi.setConfig({ testTimeout: 120_000 });

const SHOP = "walkthrough-e2e.myshopify.com";
const shopDb = forShop(SHOP);
const admin = adminInBrowser(SHOP);
const open = admin.open;

const shopifySettings = async () => JSON.parse((await shopDb.integration.findFirstOrThrow({ where: { kind: "shopify" } })).settings) as Record<string, unknown>;

/** Whether the element is inside the browser's window now. */
async function inView(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });
}

describe("the Shopify integration's settings", () => {
  it("marks every setting that cannot be saved, on its field, says so beside Save, and saves nothing", async () => {
    const before = await shopifySettings();
    const { page, errors } = await open("/app/integrations");
    const limit = page.getByRole("textbox", { name: "At most this many products" });
    const materials = page.getByRole("textbox", { name: "Materials", exact: true });
    const care = page.getByRole("textbox", { name: "Care instructions", exact: true });
    await limit.fill("-5");
    await materials.fill("materials");
    await care.fill("care");
    const save = page.getByRole("button", { name: "Save settings" });
    await save.click();

    // Beside the button (the page's banner says it too, out of view).
    const besideSave = page.locator("form").filter({ has: save }).getByRole("status");
    const outcome = besideSave.filter({ hasText: "Nothing was saved: 3 settings need fixing. Each is marked on its field." });
    await outcome.waitFor();
    for (const field of [limit, materials, care]) expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByText('"-5" is not a number of products. Enter a whole number from 1 to 5,000, or leave it empty for no limit.').isVisible()).toBe(true);
    expect(await page.getByText('"materials" is not a metafield name.', { exact: false }).isVisible()).toBe(true);
    // The first marked field has the focus, in view; the value typed stays to be fixed.
    expect(await limit.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await inView(limit)).toBe(true);
    expect(await limit.inputValue()).toBe("-5");
    expect(await shopifySettings()).toEqual(before);
    await screenshot(page, "settings-errors.png");

    await limit.fill("20");
    await materials.fill("custom.materials");
    await care.fill("");
    await save.click();
    await besideSave.filter({ hasText: /^Settings saved\./ }).waitFor();
    expect(await inView(save)).toBe(true);
    for (const field of [limit, materials, care]) expect(await field.getAttribute("aria-invalid")).not.toBe("true");
    expect(await shopifySettings()).toMatchObject({ subset: { first: 20 }, metafieldMap: { materials: "custom.materials" } });
    // Back to every product, no metafield.
    await limit.fill("");
    await materials.fill("");
    await save.click();
    await besideSave.filter({ hasText: /^Settings saved\./ }).waitFor();
    expect(errors).toEqual([]);
  });
});

describe("the sync history on Home", () => {
  it("names the first sync after install as such, and shows a refused file as a file check, not a failed sync", async () => {
    await uploadWorkbook(shopDb, { name: "notes.xlsx", bytes: new TextEncoder().encode("handle,title\nfoo,bar\n"), createMissing: false });
    const { page, errors } = await open("/app");
    // The innermost block holding the heading: the card's content.
    const history = page.locator("div").filter({ has: page.getByRole("heading", { name: "Recent syncs" }) }).last();
    await history.getByText("File check: not imported").waitFor();
    await history.getByText(/Excel check · /).waitFor();
    await history.getByText(/First sync after install · /).first().waitFor();
    expect(await history.getByText("Failed", { exact: true }).count()).toBe(0);
    expect(await history.getByText(/Scheduled|Upload|partial/).count()).toBe(0);
    await screenshot(page, "home-history.png");
    expect(errors).toEqual([]);
  });
});

describe("Field ownership", () => {
  it("offers other owners as an option, folded away, and names its buttons by what they show", async () => {
    await connectIntegration(shopDb, "excel");
    const { page, errors } = await open("/app/ownership");
    await page.getByRole("heading", { name: "Other owners you can choose" }).waitFor();
    expect(await page.getByText("Choose who owns these fields").count()).toBe(0);
    await page.getByText(/Excel could also own SKU and Barcode \(GTIN\)\. Nothing needs to change/).waitFor();
    const giveSku = page.getByRole("button", { name: "Give SKU to Excel" });
    expect(await giveSku.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Show the options" }).click();
    await giveSku.waitFor();

    // Every button's accessible name contains its visible text.
    const row = page.getByRole("row", { name: /Manufacturer/ });
    await row.getByRole("combobox").selectOption({ label: "Excel" });
    const transfer = row.getByRole("button", { name: "Transfer Manufacturer to Excel", exact: true });
    expect((await transfer.innerText()).trim()).toBe("Transfer");
    await row.getByRole("combobox").selectOption({ label: "Nobody — edit by hand" });
    expect((await row.getByRole("button", { name: "Switch off Manufacturer", exact: true }).innerText()).trim()).toBe("Switch off");
    for (const button of await page.getByRole("button").all()) {
      if (!(await button.isVisible())) continue;
      const text = (await button.innerText()).trim();
      const name = (await button.getAttribute("aria-label")) ?? text;
      if (text) expect(name, `the button showing "${text}"`).toContain(text);
    }
    await screenshot(page, "ownership-options.png");
    expect(errors).toEqual([]);
  });
});
