// What an Excel upload would change (its preview run) and what it changed (its commit run),
// archiving included: variants a file leaves out of the products it lists are archived.
import { Banner, BlockStack, InlineGrid, Text } from "@shopify/polaris";
import type { RunView } from "../sync/runs.server";

type RunCounts = Pick<RunView, "counts" | "details">;

export function UploadCounts({ run }: { run: RunCounts }) {
  const products = run.details.products;
  const archived = run.counts.archived;
  const items = [
    ["Variants to create", run.counts.created],
    ["Variants to update", run.counts.updated],
    ["Unchanged", run.counts.unchanged],
    ["Values skipped (owned by another source)", run.counts.skipped],
    ["Rows that match no variant", run.counts.unmatched],
    ["Variants to archive (not in this file)", archived],
    ["Products to create", products?.created ?? 0],
    ["Products to update", products?.updated ?? 0],
    ["Products to archive", products?.archived ?? 0],
  ] as const;
  return (
    <BlockStack gap="300">
      {archived > 0 ? (
        <Banner tone="warning" title={`${archived.toLocaleString("en")} ${archived === 1 ? "variant" : "variants"} will be archived`}>
          <p>
            Products in this file have variants it does not list. Those variants are archived: they stay in the catalog, their passports stay reachable, and they return when a later file
            lists them again. If they are still sold, add their rows before importing.
          </p>
        </Banner>
      ) : null}
      <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
        {items.map(([label, value]) => (
          <BlockStack key={label} gap="050">
            <Text as="p" variant="headingLg">
              {value.toLocaleString("en")}
            </Text>
            <Text as="p" tone="subdued">
              {label}
            </Text>
          </BlockStack>
        ))}
      </InlineGrid>
    </BlockStack>
  );
}

/** The line under "… was imported". */
export function importedSummary(run: Pick<RunView, "counts">): string {
  const c = run.counts;
  return `${c.created} variants created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.archived} archived.`;
}
