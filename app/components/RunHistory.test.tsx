// A run's errors name each record as the merchant knows it (its product, and its SKU or options
// for a variant), not by the source's id; the id stays beside it, in small print, for support.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { recordFromWebhook, type ProductWebhookPayload } from "../integrations/shopify/records";
import { MemoryCatalog } from "../sync/memory-catalog.test-support";
import type { RunView } from "../sync/runs.server";
import { historyRows, notSavedBadgeText, problemsButtonLabel, RunHistory, RunProblems, runKind, runOrigin } from "./RunHistory";

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


/** A finished run as listRuns gives it, with what the test says. */
function run(overrides: Partial<RunView> & { id?: string } = {}): RunView {
  const base: RunView = {
    id: "run-1",
    integration: "shopify",
    trigger: "scheduled",
    status: "succeeded",
    scope: "full",
    phase: null,
    processed: 8,
    total: 8,
    counts: { created: 0, updated: 0, unchanged: 8, skipped: 0, unmatched: 0, archived: 0, failed: 0 },
    errors: [],
    errorCount: 0,
    message: null,
    details: {},
    attempt: 1,
    createdAt: "2025-03-03T10:00:00.000Z",
    startedAt: "2025-03-03T10:00:00.000Z",
    finishedAt: "2025-03-03T10:01:00.000Z",
  };
  return { ...base, ...overrides };
}

const LABELS = { shopify: "Shopify", excel: "Excel" };

/** The history's text, tags dropped and entities decoded. */
function historyText(runs: RunView[]): string {
  const html = renderToStaticMarkup(
    <AppProvider i18n={en}>
      <RunHistory runs={runs} labels={LABELS} />
    </AppProvider>,
  );
  return html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
}

/** A refused file's check: its run turned failed with the file's problems (recordRefusedRun). */
const refusedCheck = (errors = 3): RunView =>
  run({
    id: "check",
    integration: "excel",
    trigger: "upload",
    status: "failed",
    scope: "partial",
    counts: { created: 0, updated: 0, unchanged: 0, skipped: 0, unmatched: 0, archived: 0, failed: errors },
    errors: Array.from({ length: errors }, (_, i) => ({ externalId: `Products!C${i + 2}`, ref: { sheet: "Products", row: i + 2, column: "Barcode" }, message: "not a valid GTIN" })),
    errorCount: errors,
    message: `Nothing was imported: ${errors} cells have problems. Download the file with the errors marked, fix them and upload it again.`,
    details: { context: { preview: "upload" }, refused: true },
  });

describe("runOrigin", () => {
  it("names what started a run as a merchant says it", () => {
    expect(runOrigin(run({ trigger: "manual", details: { context: { preview: "promotion" } } }))).toBe("Preview of making it primary");
    expect(runOrigin(run({ trigger: "manual" }))).toBe("Sync now");
    expect(runOrigin(run({ trigger: "install" }))).toBe("First sync after install");
    expect(runOrigin(run({ trigger: "scheduled" }))).toBe("Automatic sync");
    expect(runOrigin(run({ trigger: "webhook", scope: "partial" }))).toBe("Shopify changes");
    expect(runOrigin(run({ trigger: "upload", scope: "partial" }))).toBe("Excel import");
    expect(runOrigin(run({ trigger: "upload", status: "preview", details: { context: { preview: "upload" } } }))).toBe("Excel check");
    expect(runOrigin(refusedCheck())).toBe("Excel check");
  });

  it("never says partial", () => {
    const text = historyText([run({ trigger: "webhook", scope: "partial", counts: { ...run().counts, updated: 1 } }), run({ id: "u", trigger: "upload", scope: "partial", counts: { ...run().counts, created: 2 } })]);
    expect(text).toContain("Shopify changes · ");
    expect(text).toContain("Excel import · ");
    expect(text).not.toContain("partial");
  });
});

