// What the confirmations of the admin's consequential actions say: what will happen, and what is
// kept. Shown in a ConfirmModal before anything is submitted.
import { Banner, List, ProgressBar, Text } from "@shopify/polaris";
import { fieldDef, isFieldKey } from "../catalog/fields";
import { kindLabel } from "../integrations/kinds";
import type { PromotionPreviewView, PromotionSummary } from "../integrations/promote.server";


function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** "a, b and c" */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const PASSPORTS_KEPT = "Every variant keeps its passport: its public page, QR code and GS1 Digital Link stay the same, so printed labels keep working.";

/**
 * The preview of making `summary.integration` the primary (a dry run of its records merged as the
 * primary): what its structure changes, who becomes secondary, and what does not move.
 */
export function PromotionPreview({ summary, paused = false }: { summary: PromotionSummary; paused?: boolean }) {
  const next = kindLabel(summary.integration);
  const former = summary.formerPrimary;
  const changes = [
    [summary.productsSplit, count(summary.productsSplit, "product split: its variants go to several products", "products split: their variants go to several products")],
    [summary.productsMerged, count(summary.productsMerged, "product takes in variants from other products", "products take in variants from other products")],
    [summary.productsCreated, count(summary.productsCreated, "product created", "products created")],
    [summary.variantsMoved, count(summary.variantsMoved, "variant moves to another product", "variants move to another product")],
    [summary.variantsCreated, count(summary.variantsCreated, "new variant", "new variants")],
    [
      summary.productsArchived,
      `${count(summary.productsArchived, "product", "products")} archived: ${next} has none of ${summary.productsArchived === 1 ? "its" : "their"} variants (passports stay online, marked as no longer sold)`,
    ],
    [summary.variantsUnmatched, `${count(summary.variantsUnmatched, "variant", "variants")} ${next} has no record of: ${summary.variantsUnmatched === 1 ? "it stays where it is" : "they stay where they are"}`],
  ] as const;
  const shown = changes.filter(([n]) => n > 0);
  const owned = (former?.ownedFields ?? []).filter(isFieldKey).map((f) => fieldDef(f).label);
  return (
    <>
      <Text as="p">
        {next} will decide which variants belong to which product, and new products will come from it.
        {former
          ? ` ${kindLabel(former.integration)} becomes a secondary integration: it only adds its values to existing variants, matched by ${former.matchBy === "barcode" ? "barcode" : "SKU"}.`
          : ""}
      </Text>
      {summary.previewed ? (
        shown.length ? (
          <>
            <Text as="p" fontWeight="semibold">
              What {next}&apos;s products change in your catalog:
            </Text>
            <List type="bullet">
              {shown.map(([, line]) => (
                <List.Item key={line}>{line}</List.Item>
              ))}
            </List>
            <Text as="p">
              {paused
                ? `${next} is paused: these changes are made by its next full sync, when you resume it.`
                : `These changes are made by a full sync of ${next}, which starts when you confirm. Nothing changes before.`}
            </Text>
          </>
        ) : (
          <Text as="p">{next} groups your variants exactly as your catalog does now: no product changes.</Text>
        )
      ) : (
        <Text as="p">
          Your products stay as they are until your next upload: its preview shows how {next} groups your variants before anything is imported.
        </Text>
      )}
      <Banner tone="info">
        <p>{PASSPORTS_KEPT}</p>
      </Banner>
      {former && owned.length ? (
        <Text as="p" tone="subdued">
          Field ownership does not change: {kindLabel(former.integration)} keeps writing {listOf(owned)}. To have {next} write them instead, transfer them in Field
          ownership.
        </Text>
      ) : null}
    </>
  );
}

