// Sync history: one row per run, with counts, progress while it runs, and expandable errors.
// Every word the history uses for a run is here: what started it, what kind of run it was, and how
// its problems are counted. Previews and checks of a refused file save nothing, so they are told
// apart from syncs, in a neutral tone; runs that changed nothing are shown quietly.
import { useState } from "react";
import { Badge, BlockStack, Box, Button, Collapsible, InlineStack, List, ProgressBar, Text } from "@shopify/polaris";
import { recordName, type RecordRef } from "../sync/records";
import type { RunTrigger, RunView } from "../sync/runs.server";
import { formatDate, RunStatusBadge } from "./status";


/**
 * What a run was, for the merchant: a sync (it saved, or failed to), a preview (a dry run: a
 * promotion's, or an Excel file's check, nothing saved), or the check of a file that cannot be
 * imported (refused, or with problems to fix first: nothing saved either).
 */
export type RunKind = "sync" | "preview" | "fileCheck";

/** What the code that started a background preview marked it as (RunContext.preview), if it is one. */
function previewOf(run: Pick<RunView, "details">): unknown {
  return (run.details.context as { preview?: unknown } | undefined)?.preview;
}

export function runKind(run: Pick<RunView, "trigger" | "status" | "details" | "errorCount">): RunKind {
  // A file Passport refused (recordRefusedRun): only an upload's check is refused so.
  if (run.trigger === "upload" && run.status === "failed" && run.details.refused === true) return "fileCheck";
  const preview = previewOf(run);
  // A check that found problems in the file's rows: the file cannot be imported as it is.
  if (run.trigger === "upload" && run.status === "preview" && run.errorCount > 0) return "fileCheck";
  if (preview !== undefined || run.status === "preview") return "preview";
  return "sync";
}

/** What started a run, as a merchant says it (one label per trigger: a new trigger needs its own). */
const TRIGGER_LABEL: Record<RunTrigger, string> = {
  install: "First sync after install",
  scheduled: "Automatic sync",
  webhook: "Shopify changes",
  manual: "Sync now",
  upload: "Excel import",
};

