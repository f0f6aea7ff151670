// A run's errors name each record as the merchant knows it (its product, and its SKU or options
// for a variant), not by the source's id; the id stays beside it, in small print, for support.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { recordFromWebhook, type ProductWebhookPayload } from "../integrations/shopify/records";
import { MemoryCatalog } from "../sync/memory-catalog.test-support";
import { RunProblems, runOrigin } from "./RunHistory";

const SHOPIFY = { id: "shopify", role: "primary" as const };

function tee(): ProductWebhookPayload {
  return {
    id: 1001,
    title: "Organic Tee",
    handle: "organic-tee",
    options: [{ name: "Size", position: 1, values: ["S", "M"] }],
    variants: [
      { id: 2001, position: 1, sku: "TEE-S", barcode: "4006381333931", option1: "S" },
      // A wrong check digit: this variant fails.
      { id: 2002, position: 2, sku: null, barcode: "4006381333932", option1: "M" },
    ],
  };
}

/** The bullet points' text (tags dropped, entities decoded). */
function items(html: string): string[] {
  return [...html.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) =>
    m[1].replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\s+/g, " ").trim(),
  );
}

function render(run: Parameters<typeof RunProblems>[0]["run"]): string {
  return renderToStaticMarkup(
    <AppProvider i18n={en}>
      <RunProblems run={run} />
    </AppProvider>,
  );
}

describe("a run's problems", () => {
  it("name a Shopify variant by its product and options (or SKU), with its GID in small print", () => {
    const catalog = new MemoryCatalog();
    catalog.primaryId = "shopify";
    for (const f of ["title", "sku", "barcode", "options"] as const) catalog.own(f, "shopify");
    const run = catalog.run(SHOPIFY, [recordFromWebhook(tee(), { primaryLocale: "en" }).record]);
    expect(run.errors).toHaveLength(1);

    const html = render({ errors: run.errors, details: {} });
    const [item] = items(html);
    expect(item).toMatch(/^Shopify product "Organic Tee", variant M: Barcode \(GTIN\).*check digit/);
    expect(item).toMatch(/\(gid:\/\/shopify\/ProductVariant\/2002\)$/);
    // The GID is small print, after the message.
    expect(html).toMatch(/<span[^>]*Text--bodySm[^>]*>\(gid:\/\/shopify\/ProductVariant\/2002\)<\/span>/);
  });

  it("name a variant by its SKU where it has one, and a product by its title", () => {
    const html = render({
      errors: [
        { externalId: "gid://shopify/ProductVariant/2001", ref: { label: 'Shopify product "Organic Tee", variant SKU TEE-S' }, message: "Weight: not a number" },
        { externalId: "gid://shopify/Product/1001", ref: { label: 'Shopify product "Organic Tee"' }, message: "Images: not an https URL" },
      ],
      details: { unmatched: [{ externalId: "gid://shopify/ProductVariant/9", ref: { label: 'Shopify product "Cap", variant SKU CAP-1' }, identifier: "CAP-1" }] },
    });
    expect(items(html)).toEqual([
      'Shopify product "Organic Tee", variant SKU TEE-S: Weight: not a number (gid://shopify/ProductVariant/2001)',
      'Shopify product "Organic Tee": Images: not an https URL (gid://shopify/Product/1001)',
      'Shopify product "Cap", variant SKU CAP-1: CAP-1 matches no variant (gid://shopify/ProductVariant/9)',
    ]);
  });

  it("name a file's record by its row, and a record nothing names by its id", () => {
    const html = render({
      errors: [
        { externalId: "organic-tee", ref: { sheet: "Products", row: 12, column: "Barcode" }, message: "not a valid GTIN" },
        { externalId: "gid://shopify/Product/7", message: "failed" },
      ],
      details: { unmatched: [{ externalId: "organic-tee#3", ref: { sheet: "Products", row: 3 }, identifier: "TEE-XL" }] },
    });
    expect(items(html)).toEqual(["Row 12: not a valid GTIN", "gid://shopify/Product/7: failed", "Row 3: TEE-XL matches no variant"]);
  });
});

describe("runOrigin", () => {
  it("names a promotion's preview as such, and other runs by their trigger", () => {
    expect(runOrigin({ trigger: "manual", details: { context: { preview: "promotion" } } })).toBe("Preview of making it primary");
    expect(runOrigin({ trigger: "manual", details: {} })).toBe("Sync now");
    expect(runOrigin({ trigger: "upload", details: {} })).toBe("Upload");
  });
});