/** How far a running promotion preview is, and what it is doing, in the merchant's words. */
export function previewProgress(preview: Pick<PromotionPreviewView, "integration" | "phase" | "processed" | "total" | "estimated">): { percent: number; text: string } {
  const label = kindLabel(preview.integration);
  const { processed, total } = preview;
  switch (preview.phase) {
    case "fetching":
      return {
        percent: 5,
        text:
          preview.integration === "shopify"
            ? `Shopify is exporting your catalog${total ? ` (${preview.estimated ? "about " : ""}${count(total, "product", "products")})` : ""} for Passport. For a large catalog this takes a few minutes.`
            : `Reading ${label}'s records…`,
      };
    case "merging": {
      // An estimated total (the last sync's) can be passed: then only what was compared so far is said.
      const known = total !== null && total > 0 && processed <= total;
      return {
        percent: known ? Math.min(95, 5 + Math.round((processed / total) * 90)) : 50,
        text: `Comparing ${label}'s products with your catalog: ${
          known ? `${processed.toLocaleString("en")} of ${preview.estimated ? "about " : ""}${count(total, "product", "products")}` : `${count(processed, "product", "products")} so far`
        }.`,
      };
    }
    case "summarizing":
      return { percent: 98, text: "Adding up what would change…" };
    default:
      return { percent: 2, text: "Starting…" };
  }
}

/** A promotion preview being worked out: what it does, how far it is, and that the merchant need not wait here. */
export function PromotionPreviewProgress({ preview }: { preview: PromotionPreviewView }) {
  const { percent, text } = previewProgress(preview);
  const id = `promotion-progress-${preview.runId ?? preview.integrationId}`;
  return (
    <>
      <Text as="p">
        Working out what would change: Passport reads every record of {kindLabel(preview.integration)} as the primary would, and compares it with your catalog. Nothing
        changes meanwhile.
      </Text>
      <ProgressBar progress={percent} size="small" tone="primary" animated ariaLabelledBy={id} />
      <Text as="p" variant="bodySm" tone="subdued" id={id}>
        {text}
      </Text>
      <Text as="p" tone="subdued">
        You can close this window: the preview goes on, and Make primary shows it again.
      </Text>
    </>
  );
}

/** Disconnecting an integration: it stops, its fields are released, its data stays. */
export function DisconnectNotice({ kind, ownedFields }: { kind: string; ownedFields: readonly string[] }) {
  const label = kindLabel(kind);
  const owned = ownedFields.filter(isFieldKey).map((f) => fieldDef(f).label);
  return (
    <>
      <Text as="p">
        {label} stops syncing{kind === "excel" ? ", and files uploaded but not imported yet can no longer be imported" : ""}.
        {owned.length
          ? ` The ${count(owned.length, "field", "fields")} it owns ${owned.length === 1 ? "goes" : "go"} back to nobody (${listOf(owned)}): until you give ${owned.length === 1 ? "it" : "them"} to another integration in Field ownership, you edit ${owned.length === 1 ? "it" : "them"} by hand.`
          : ""}
      </Text>
      <Text as="p">
        Kept: every product, variant and value {label} brought, with its history, and every passport, so public pages and printed QR codes keep working. You can connect{" "}
        {label} again at any time: it finds its products again without duplicating them.
      </Text>
    </>
  );
}

/** Holding a product's passports back from publication. */
export function HoldBackNotice({ productTitle, passports }: { productTitle: string; passports: number }) {
  return (
    <>
      <Text as="p">
        {passports === 1 ? "The passport" : `The ${count(passports, "passport", "passports")}`} of {productTitle} will not be published: {passports === 1 ? "its" : "their"} public{" "}
        {passports === 1 ? "page, QR code and GS1 Digital Link answer" : "pages, QR codes and GS1 Digital Links answer"} &quot;not found&quot;, and if the product is in
        Shopify, {passports === 1 ? "its link is" : "their links are"} removed from it, so the storefront block stops showing {passports === 1 ? "it" : "them"}.
      </Text>
      <Text as="p">
        Kept: every passport with its versions, its address and its QR code. When you publish them again, the same links work again, labels already printed included.
      </Text>
    </>
  );
}

