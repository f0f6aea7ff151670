// The confirmations before consequential actions: the button on the page only opens the question
// (it submits nothing), and the question says what will happen and what is kept.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { PromotionPreviewView, PromotionSummary } from "../integrations/promote.server";
import { ConfirmButton, ConfirmModal } from "./ConfirmModal";
import { promotedMessage } from "../integrations/promote.server";
import { DisconnectNotice, HoldBackNotice, previewProgress, PromotionPreview, PromotionPreviewProgress } from "./confirmations";

const render = (element: ReactElement) => renderToStaticMarkup(<AppProvider i18n={en}>{element}</AppProvider>);
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ");

const summary: PromotionSummary = {
  integration: "shopify",
  dryRun: true,
  productsSplit: 2,
  productsMerged: 1,
  productsCreated: 0,
  productsArchived: 0,
  variantsMoved: 5,
  variantsCreated: 0,
  variantsUnmatched: 3,
  previewed: true,
  formerPrimary: { integration: "excel", matchBy: "sku", ownedFields: ["title", "materials"] },
  syncStarted: false,
};

describe("ConfirmButton", () => {
  it("is a plain button that submits nothing; the action is the modal's critical primary button, beside Cancel", () => {
    const onConfirm = vi.fn();
    const html = render(
      <ConfirmButton id="disconnect-x" label="Disconnect" title="Disconnect Excel?" confirmLabel="Disconnect" destructive onConfirm={onConfirm}>
        <p>What happens</p>
      </ConfirmButton>,
    );
    expect(html).not.toContain("<form");
    expect(html).not.toMatch(/type="submit"/);
    // The page's button (Polaris) opens the question…
    expect(html).toMatch(/<button[^>]*type="button"[^>]*>(?:(?!<\/button>).)*Disconnect/);
    // …and the question (App Bridge's ui-modal, closed until then) holds the action and Cancel.
    expect(html).toMatch(/<ui-modal id="disconnect-x"><ui-title-bar title="Disconnect Excel\?"><button variant="primary" tone="critical">Disconnect<\/button><button>Cancel<\/button><\/ui-title-bar>/);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("a confirmation that is not destructive has a plain primary button, disabled until it can act", () => {
    const html = render(
      <ConfirmModal id="promote" open={false} title="Make Shopify the primary integration?" confirmLabel="Make primary" confirmDisabled onConfirm={() => {}} onClose={() => {}}>
        <p>Preview</p>
      </ConfirmModal>,
    );
    expect(html).toContain('<button variant="primary" disabled="">Make primary</button><button>Cancel</button>');
  });
});

describe("PromotionPreview", () => {
  it("shows the changes, the new roles, that passports keep their links, and the fields the former primary keeps", () => {
    const out = text(render(<PromotionPreview summary={summary} />));
    expect(out).toContain("Shopify will decide which variants belong to which product");
    expect(out).toContain("Excel becomes a secondary integration: it only adds its values to existing variants, matched by SKU.");
    expect(out).toContain("2 products split: their variants go to several products");
    expect(out).toContain("1 product takes in variants from other products");
    expect(out).toContain("5 variants move to another product");
    expect(out).toContain("3 variants Shopify has no record of: they stay where they are");
    expect(out).not.toContain("created");
    expect(out).toContain("These changes are made by a full sync of Shopify, which starts when you confirm. Nothing changes before.");
    expect(out).toContain("printed labels keep working");
    expect(out).toContain("Field ownership does not change: Excel keeps writing Title and Materials.");
  });

  it("says when nothing is regrouped, and when a paused integration's sync waits", () => {
    const same = { ...summary, productsSplit: 0, productsMerged: 0, variantsMoved: 0, variantsUnmatched: 0 };
    expect(text(render(<PromotionPreview summary={same} />))).toContain("Shopify groups your variants exactly as your catalog does now: no product changes.");
    expect(text(render(<PromotionPreview summary={summary} paused />))).toContain("Shopify is paused: these changes are made by its next full sync, when you resume it.");
  });

  it("for Excel, which cannot be previewed, points to the next upload's preview", () => {
    const out = text(render(<PromotionPreview summary={{ ...summary, integration: "excel", previewed: false, formerPrimary: { integration: "shopify", matchBy: "barcode", ownedFields: [] } }} />));
    expect(out).toContain("Your products stay as they are until your next upload");
    expect(out).toContain("matched by barcode");
    expect(out).not.toContain("Field ownership does not change");
  });

  it("after the promotion, says the new roles and when the regrouping happens", () => {
    expect(promotedMessage({ ...summary, dryRun: false, syncStarted: true })).toBe(
      "Shopify is now the primary integration. Excel is now a secondary integration. A full sync of Shopify has started: it regroups your variants by Shopify's products. Every passport keeps its address and QR code.",
    );
    expect(promotedMessage({ ...summary, dryRun: false })).toContain("Shopify is paused: its next full sync, when you resume it, regroups");
    expect(promotedMessage({ ...summary, integration: "excel", formerPrimary: null, previewed: false })).toBe(
      "Excel is now the primary integration. Your next upload regroups your variants by its products. Every passport keeps its address and QR code.",
    );
  });
});

describe("PromotionPreviewProgress", () => {
  const running: PromotionPreviewView = {
    runId: "pp1",
    integrationId: "i1",
    integration: "shopify",
    status: "running",
    phase: "fetching",
    processed: 0,
    total: 1200,
    estimated: true,
    summary: null,
    message: null,
    startedAt: "2026-11-28T10:00:00.000Z",
    finishedAt: null,
  };

  it("shows a progress bar, what the preview is doing, and that the merchant need not wait", () => {
    const html = render(<PromotionPreviewProgress preview={running} />);
    expect(html).toMatch(/<progress[^>]*value="5"[^>]*max="100"/);
    expect(html).toContain('aria-labelledby="promotion-progress-pp1"');
    const out = text(html);
    expect(out).toContain("Passport reads every record of Shopify as the primary would, and compares it with your catalog. Nothing changes meanwhile.");
    expect(out).toContain("Shopify is exporting your catalog (about 1,200 products) for Passport. For a large catalog this takes a few minutes.");
    expect(out).toContain("You can close this window: the preview goes on, and Make primary shows it again.");
  });

  it("measures the comparison against the total, an estimated one only while it holds", () => {
    expect(previewProgress({ ...running, phase: "merging", processed: 600 })).toEqual({ percent: 50, text: "Comparing Shopify's products with your catalog: 600 of about 1,200 products." });
    expect(previewProgress({ ...running, phase: "merging", processed: 1000, total: 1000, estimated: false })).toEqual({
      percent: 95,
      text: "Comparing Shopify's products with your catalog: 1,000 of 1,000 products.",
    });
    // More than the last sync read: no "of about", and the bar does not run past the end.
    expect(previewProgress({ ...running, phase: "merging", processed: 1500 })).toEqual({ percent: 50, text: "Comparing Shopify's products with your catalog: 1,500 products so far." });
    expect(previewProgress({ ...running, total: null, estimated: false })).toMatchObject({ text: "Shopify is exporting your catalog for Passport. For a large catalog this takes a few minutes." });
    expect(previewProgress({ ...running, phase: "summarizing" })).toEqual({ percent: 98, text: "Adding up what would change…" });
  });
});

describe("DisconnectNotice", () => {
  it("says the integration stops and releases its fields, and that its data and the passports stay", () => {
    const out = text(render(<DisconnectNotice kind="excel" ownedFields={["materials", "careInstructions"]} />));
    expect(out).toContain("Excel stops syncing, and files uploaded but not imported yet can no longer be imported.");
    expect(out).toContain("The 2 fields it owns go back to nobody (Materials and Care instructions)");
    expect(out).toContain("Kept: every product, variant and value Excel brought, with its history, and every passport");
  });
});

describe("HoldBackNotice", () => {
  it("says the passports stop answering and what is kept", () => {
    const out = text(render(<HoldBackNotice productTitle="Linen shirt" passports={3} />));
    expect(out).toContain('The 3 passports of Linen shirt will not be published: their public pages, QR codes and GS1 Digital Links answer "not found"');
    expect(out).toContain("Kept: every passport with its versions, its address and its QR code.");
    expect(text(render(<HoldBackNotice productTitle="Cap" passports={1} />))).toContain("The passport of Cap will not be published: its public page");
  });
});
