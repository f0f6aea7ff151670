// The preview's changes as Chromium lays them out on the Import & export page (its two-thirds
// column beside the export card) at 1280 px, and at the width of the app inside Shopify admin:
// long values (a description, a URL, a long handle) wrap, so "After import" stays in view instead
// of behind a horizontal scroll.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { AppProvider, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { chromium, type Browser } from "playwright-core";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShownChange } from "../integrations/excel/uploads.server";
import { UploadChanges } from "./UploadCounts";

const polarisCss = createRequire(import.meta.url).resolve("@shopify/polaris/build/esm/styles.css");

const description = "Soft organic cotton jersey, garment dyed and pre-washed so that it keeps its shape wash after wash, for years.";
const changes: ShownChange[] = [
  {
    sheet: "Products",
    row: 2,
    entity: "product",
    handle: "organic-cotton-crew-neck-t-shirt-heavyweight-garment-dyed",
    field: "Description",
    fieldKey: "description",
    kind: "localizedText",
    locale: "en",
    oldValue: JSON.stringify(`${description} Old.`),
    newValue: JSON.stringify(description),
  },
  {
    sheet: "Products",
    row: 3,
    entity: "variant",
    handle: "organic-cotton-crew-neck-t-shirt-heavyweight-garment-dyed",
    sku: "OCT-HW-CREW-NAVY-XL-2024-SPRING",
    field: "Care instructions URL",
    fieldKey: "careInstructions",
    kind: "localizedText",
    locale: "en",
    oldValue: null,
    newValue: JSON.stringify(`https://example.com/${"care-guides/".repeat(8)}organic-cotton.pdf`),
  },
];

/** The page's layout around the changes, as app.excel.tsx has it. */
function pageHtml(): string {
  return renderToStaticMarkup(
    <AppProvider i18n={en}>
      <Page title="Import & export">
        <Layout>
          <Layout.Section>
            <Card>
              <UploadChanges changes={changes} count={changes.length} />
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Export products
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    </AppProvider>,
  );
}

let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync("/usr/bin/chromium")) throw new Error("Chromium is missing: apt-get install -y chromium.");
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("the preview's changes laid out", () => {
  // 1280: the page on its own; 1040: inside Shopify admin at 1280, beside its navigation.
  it.each([1280, 1040])("at %i px, every column is in view and nothing scrolls sideways", async (width) => {
    const page = await browser!.newPage({ viewport: { width, height: 900 } });
    try {
      await page.setContent(`<!doctype html><html><head></head><body>${pageHtml()}</body></html>`);
      await page.addStyleTag({ path: polarisCss });
      const layout = await page.evaluate(() => {
        const scroller = document.querySelector(".Polaris-DataTable__ScrollContainer")!;
        const box = scroller.getBoundingClientRect();
        const headers = [...document.querySelectorAll("thead th")].map((th) => ({ text: th.textContent, right: th.getBoundingClientRect().right }));
        return { overflow: scroller.scrollWidth - scroller.clientWidth, right: box.right, headers };
      });
      expect(layout.headers.map((h) => h.text)).toEqual(["Row", "Product", "Variant (SKU)", "Field", "Now", "After import"]);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      const after = layout.headers[5];
      expect(after.right).toBeLessThanOrEqual(layout.right + 0.5);
    } finally {
      await page.close();
    }
  });
});
