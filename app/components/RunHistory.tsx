// Sync history: one row per run, with counts, progress while it runs, and expandable errors.
import { useState } from "react";
import { BlockStack, Box, Button, Collapsible, InlineStack, List, ProgressBar, Text } from "@shopify/polaris";
import { recordName, type RecordRef } from "../sync/records";
import type { RunView } from "../sync/runs.server";
import { formatDate, RunStatusBadge } from "./status";

const TRIGGER_LABEL: Record<string, string> = { scheduled: "Scheduled", webhook: "Shopify change", manual: "Sync now", upload: "Upload" };
/** What started a run, as the history names it: a promotion's preview (RunContext) is no "Sync now". */
export function runOrigin(run: Pick<RunView, "trigger" | "details">): string {
  if ((run.details.context as { preview?: unknown } | undefined)?.preview === "promotion") return "Preview of making it primary";
  return TRIGGER_LABEL[run.trigger] ?? run.trigger;
}
const PHASE_LABEL: Record<string, string> = {
  fetching: "Fetching records",
  merging: "Comparing with the catalog",
  applying: "Comparing with the catalog and saving changes",
  passports: "Updating passports",
};

export function RunProgress({ run }: { run: RunView }) {
  const percent = run.phase === "passports" ? 95 : run.total ? Math.min(95, Math.round((run.processed / run.total) * 95)) : 10;
  const label = run.total ? `${run.processed.toLocaleString("en")} of ${run.total.toLocaleString("en")} records` : `${run.processed.toLocaleString("en")} records so far`;
  return (
    <BlockStack gap="100">
      <ProgressBar progress={percent} size="small" tone="primary" animated />
      <Text as="p" variant="bodySm" tone="subdued">
        {PHASE_LABEL[run.phase ?? ""] ?? "Waiting to start"} · {label}
      </Text>
    </BlockStack>
  );
}

/** "1 variant", "2 variants", "1,204 variants". */
export function countOf(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/**
 * A run's counts as the history and an import's result say them: created, updated and unchanged,
 * then those of archived, unmatched, failed and skipped that are not zero. `unit` names what the
 * created ones are ("variant"), when the line says.
 */
export function countsParts(counts: RunView["counts"], unit?: { one: string; many: string }): string[] {
  const c = counts;
  const n = (k: number) => k.toLocaleString("en");
  return [
    unit ? `${countOf(c.created, unit.one, unit.many)} created` : `${n(c.created)} created`,
    `${n(c.updated)} updated`,
    `${n(c.unchanged)} unchanged`,
    c.archived ? `${n(c.archived)} archived` : "",
    c.unmatched ? `${n(c.unmatched)} unmatched` : "",
    c.failed ? `${n(c.failed)} failed` : "",
    c.skipped ? `${countOf(c.skipped, "value", "values")} skipped (owned by another source)` : "",
  ].filter(Boolean);
}

function countsLine(run: RunView): string {
  return countsParts(run.counts).join(" · ");
}

/**
 * A record's problem, the record named as the merchant knows it (recordName: its row, or its
 * product and variant), and the source's own id (a Shopify GID) in small print for support.
 */
function RecordProblem({ externalId, where, message }: { externalId: string; where?: RecordRef; message: string }) {
  const name = recordName(where, externalId);
  return (
    <List.Item>
      {name}: {message}
      {name !== externalId && !where?.row ? (
        <>
          {" "}
          <Text as="span" variant="bodySm" tone="subdued">
            ({externalId})
          </Text>
        </>
      ) : null}
    </List.Item>
  );
}

/** A run's failed and unmatched records. */
export function RunProblems({ run }: { run: Pick<RunView, "errors" | "details"> }) {
  return (
    <List type="bullet">
      {run.errors.map((e, i) => (
        <RecordProblem key={`e${i}`} externalId={e.externalId} where={e.ref} message={e.message} />
      ))}
      {(run.details.unmatched ?? []).map((u, i) => (
        <RecordProblem key={`u${i}`} externalId={u.externalId} where={u.ref} message={u.identifier ? `${u.identifier} matches no variant` : "matches no variant"} />
      ))}
    </List>
  );
}

function RunRow({ run, labels }: { run: RunView; labels: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  const hasDetails = run.errorCount > 0 || (run.details.unmatched?.length ?? 0) > 0;
  return (
    <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="150">
        <InlineStack gap="200" blockAlign="center" wrap>
          <RunStatusBadge status={run.status} failed={run.counts.failed} />
          <Text as="span" fontWeight="semibold">
            {labels[run.integration] ?? run.integration}
          </Text>
          <Text as="span" tone="subdued">
            {runOrigin(run)}
            {run.scope === "partial" ? " (partial)" : ""} · {formatDate(run.startedAt ?? run.createdAt)}
            {run.attempt > 1 ? ` · attempt ${run.attempt}` : ""}
          </Text>
        </InlineStack>
        {run.status === "running" || run.status === "queued" ? <RunProgress run={run} /> : null}
        {run.status === "succeeded" || run.status === "preview" ? <Text as="p">{countsLine(run)}</Text> : null}
        {run.message ? (
          <Text as="p" tone="critical">
            {run.message}
          </Text>
        ) : null}
        {hasDetails ? (
          <>
            <Box>
              <Button variant="plain" onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls={`run-${run.id}`}>
                {open ? "Hide details" : `Show ${run.errorCount} errors and ${run.details.unmatched?.length ?? 0} unmatched records`}
              </Button>
            </Box>
            <Collapsible id={`run-${run.id}`} open={open}>
              <RunProblems run={run} />
            </Collapsible>
          </>
        ) : null}
      </BlockStack>
    </Box>
  );
}

export function RunHistory({ runs, labels }: { runs: RunView[]; labels: Record<string, string> }) {
  if (runs.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No syncs yet.
      </Text>
    );
  }
  return (
    <BlockStack>
      {runs.map((run) => (
        <RunRow key={run.id} run={run} labels={labels} />
      ))}
    </BlockStack>
  );
}