/** What started a run, as the history names it: a promotion's preview (RunContext) is no "Sync now", a file's check no import. */
export function runOrigin(run: Pick<RunView, "trigger" | "status" | "details" | "errorCount">): string {
  if (previewOf(run) === "promotion") return "Preview of making it primary";
  if (run.trigger === "upload" && runKind(run) !== "sync") return "Excel check";
  return TRIGGER_LABEL[run.trigger as RunTrigger] ?? run.trigger;
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

/** A preview's counts: what the run would have done, and that nothing was saved. */
export function previewCountsLine(counts: RunView["counts"]): string {
  const n = (k: number) => k.toLocaleString("en");
  const parts = [
    `${n(counts.created)} to create`,
    `${n(counts.updated)} to update`,
    `${n(counts.unchanged)} unchanged`,
    counts.archived ? `${n(counts.archived)} to archive` : "",
    counts.unmatched ? `${n(counts.unmatched)} unmatched` : "",
    counts.failed ? `${n(counts.failed)} with problems` : "",
  ].filter(Boolean);
  return `Preview, nothing was saved: ${parts.join(" · ")}`;
}

/** What the button that opens a run's problems says: only the parts that are not zero, in the singular or plural. */
export function problemsButtonLabel(kind: RunKind, errors: number, unmatched: number): string {
  if (kind === "fileCheck") return `Show ${countOf(errors + unmatched, "problem", "problems")}`;
  const parts = [errors ? countOf(errors, "error", "errors") : "", unmatched ? countOf(unmatched, "unmatched record", "unmatched records") : ""].filter(Boolean);
  return `Show ${parts.join(" and ")}`;
}

/** The neutral badge of a run that saved nothing and did not finish: a refused file's check, or a preview cut short. */
export function notSavedBadgeText(run: Pick<RunView, "trigger" | "status" | "details" | "errorCount">): string | null {
  const kind = runKind(run);
  if (kind === "fileCheck") return run.errorCount > 0 ? `File check: ${countOf(run.errorCount, "problem", "problems")}` : "File check: not imported";
  if (kind === "preview" && run.status === "failed") return "Preview not finished";
  return null;
}

/**
 * A sync that changed nothing: it succeeded without creating, updating or archiving anything, and
 * without a problem (the echo of the app's own write-back to Shopify, a schedule with nothing new).
 */
export function changedNothing(run: RunView): boolean {
  const c = run.counts;
  return runKind(run) === "sync" && run.status === "succeeded" && c.created + c.updated + c.archived + c.unmatched + c.failed === 0 && run.errorCount === 0;
}

/** The history's rows: a run, or consecutive runs that changed nothing, shown as one quiet row. */
export type HistoryRow = { quiet: false; run: RunView } | { quiet: true; runs: RunView[] };

export function historyRows(runs: RunView[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const run of runs) {
    const last = rows.at(-1);
    if (!changedNothing(run)) rows.push({ quiet: false, run });
    else if (last?.quiet) last.runs.push(run);
    else rows.push({ quiet: true, runs: [run] });
  }
  return rows;
}

/** "Shopify · Sync now · 3 Mar 2025, 10:00 · attempt 2": which integration, what started the run, when. */
function runTitle(run: RunView): string {
  return `${runOrigin(run)} · ${formatDate(run.startedAt ?? run.createdAt)}${run.attempt > 1 ? ` · attempt ${run.attempt}` : ""}`;
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
  const kind = runKind(run);
  const unmatched = run.details.unmatched?.length ?? 0;
  const hasDetails = run.errorCount > 0 || unmatched > 0;
  const notSaved = notSavedBadgeText(run);
  return (
    <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="150">
        <InlineStack gap="200" blockAlign="center" wrap>
          {notSaved ? <Badge>{notSaved}</Badge> : <RunStatusBadge status={run.status} failed={run.counts.failed} />}
          <Text as="span" fontWeight="semibold">
            {labels[run.integration] ?? run.integration}
          </Text>
          <Text as="span" tone="subdued">
            {runTitle(run)}
          </Text>
        </InlineStack>
        {run.status === "running" || run.status === "queued" ? <RunProgress run={run} /> : null}
        {run.status === "succeeded" ? <Text as="p">{countsLine(run)}</Text> : null}
        {run.status === "preview" && kind === "preview" ? <Text as="p">{previewCountsLine(run.counts)}</Text> : null}
        {run.message ? (
          // A sync's failure is the merchant's to act on; a refused file or an unfinished preview saved nothing.
          <Text as="p" tone={kind === "sync" ? "critical" : "subdued"}>
            {run.message}
          </Text>
        ) : null}
        {hasDetails ? (
          <>
            <Box>
              <Button variant="plain" onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls={`run-${run.id}`}>
                {open ? "Hide details" : problemsButtonLabel(kind, run.errorCount, unmatched)}
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

function QuietRunLine({ run, labels }: { run: RunView; labels: Record<string, string> }) {
  return (
    <Text as="p" tone="subdued">
      {labels[run.integration] ?? run.integration} · {runTitle(run)} · no changes ({run.counts.unchanged.toLocaleString("en")} unchanged)
    </Text>
  );
}

/** Consecutive syncs that changed nothing: the latest in one subdued line, the earlier ones behind a button. */
function QuietRuns({ runs, labels }: { runs: RunView[]; labels: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  const [latest, ...earlier] = runs;
  const id = `quiet-${latest.id}`;
  return (
    <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="100">
        <QuietRunLine run={latest} labels={labels} />
        {earlier.length ? (
          <>
            <Box>
              <Button variant="plain" onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls={id}>
                {open ? "Hide" : `Show ${countOf(earlier.length, "earlier sync", "earlier syncs")} with no changes`}
              </Button>
            </Box>
            <Collapsible id={id} open={open}>
              <BlockStack gap="100">
                {earlier.map((run) => (
                  <QuietRunLine key={run.id} run={run} labels={labels} />
                ))}
              </BlockStack>
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
      {historyRows(runs).map((row) => (row.quiet ? <QuietRuns key={row.runs[0].id} runs={row.runs} labels={labels} /> : <RunRow key={row.run.id} run={row.run} labels={labels} />))}
    </BlockStack>
  );
}
