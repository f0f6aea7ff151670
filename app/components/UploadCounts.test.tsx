// The upload preview and the "was imported" banner show archiving, so a merchant confirms knowing
// which variants (and their passports) a file will archive; the preview's changes read as the
// product page shows the values (a description as its text, never its tags).
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ShownChange } from "../integrations/excel/uploads.server";
import { importedSummary, UploadChanges, UploadCounts } from "./UploadCounts";

const counts = { created: 0, updated: 1, unchanged: 0, skipped: 0, unmatched: 0, archived: 2, failed: 0 };

function text(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("upload counts", () => {
  it("the preview says how many variants will be archived, with a warning", () => {
    const html = renderToStaticMarkup(
      <AppProvider i18n={en}>
        <UploadCounts run={{ counts, details: { products: { created: 0, updated: 1, unchanged: 0, archived: 0 } } }} />
      </AppProvider>,
    );
    expect(text(html)).toContain("2 Variants to archive (not in this file)");
    expect(text(html)).toContain("2 variants will be archived");
  });

  it("no warning when nothing is archived", () => {
    const html = renderToStaticMarkup(
      <AppProvider i18n={en}>
        <UploadCounts run={{ counts: { ...counts, archived: 0 }, details: {} }} />
      </AppProvider>,
    );
    expect(text(html)).toContain("0 Variants to archive");
    expect(text(html)).not.toContain("will be archived");
  });

  it("the banner after the import counts the archived variants", () => {
    expect(importedSummary({ counts })).toBe("0 variants created, 1 updated, 0 unchanged, 2 archived.");
  });
});

describe("upload changes", () => {
  const description: ShownChange = {
    sheet: "Products",
    row: 2,
    entity: "product",
    field: "Description",
    fieldKey: "description",
    kind: "localizedText",
    locale: "en",
    oldValue: JSON.stringify("<p>Plain tee.</p>"),
    newValue: JSON.stringify("<p>Soft <strong>organic</strong> cotton &amp; linen.</p><ul><li>Wash cold</li></ul>"),
    // As getUploadPreview reads them (textOf).
    oldText: "Plain tee.",
    newText: "Soft organic cotton & linen.\n\n• Wash cold",
  };

  function cells(changes: ShownChange[]): string[] {
    const html = renderToStaticMarkup(
      <AppProvider i18n={en}>
        <UploadChanges changes={changes} count={changes.length} />
      </AppProvider>,
    );
    return [...html.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((m) => m[1].replace(/<(?!br)[^>]+>/g, ""));
  }

  it("shows a description as its text, its lines kept, never its tags", () => {
    const shown = cells([description]);
    expect(shown).toContain("Plain tee.");
    expect(shown).toContain("Soft organic cotton &amp; linen.<br/><br/>• Wash cold");
    expect(shown.join(" ")).not.toMatch(/&lt;|strong/);
  });

  it("shortens long values, and shows other values as the product page does", () => {
    const long = "word ".repeat(40).trim();
    const shown = cells([
      { ...description, oldValue: null, newValue: JSON.stringify(`<p>${long}</p>`), oldText: undefined, newText: long },
      { sheet: "Products", row: 3, entity: "variant", field: "Weight", fieldKey: "weight", kind: "number", unit: "g", locale: "", oldValue: "150", newValue: null },
    ]);
    expect(shown).toContain("—");
    expect(shown).toContain(`${long.slice(0, 79)}…`);
    expect(shown).toContain("150 g");
    expect(shown).toContain("(cleared)");
  });

  it("shows the values of a preview stored before kinds were kept as they were stored", () => {
    const { fieldKey: _key, kind: _kind, oldText: _old, newText: _new, ...stored } = description;
    // The JSON as stored (escaped by React), shortened.
    expect(cells([stored])).toContain("&quot;&lt;p&gt;Plain tee.&lt;/p&gt;&quot;");
    expect(cells([stored]).join(" ")).toMatch(/&quot;&lt;p&gt;Soft &lt;strong&gt;organic.*…/);
  });
});
