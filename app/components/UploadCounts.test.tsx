// The upload preview and the "was imported" banner show archiving, so a merchant confirms knowing
// which variants (and their passports) a file will archive.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { importedSummary, UploadCounts } from "./UploadCounts";

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
