// The upload preview and the "was imported" banner show archiving, so a merchant confirms knowing
// which variants (and their passports) a file will archive; the preview's changes read as the
// product page shows the values (a description as its text, never its tags).
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { CellIssue } from "../integrations/excel/reader";
import type { ShownChange } from "../integrations/excel/uploads.server";
import type { RunView } from "../sync/runs.server";
import { importedSummary, UploadChanges, UploadCounts, UploadIssues, UploadOutcome, UploadWarnings } from "./UploadCounts";

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

  it("the banner after the import has every count of its run, in words that agree with the numbers", () => {
    expect(importedSummary({ counts: { created: 1, updated: 1204, unchanged: 3, skipped: 1, unmatched: 4, archived: 0, failed: 2 } })).toBe(
      "1 variant created, 1,204 updated, 3 unchanged, 4 unmatched, 2 failed, 1 value skipped (owned by another source).",
    );
    expect(importedSummary({ counts: { created: 2, updated: 0, unchanged: 0, skipped: 5, unmatched: 0, archived: 0, failed: 0 } })).toBe(
      "2 variants created, 0 updated, 0 unchanged, 5 values skipped (owned by another source).",
    );
  });
});

function commitRun(over: Partial<RunView>): RunView {
  return {
    id: "run1",
    integration: "excel",
    trigger: "upload",
    status: "succeeded",
    scope: "partial",
    phase: null,
    processed: 1,
    total: 1,
    counts: { ...counts, archived: 0 },
    errors: [],
    errorCount: 0,
    message: null,
    details: {},
    attempt: 1,
    createdAt: new Date(0).toISOString(),
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

function renderText(node: ReactNode): string {
  return text(renderToStaticMarkup(<AppProvider i18n={en}>{node}</AppProvider>));
}

describe("the outcome of an import", () => {
  it("a committed upload says what its run did", () => {
    const shown = renderText(<UploadOutcome fileName="tees.xlsx" status="committed" run={commitRun({})} />);
    expect(shown).toContain("tees.xlsx was imported");
    expect(shown).toContain("0 variants created, 1 updated, 0 unchanged.");
  });

  it("a commit refused as a whole lists the rows that stopped it, not only that there were some", () => {
    const run = commitRun({
      status: "failed",
      message: "Nothing was saved: 2 records have a problem (see the errors). Fix them and try again.",
      errors: [
        { externalId: "tee", ref: { sheet: "Products", row: 4, column: "Barcode" }, message: "Barcode (GTIN): the check digit is wrong" },
        { externalId: "cap", ref: { sheet: "Products", row: 9 }, message: "A new product needs a title" },
      ],
      errorCount: 3,
    });
    const shown = renderText(<UploadOutcome fileName="tees.xlsx" status="failed" run={run} />);
    expect(shown).toContain("tees.xlsx was not imported");
    expect(shown).toContain("Nothing was saved: 2 records have a problem");
    expect(shown).toContain("Row 4: Barcode (GTIN): the check digit is wrong");
    expect(shown).toContain("Row 9: A new product needs a title");
    expect(shown).toContain("… and 1 more problem.");
  });

  it("a commit that failed without records to blame says why", () => {
    const shown = renderText(<UploadOutcome fileName="tees.xlsx" status="failed" run={commitRun({ status: "failed", message: "The file changed since its preview and now has errors; nothing was saved." })} />);
    expect(shown).toContain("The file changed since its preview and now has errors; nothing was saved.");
    expect(shown).not.toContain("more problem");
  });
});

describe("an upload's problems", () => {
  const issue = (row: number, column: string, message: string): CellIssue => ({ sheet: "Products", row, column, message });

  it("warnings name the row and column of each, and say how many are not listed", () => {
    const warnings = Array.from({ length: 23 }, (_, i) => issue(i + 2, "Colour", `value ${i + 2} is left out`));
    const shown = renderText(<UploadWarnings warnings={warnings} />);
    expect(shown).toContain("23 warnings");
    expect(shown).toContain("Products row 2, Colour: value 2 is left out");
    expect(shown).toContain("Products row 21, Colour: value 21 is left out");
    expect(shown).not.toContain("value 22");
    expect(shown).toContain("… and 3 more.");
  });

  it("one warning is one warning; one of no single row names its sheet, and nothing more is counted", () => {
    const shown = renderText(<UploadWarnings warnings={[issue(0, "Notes", "This column is unknown: its values are left out")]} />);
    expect(shown).toContain("1 warning ");
    expect(shown).not.toContain("1 warnings");
    expect(shown).toContain("Products, Notes: This column is unknown: its values are left out");
    expect(shown).not.toContain("more");
  });

  it("errors beyond those listed are in the marked file", () => {
    const errors = Array.from({ length: 51 }, (_, i) => issue(i + 2, "SKU", "duplicate"));
    expect(renderText(<UploadIssues issues={errors} shown={50} moreWhere=" in the marked file" />)).toContain("… and 1 more in the marked file.");
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
