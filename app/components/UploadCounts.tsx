// What an Excel upload would change (its preview run: counts, and the changes old → new) and what
// it changed (its commit run), archiving included: variants a file leaves out of the products it
// lists are archived.
import { Banner, BlockStack, DataTable, InlineGrid, List, Text } from "@shopify/polaris";
import { issueLine, type CellIssue } from "../integrations/excel/issues";
import type { ShownChange } from "../integrations/excel/uploads.server";
import type { RunView } from "../sync/runs.server";
import { displayValue, ShownValue } from "./FieldEditor";
import { countOf, countsParts, RunProblems } from "./RunHistory";

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

/** The line under "… was imported": every count of its run that says something (countsParts). */
export function importedSummary(run: Pick<RunView, "counts">): string {
  return `${countsParts(run.counts, { one: "variant", many: "variants" }).join(", ")}.`;
}

/**
 * What became of an upload sent to be imported: its counts once committed; when its run failed
 * (all or nothing: nothing was saved), why, and the records that stopped it, by row.
 */
export function UploadOutcome({ fileName, status, run }: { fileName: string; status: "committed" | "failed"; run: RunView | null }) {
  if (status === "committed") {
    return (
      <Banner tone="success" title={`${fileName} was imported`}>
        {run ? <p>{importedSummary(run)}</p> : null}
      </Banner>
    );
  }
  const listed = run ? run.errors.length + (run.details.unmatched?.length ?? 0) : 0;
  const unlisted = run ? run.errorCount - run.errors.length : 0;
  return (
    <Banner tone="critical" title={`${fileName} was not imported`}>
      <BlockStack gap="200">
        <p>{run?.message ?? "Nothing was saved."}</p>
        {run && listed > 0 ? <RunProblems run={run} /> : null}
        {unlisted > 0 ? <p>… and {countOf(unlisted, "more problem", "more problems")}.</p> : null}
      </BlockStack>
    </Banner>
  );
}

/**
 * An upload's problems (errors or warnings), each by its row and column: the first `shown`, then
 * how many more there are (`moreWhere`: where they are listed, " in the marked file").
 */
export function UploadIssues({ issues, shown, moreWhere = "" }: { issues: readonly CellIssue[]; shown: number; moreWhere?: string }) {
  const more = issues.length - shown;
  return (
    <BlockStack gap="100">
      <List type="bullet">
        {issues.slice(0, shown).map((issue, i) => (
          <List.Item key={i}>{issueLine(issue)}</List.Item>
        ))}
      </List>
      {more > 0 ? (
        <Text as="p">
          … and {more.toLocaleString("en")} more{moreWhere}.
        </Text>
      ) : null}
    </BlockStack>
  );
}

/** Changes listed on the page; the count says how many there are in all. */
const SHOWN_CHANGES = 200;
/** A value's characters shown in the list (the product page shows it whole). */
const SHOWN_CHARS = 80;

function shortened(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

/** A value of a change (stored as JSON) as the product page shows it (ShownValue), shortened. */
function ChangedValue({ change, json, text }: { change: ShownChange; json: string; text: string | undefined }) {
  // Previews stored before the field's kind was kept: the value as stored.
  if (!change.kind) return shortened(json);
  const field = { kind: change.kind, unit: change.unit };
  const value: unknown = JSON.parse(json);
  return <ShownValue field={field} value={value} text={shortened(text ?? displayValue(field, value))} />;
}

/** The preview's changes, old → new, per row of the file. */
export function UploadChanges({ changes, count }: { changes: readonly ShownChange[]; count: number }) {
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        Changes ({count.toLocaleString("en")})
      </Text>
      <DataTable
        columnContentTypes={["numeric", "text", "text", "text"]}
        headings={["Row", "Field", "Now", "After import"]}
        rows={changes
          .slice(0, SHOWN_CHANGES)
          .map((c) => [
            c.row ?? "",
            `${c.field}${c.locale ? ` [${c.locale}]` : ""}`,
            c.oldValue === null ? "—" : <ChangedValue change={c} json={c.oldValue} text={c.oldText} />,
            c.newValue === null ? "(cleared)" : <ChangedValue change={c} json={c.newValue} text={c.newText} />,
          ])}
      />
    </BlockStack>
  );
}

/** Warnings listed on the page; the count says how many there are in all. */
const SHOWN_WARNINGS = 20;

/** A preview's warnings: values left out of the import, and why, by row and column. */
export function UploadWarnings({ warnings }: { warnings: readonly CellIssue[] }) {
  return (
    <Banner tone="warning" title={countOf(warnings.length, "warning", "warnings")}>
      <UploadIssues issues={warnings} shown={SHOWN_WARNINGS} />
    </Banner>
  );
}