describe("the button that shows a run's problems", () => {
  it("counts in the singular or plural and leaves a zero part out", () => {
    expect(problemsButtonLabel("sync", 1, 0)).toBe("Show 1 error");
    expect(problemsButtonLabel("sync", 2, 1)).toBe("Show 2 errors and 1 unmatched record");
    expect(problemsButtonLabel("sync", 0, 3)).toBe("Show 3 unmatched records");
    expect(problemsButtonLabel("fileCheck", 1, 0)).toBe("Show 1 problem");
  });

  it("is what the history shows", () => {
    const text = historyText([run({ status: "succeeded", counts: { ...run().counts, failed: 1 }, errors: [{ externalId: "x", message: "bad" }], errorCount: 1 })]);
    expect(text).toContain("Show 1 error");
    expect(text).not.toContain("0 unmatched");
  });
});

describe("previews and refused files in the history", () => {
  it("tells syncs, previews and file checks apart", () => {
    expect(runKind(run())).toBe("sync");
    expect(runKind(run({ status: "failed", message: "Shopify did not answer." }))).toBe("sync");
    expect(runKind(run({ trigger: "upload", status: "failed", message: "The import failed." }))).toBe("sync");
    expect(runKind(run({ status: "preview", details: { context: { preview: "promotion" } } }))).toBe("preview");
    expect(runKind(run({ trigger: "upload", status: "preview", details: { context: { preview: "upload" } } }))).toBe("preview");
    expect(runKind(refusedCheck())).toBe("fileCheck");
    // A check whose rows have problems: the file cannot be imported as it is.
    expect(runKind(run({ trigger: "upload", status: "preview", errorCount: 2, details: { context: { preview: "upload" } } }))).toBe("fileCheck");
  });

  it("shows a refused file as a file check, in a neutral tone, not as a failed sync", () => {
    const text = historyText([refusedCheck()]);
    expect(text).toContain("File check: 3 problems");
    expect(text).toContain("Excel check · ");
    expect(text).toContain("Show 3 problems");
    expect(text).not.toMatch(/Failed|Critical/);
    expect(notSavedBadgeText(refusedCheck(0))).toBe("File check: not imported");
  });

  it("still shows a failed sync as failed", () => {
    const text = historyText([run({ status: "failed", message: "Shopify did not answer. It is retried automatically." }), run({ id: "i", integration: "excel", trigger: "upload", status: "failed", message: "The import failed." })]);
    expect(text.match(/Failed/g)).toHaveLength(2);
    expect(text).toContain("Excel import · ");
  });

  it("says a preview saved nothing, and an unfinished one is no failure", () => {
    const preview = run({ status: "preview", details: { context: { preview: "promotion" } }, counts: { ...run().counts, created: 2, updated: 3 } });
    expect(historyText([preview])).toContain("Preview, nothing was saved: 2 to create · 3 to update · 8 unchanged");
    const cut = run({ status: "failed", details: { context: { preview: "promotion" } }, message: "The preview was interrupted." });
    expect(notSavedBadgeText(cut)).toBe("Preview not finished");
    expect(historyText([cut])).not.toContain("Failed");
  });
});

describe("syncs that changed nothing", () => {
  const echo = (id: string) => run({ id, trigger: "webhook", scope: "partial" });
  const change = (id: string) => run({ id, trigger: "webhook", scope: "partial", counts: { ...run().counts, updated: 1, unchanged: 7 } });

  it("are one quiet row per stretch of them, and never hide a run that changed something or failed", () => {
    const rows = historyRows([echo("a"), echo("b"), change("c"), echo("d"), run({ id: "e", status: "failed", counts: { ...run().counts, unchanged: 0 } })]);
    expect(rows.map((r) => (r.quiet ? r.runs.map((x) => x.id).join("+") : r.run.id))).toEqual(["a+b", "c", "d", "e"]);
  });

  it("read as no changes, the earlier ones behind a button", () => {
    const text = historyText([echo("a"), echo("b"), echo("c")]);
    expect(text).toContain("Shopify · Shopify changes · ");
    expect(text).toContain("no changes (8 unchanged)");
    expect(text).toContain("Show 2 earlier syncs with no changes");
    expect(text).not.toContain("Succeeded");
  });
});
