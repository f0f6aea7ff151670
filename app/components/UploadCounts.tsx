// What an Excel upload would change (its preview run: counts, and the changes old → new) and what
// it changed (its commit run), archiving included: variants a file leaves out of the products it
// lists are archived.
import { Banner, BlockStack, DataTable, InlineGrid, List, Text } from "@shopify/polaris";
import type { CSSProperties, ReactNode } from "react";
import { issueLine, type CellIssue } from "../integrations/excel/issues";
import type { ShownChange } from "../integrations/excel/uploads.server";
import type { MatchBy } from "../sync/merge";
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
 * how many more there are (`total`: how many in all, when only some were kept; `moreWhere`: where
 * they are listed, " in the marked file").
 */
export function UploadIssues({ issues, shown, total = issues.length, moreWhere = "" }: { issues: readonly CellIssue[]; shown: number; total?: number; moreWhere?: string }) {
  const more = total - Math.min(shown, issues.length);
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

/** Unmatched rows listed in a preview; the count says how many there are in all. */
const SHOWN_UNMATCHED = 20;

type Unmatched = NonNullable<RunView["details"]["unmatched"]>[number];

/**
 * An unmatched row as a line of the list: where it is in the file, what it was looked for by (its
 * SKU or barcode; what names it otherwise), and why it is left out. The merge leaves a row
 * unmatched for one reason per setting: it matches no variant, or (when asked to create products)
 * its product is already in the catalog, where the primary integration defines its variants.
 */
function unmatchedIssue(u: Unmatched, createMissing: boolean, matchBy: MatchBy): CellIssue {
  const by = matchBy === "sku" ? "SKU" : "barcode";
  const named = u.identifier ? `${by} ${u.identifier}` : u.externalId;
  const reason = createMissing
    ? "its product is already in your catalog, so it is not created"
    : u.identifier
      ? "matches no variant in your catalog"
      : `no ${by}, so it matches no variant in your catalog`;
  return { sheet: u.ref?.sheet ?? "", row: u.ref?.row ?? 0, column: named, message: reason };
}

/**
 * The rows of a preview that match no variant and are left out of the import (the preview run's
 * unmatched records, as the sync history lists them), each with why and what to do.
 */
export function UnmatchedRows({ run, createMissing, matchBy }: { run: Pick<RunView, "counts" | "details">; createMissing: boolean; matchBy: MatchBy }) {
  const count = run.counts.unmatched;
  if (count === 0) return null;
  const by = matchBy === "sku" ? "SKU" : "barcode";
  const issues = (run.details.unmatched ?? []).map((u) => unmatchedIssue(u, createMissing, matchBy));
  return (
    <Banner tone="warning" title={`${countOf(count, "row", "rows")} will not be imported`}>
      <BlockStack gap="200">
        <p>
          {createMissing
            ? `Their products are already in your catalog, and new variants of those products come from your primary integration, which defines them. Add these variants there, or correct their ${by} if they should update a variant you have.`
            : `They match no variant in your catalog by ${by}. Correct their ${by} if they should update a variant, or upload the file again with "Also create products that exist nowhere else" ticked to create them as new products.`}
        </p>
        <UploadIssues issues={issues} shown={SHOWN_UNMATCHED} total={count} />
      </BlockStack>
    </Banner>
  );
}

/**
 * In place of "Import" when the file would change nothing, and why: its rows agree with the
 * catalog, and the rest is left out (`unmatched` rows, `skipped` values of fields it does not own).
 */
export function NothingToImport({ unmatched, skipped }: { unmatched: number; skipped: number }) {
  const why = [
    unmatched > 0 ? "the rows that match a variant already agree with your catalog" : "its rows already agree with your catalog",
    skipped > 0 ? "values of fields another source owns, or that are edited by hand, are not written (see above)" : "",
    unmatched > 0 ? "the other rows are left out (listed above)" : "",
  ].filter(Boolean);
  return (
    <Banner tone="info" title="Nothing to import">
      <p>
        Importing this file would change nothing: {why.join("; ")}.{unmatched > 0 || skipped > 0 ? " Correct the file and upload it again, or cancel this upload." : ""}
      </p>
    </Banner>
  );
}

/** Changes listed on the page; the count says how many there are in all. */
const SHOWN_CHANGES = 200;
/** A value's characters shown in the list (the product page shows it whole). */
const SHOWN_CHARS = 80;

function shortened(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

// Table cells do not wrap (Polaris): a long value pushed the last columns out of view. In the
// changes' list, names wrap between words (a handle at its hyphens), and values at any character
// if they must (a URL), so the table fits its column.
const WRAPS: CSSProperties = { display: "block", whiteSpace: "normal", overflowWrap: "break-word" };
const WRAPS_VALUE: CSSProperties = { ...WRAPS, overflowWrap: "anywhere", minWidth: "8em" };

/** A cell's text that wraps; `full`: the whole of a shortened text, shown on hover. */
function Wrapping({ children, full, style = WRAPS }: { children: ReactNode; full?: string; style?: CSSProperties }) {
  return (
    <span style={style} title={full}>
      {children}
    </span>
  );
}

/** A value of a change (stored as JSON) as the product page shows it (ShownValue), shortened (its whole text on hover). */
function ChangedValue({ change, json, text }: { change: ShownChange; json: string; text: string | undefined }) {
  // Previews stored before the field's kind was kept: the value as stored.
  if (!change.kind) {
    return (
      <Wrapping style={WRAPS_VALUE} full={json.length > SHOWN_CHARS ? json : undefined}>
        {shortened(json)}
      </Wrapping>
    );
  }
  const field = { kind: change.kind, unit: change.unit };
  const value: unknown = JSON.parse(json);
  const whole = text ?? displayValue(field, value);
  return (
    <Wrapping style={WRAPS_VALUE} full={whole.length > SHOWN_CHARS ? whole : undefined}>
      <ShownValue field={field} value={value} text={shortened(whole)} />
    </Wrapping>
  );
}

/** The preview's changes, old → new, per row of the file and the product and variant it names. */
export function UploadChanges({ changes, count }: { changes: readonly ShownChange[]; count: number }) {
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        Changes ({count.toLocaleString("en")})
      </Text>
      <DataTable
        columnContentTypes={["numeric", "text", "text", "text", "text", "text"]}
        headings={["Row", "Product", "Variant (SKU)", "Field", "Now", "After import"]}
        rows={changes
          .slice(0, SHOWN_CHANGES)
          .map((c) => [
            c.row ?? "",
            <Wrapping key="handle">{c.handle ?? ""}</Wrapping>,
            <Wrapping key="sku">{c.entity === "product" ? "All variants" : (c.sku ?? "")}</Wrapping>,
            <Wrapping key="field">{`${c.field}${c.locale ? ` [${c.locale}]` : ""}`}</Wrapping>,
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
