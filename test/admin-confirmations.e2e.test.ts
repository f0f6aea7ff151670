// The admin's consequential actions in Chromium, as a merchant meets them: disconnecting an
// integration and holding passports back ask first (App Bridge's modal, here the simulator's), and
// "Make primary" shows what the promotion would change before it promotes: the preview is worked
// out in the background, the modal shows its progress, then its summary (or why it failed).
import type { Locator, Page } from "playwright-core";
import { describe, expect, it, vi } from "vitest";
import { forShop } from "../app/db/scoped.server";
import { connectIntegration } from "../app/integrations/integrations.server";
import { promoteIntegration } from "../app/integrations/promote.server";
import { adminInBrowser, screenshot } from "./support/e2e";
import { until } from "./support/wait";

vi.setConfig({ testTimeout: 120_000 });

const SHOP = "confirmations-e2e.myshopify.com";
const shopDb = forShop(SHOP);
const admin = adminInBrowser(SHOP);
const open = admin.open;

/** The open confirmation (App Bridge's modal): its title and buttons. */
const dialog = (page: Page): Locator => page.getByRole("dialog");
/** What the open confirmation says (the app's content, shown in the modal's body). */
const said = (page: Page, text: string | RegExp): Locator => page.locator("ui-modal").getByText(text);

const integration = (kind: string) => shopDb.integration.findFirstOrThrow({ where: { kind } });

describe("confirmations", () => {
  it("asks before disconnecting an integration: Cancel keeps it, the modal's Disconnect disconnects", async () => {
    await connectIntegration(shopDb, "excel");
    const { page, errors } = await open("/app/integrations");
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await dialog(page).getByText("Disconnect Excel?").waitFor();
    await said(page, /Excel stops syncing/).waitFor();
    await said(page, /Kept: every product, variant and value Excel brought/).waitFor();
    await screenshot(page, "confirm-disconnect.png");
    expect((await integration("excel")).status).toBe("active");

    await dialog(page).getByRole("button", { name: "Cancel" }).click();
    await dialog(page).waitFor({ state: "hidden" });
    expect((await integration("excel")).status).toBe("active");

    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await dialog(page).getByRole("button", { name: "Disconnect", exact: true }).click();
    await page.getByText("Disconnected. Its data stays in your catalog.").waitFor();
    expect((await integration("excel")).status).toBe("disconnected");
    expect(errors).toEqual([]);
  });

  it("shows the preview's progress, then what making an integration primary would change, and promotes only when the merchant confirms", async () => {
    await connectIntegration(shopDb, "excel");
    await promoteIntegration(shopDb, "excel", { dryRun: false });
    const shopify = await integration("shopify");
    const previews = () => shopDb.syncRun.count({ where: { integrationId: shopify.id, details: { contains: '"context":{"preview":"promotion"' } } });
    const confirm = (page: Page) => dialog(page).getByRole("button", { name: "Make primary" });

    // Shopify's next export fails: the modal says what happened and what to do.
    admin.stack.sim.injectFailures({ count: 1, target: "bulk", shop: SHOP });
    const { page, errors } = await open("/app/integrations");
    await page.getByRole("button", { name: "Make primary" }).click();
    await dialog(page).getByText("Make Shopify the primary integration?").waitFor();
    await said(page, "The preview could not be finished").waitFor({ timeout: 60_000 });
    await said(page, /^Shopify .* Nothing was changed\. Try again in a few minutes\.$/).waitFor();
    expect(await confirm(page).isDisabled()).toBe(true);
    await screenshot(page, "confirm-promotion-failed.png");

    // Tried again, with an export that takes a few seconds: the preview runs in the background and
    // the modal shows how far it is; confirming waits for it.
    admin.stack.sim.bulk.settings.delayMs = 4000;
    try {
      await page.locator("ui-modal").getByRole("button", { name: "Try again" }).click();
      await said(page, /Shopify is exporting your catalog \(about \d+ products\) for Passport/).waitFor();
      await page.locator("ui-modal .Polaris-ProgressBar").waitFor();
      await said(page, "You can close this window: the preview goes on, and Make primary shows it again.").waitFor();
      expect(await confirm(page).isDisabled()).toBe(true);
      await screenshot(page, "confirm-promotion-progress.png");
      expect(await previews()).toBe(2); // the failed one and this one

      // Closed and opened again: the same preview, not another one.
      await dialog(page).getByRole("button", { name: "Cancel" }).click();
      await dialog(page).waitFor({ state: "hidden" });
      await page.getByRole("button", { name: "Make primary" }).click();
      await dialog(page).getByText("Make Shopify the primary integration?").waitFor();
      // The preview reads Shopify's records as the primary would (a dry run against the simulator).
      await said(page, /Shopify groups your variants exactly as your catalog does now/).waitFor({ timeout: 60_000 });
    } finally {
      admin.stack.sim.bulk.settings.delayMs = 20;
    }
    await said(page, /Excel becomes a secondary integration/).waitFor();
    await said(page, /printed labels keep working/).waitFor();
    await screenshot(page, "confirm-promotion.png");
    expect(await previews()).toBe(2);
    expect(await shopDb.syncRun.count({ where: { integrationId: shopify.id, status: "running" } })).toBe(0);
    expect((await integration("shopify")).primaryOfShop).toBeNull();

    const started = new Date();
    await until(async () => !(await confirm(page).isDisabled()), 10_000, "the confirmation to be possible");
    await confirm(page).click();
    await page.getByText(/Shopify is now the primary integration\. Excel is now a secondary integration\. A full sync of Shopify has started/).waitFor();
    expect((await integration("shopify")).primaryOfShop).toBe(SHOP);
    expect((await integration("excel")).primaryOfShop).toBeNull();
    await until(() => shopDb.syncRun.findFirst({ where: { trigger: "manual", status: "succeeded", createdAt: { gte: started } } }), 60_000, "the new primary's full run");
    expect(errors).toEqual([]);
  });

  it("asks before holding a product's passports back; publishing them again is one click", async () => {
    const product = await shopDb.product.findFirstOrThrow({ orderBy: { title: "asc" } });
    const held = async () => (await shopDb.product.findUniqueOrThrow({ where: { id: product.id } })).passportHeld;
    const { page, errors } = await open(`/app/products/${product.id}`);
    await page.getByRole("button", { name: "Hold passports back" }).click();
    await dialog(page).getByText("Hold these passports back?").waitFor();
    await said(page, /will not be published/).waitFor();
    await screenshot(page, "confirm-hold.png");
    expect(await held()).toBe(false);

    await dialog(page).getByRole("button", { name: "Hold passports back" }).click();
    await until(held, 10_000, "the passports to be held back");
    await page.getByText("Passports held back").waitFor();

    await page.getByRole("button", { name: "Publish passports" }).click();
    await until(async () => !(await held()), 10_000, "the passports to be published");
    expect(await dialog(page).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });
});
