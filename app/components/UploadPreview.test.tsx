// What the preview of an upload says before "Import": which rows are left out and why (not only
// how many), that there is nothing to import when nothing would change, and which product and
// variant each change is for, its long values wrapping instead of pushing columns out of view.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ShownChange } from "../integrations/excel/uploads.server";
import type { RunView } from "../sync/runs.server";
import { NothingToImport, UnmatchedRows, UploadChanges } from "./UploadCounts";

function html(node: ReactNode): string {
  return renderToStaticMarkup(<AppProvider i18n={en}>{node}</AppProvider>);
}

function text(node: ReactNode): string {
  return html(node)
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ");
}

const counts = { created: 0, updated: 1, unchanged: 0, skipped: 0, unmatched: 0, archived: 0, failed: 0 };

/** A preview run with `n` unmatched rows (from row 2), of which the run kept `kept`. */
function runWithUnmatched(n: number, kept = n): Pick<RunView, "counts" | "details"> {
  const unmatched = Array.from({ length: kept }, (_, i) => ({ externalId: `SKU-${i + 2}`, identifier: `SKU-${i + 2}`, ref: { sheet: "Products", row: i + 2 } }));
  return { counts: { ...counts, unmatched: n }, details: { unmatched } };
}

describe("the rows that match no variant", () => {
  it("are listed by row and SKU with why and what to do, the first 20, then how many more", () => {
    const shown = text(<UnmatchedRows run={runWithUnmatched(25)} createMissing={false} matchBy="sku" />);
    expect(shown).toContain("25 rows will not be imported");
    expect(shown).toContain("Products row 2, SKU SKU-2: matches no variant in your catalog");
    expect(shown).toContain("Products row 21, SKU SKU-21: matches no variant in your catalog");
    expect(shown).not.toContain("SKU-22");
    expect(shown).toContain("… and 5 more.");
    expect(shown).toContain('Correct their SKU if they should update a variant, or upload the file again with "Also create products that exist nowhere else" ticked');
  });

  it("count those the run did not keep among the more", () => {
    expect(text(<UnmatchedRows run={runWithUnmatched(700, 500)} createMissing={false} matchBy="sku" />)).toContain("… and 680 more.");
  });

  it("a row without the identifier is named as the file names it, and says it has none", () => {
    const run = { counts: { ...counts, unmatched: 1 }, details: { unmatched: [{ externalId: "tee/Blue", identifier: null, ref: { sheet: "Products", row: 9 } }] } };
    expect(text(<UnmatchedRows run={run} createMissing={false} matchBy="barcode" />)).toContain("Products row 9, tee/Blue: no barcode, so it matches no variant in your catalog");
  });

  it("with products to be created, say why a row was not created", () => {
    const shown = text(<UnmatchedRows run={runWithUnmatched(1)} createMissing matchBy="sku" />);
    expect(shown).toContain("1 row will not be imported");
    expect(shown).toContain("Products row 2, SKU SKU-2: its product is already in your catalog, so it is not created");
    expect(shown).toContain("new variants of those products come from your primary integration");
  });

  it("say nothing when every row matched", () => {
    expect(html(<UnmatchedRows run={runWithUnmatched(0)} createMissing={false} matchBy="sku" />)).not.toContain("will not be imported");
  });
});

describe("nothing to import", () => {
  it("says so, and why", () => {
    expect(text(<NothingToImport unmatched={0} skipped={0} />)).toContain("Nothing to import Importing this file would change nothing: its rows already agree with your catalog. ");
    const leftOut = text(<NothingToImport unmatched={3} skipped={2} />);
    expect(leftOut).toContain(
      "Importing this file would change nothing: the rows that match a variant already agree with your catalog; values of fields another source owns, or that are edited by hand, are not written (see above); the other rows are left out (listed above).",
    );
    expect(leftOut).toContain("Correct the file and upload it again, or cancel this upload.");
  });
});

describe("the preview's changes", () => {
  const weight: ShownChange = { sheet: "Products", row: 3, entity: "variant", handle: "organic-tee", sku: "TEE-M", field: "Weight", fieldKey: "weight", kind: "number", unit: "g", locale: "", oldValue: "150", newValue: "160" };

  function cells(changes: ShownChange[]): string[] {
    return [...html(<UploadChanges changes={changes} count={changes.length} />).matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((m) => m[1].replace(/<(?!br)[^>]+>/g, ""));
  }

  it("say which product and variant each is for, by the file's handle and SKU", () => {
    const care: ShownChange = { ...weight, row: 2, entity: "product", sku: undefined, field: "Care instructions", fieldKey: "careInstructions", kind: "localizedText", unit: undefined, locale: "en", oldValue: null, newValue: JSON.stringify("Wash cold") };
    expect(cells([weight, care])).toEqual([
      ...["Row", "Product", "Variant (SKU)", "Field", "Now", "After import"],
      ...["3", "organic-tee", "TEE-M", "Weight", "150 g", "160 g"],
      ...["2", "organic-tee", "All variants", "Care instructions [en]", "—", "Wash cold"],
    ]);
  });

  it("wrap long values (the table does not), their whole text on hover when shortened", () => {
    const long = `https://example.com/${"care-guide/".repeat(12)}`;
    const page = html(<UploadChanges changes={[{ ...weight, field: "Care guide", fieldKey: "careInstructions", kind: "localizedText", unit: undefined, locale: "en", oldValue: null, newValue: JSON.stringify(long) }]} count={1} />);
    const after = /<td[^>]*>((?:(?!<\/td>).)*)<\/td>\s*<\/tr>/s.exec(page)?.[1] ?? "";
    expect(after).toContain(`title="${long}"`);
    expect(after).toMatch(/style="[^"]*white-space:normal[^"]*overflow-wrap:anywhere/);
    expect(after).toContain(`${long.slice(0, 79)}…`);
  });
});
