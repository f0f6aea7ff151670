// One catalog field on the product page: its value and source, locked when an integration owns it,
// otherwise editable in place (validated on the server like any import), with its history.
import { Fragment, useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Collapsible, InlineError, InlineStack, Text, TextField, Tooltip } from "@shopify/polaris";
import type { FieldState, HistoryEntry } from "../catalog/catalog.server";

type Row = Record<string, string>;

const ROW_PARTS: Record<string, { key: string; label: string; numeric?: boolean }[]> = {
  materials: [
    { key: "material", label: "Material" },
    { key: "massPercent", label: "% of product", numeric: true },
    { key: "recycledPercent", label: "% recycled", numeric: true },
    { key: "originCountry", label: "Origin (ISO code)" },
  ],
  certifications: [
    { key: "name", label: "Name" },
    { key: "body", label: "Certified by" },
    { key: "validUntil", label: "Valid until (YYYY-MM-DD)" },
    { key: "url", label: "Link" },
  ],
  options: [
    { key: "name", label: "Option" },
    { key: "value", label: "Value" },
  ],
};

/** A value as text for display. */
export function displayValue(field: Pick<FieldState, "kind" | "unit">, value: unknown): string {
  if (value === null || value === undefined) return "—";
  switch (field.kind) {
    case "materials":
      return (value as { material: string; massPercent: number; recycledPercent?: number; originCountry?: string }[])
        .map((m) => `${m.massPercent}% ${m.material}${m.recycledPercent ? ` (${m.recycledPercent}% recycled)` : ""}${m.originCountry ? `, ${m.originCountry}` : ""}`)
        .join("; ");
    case "certifications":
      return (value as { name: string; body?: string; validUntil?: string }[]).map((c) => [c.name, c.body, c.validUntil && `until ${c.validUntil}`].filter(Boolean).join(", ")).join("; ");
    case "options":
      return (value as { name: string; value: string }[]).map((o) => `${o.name}: ${o.value}`).join(", ");
    case "imageList":
      return (value as { url: string }[]).map((i) => i.url).join("\n");
    case "stringList":
      return (value as string[]).join(", ");
    default:
      return `${String(value)}${field.unit ? ` ${field.unit}` : ""}`;
  }
}

/** How a stored value reads: the server's text for it where it has one (an HTML description's text, textOf), else displayValue. */
function shownValue(field: Pick<FieldState, "kind" | "unit">, value: unknown, text: string | undefined): string {
  if (text === undefined) return displayValue(field, value);
  return text === "" ? "—" : text;
}

/** A stored value as the merchant reads it (not as it is edited), its line breaks kept (paragraphs, one image per line). */
export function ShownValue({ field, value, text }: { field: Pick<FieldState, "kind" | "unit">; value: unknown; text?: string }) {
  return shownValue(field, value, text)
    .split("\n")
    .map((line, i) => (
      <Fragment key={i}>
        {i > 0 ? <br /> : null}
        {line}
      </Fragment>
    ));
}

/** A field's history, newest first, its values as they read. */
export function FieldHistory({ field, history }: { field: Pick<FieldState, "kind" | "unit">; history: HistoryEntry[] }) {
  return (
    <BlockStack gap="100">
      {history.map((h, i) => (
        <Text as="p" variant="bodySm" key={i}>
          {new Date(h.changedAt).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" })} · {h.source}
          {h.locale ? ` · ${h.locale}` : ""}: {h.oldValue === null ? "—" : shownValue(field, h.oldValue, h.oldText)} → {h.newValue === null ? "—" : shownValue(field, h.newValue, h.newText)}
        </Text>
      ))}
    </BlockStack>
  );
}

function toDraft(field: FieldState, value: unknown): string | Row[] {
  if (ROW_PARTS[field.kind]) return ((value as Row[] | undefined) ?? []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v ?? "")])));
  if (value === undefined || value === null) return "";
  if (field.kind === "imageList") return (value as { url: string }[]).map((i) => i.url).join("\n");
  if (field.kind === "stringList") return (value as string[]).join(", ");
  return String(value);
}

/**
 * A number as the merchant types it: a plain decimal with "." or "," as its decimal separator ("0,35"
 * is 0.35), an optional sign, spaces around it. Anything else ("1.234,5", "12 kg", "1e3") is refused
 * rather than guessed at: a misread number is saved as if it were right.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(trimmed) ? Number(trimmed.replace(",", ".")) : undefined;
}

/** Why a draft cannot be saved; in a table, the row and column of the cell at fault. */
interface Problem {
  error: string;
  row?: number;
  key?: string;
}

/** The draft as the JSON value the server validates, or the problem that keeps it from being one. */
function fromDraft(field: FieldState, draft: string | Row[]): { value: unknown } | Problem {
  if (Array.isArray(draft)) {
    const parts = ROW_PARTS[field.kind];
    const value: Record<string, string | number>[] = [];
    for (const [i, row] of draft.entries()) {
      // A row left blank is dropped, not refused.
      if (Object.values(row).every((v) => v.trim() === "")) continue;
      const entry: Record<string, string | number> = {};
      for (const p of parts) {
        const text = row[p.key]?.trim();
        if (!text) continue;
        if (!p.numeric) {
          entry[p.key] = text;
          continue;
        }
        const number = parseDecimal(text);
        if (number === undefined) return { error: `Row ${i + 1}, ${p.label}: “${text}” is not a number. Enter a number, such as 35 or 12.5.`, row: i, key: p.key };
        entry[p.key] = number;
      }
      value.push(entry);
    }
    return { value };
  }
  const text = draft.trim();
  // An emptied box clears the field: the server reads null as "no value".
  if (text === "") return { value: null };
  if (field.kind === "number") {
    const number = parseDecimal(text);
    return number === undefined ? { error: `“${text}” is not a number. Enter a number only, such as 0.35.` } : { value: number };
  }
  if (field.kind === "imageList") return { value: text.split(/\s*[\n,]\s*/).filter(Boolean).map((url) => ({ url })) };
  if (field.kind === "stringList") return { value: text.split(/\s*,\s*/).filter(Boolean) };
  return { value: draft };
}

/** A cell's id, so that an error about it is announced with it. */
const cellId = (id: string, row: number, key: string) => `${id}-${row}-${key}`;

function RowsEditor({ id, field, rows, invalid, onChange }: { id: string; field: FieldState; rows: Row[]; invalid?: Problem; onChange: (rows: Row[]) => void }) {
  const parts = ROW_PARTS[field.kind];
  return (
    <BlockStack gap="200">
      {rows.map((row, i) => (
        <InlineStack key={i} gap="200" wrap={false} blockAlign="end">
          {parts.map((p) => (
            <TextField
              key={p.key}
              id={cellId(id, i, p.key)}
              label={p.label}
              labelHidden={i > 0}
              value={row[p.key] ?? ""}
              onChange={(v) => onChange(rows.map((r, j) => (j === i ? { ...r, [p.key]: v } : r)))}
              autoComplete="off"
              // Text with a decimal keypad, not type="number": a number input drops a decimal comma
              // before the app sees it ("0,35" reads as 35 in Chromium, as nothing elsewhere).
              inputMode={p.numeric ? "decimal" : undefined}
              error={invalid?.row === i && invalid.key === p.key}
            />
          ))}
          <Button accessibilityLabel={`Remove row ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove
          </Button>
        </InlineStack>
      ))}
      <Box>
        <Button onClick={() => onChange([...rows, {}])}>Add a row</Button>
      </Box>
    </BlockStack>
  );
}

/**
 * What a field's button is called for assistive technology: a page has one Edit and one History
 * per field and variant, so each names its field, and its variant where it is a variant's
 * ("Edit Care instructions", "History of Barcode (GTIN), Size M").
 */
export function fieldActionLabel(action: "edit" | "history" | "hideHistory" | "save" | "cancel", field: Pick<FieldState, "label">, variantName?: string): string {
  const what = `${field.label}${variantName ? `, ${variantName}` : ""}`;
  switch (action) {
    case "edit":
      return `Edit ${what}`;
    case "history":
      return `History of ${what}`;
    case "hideHistory":
      return `Hide history of ${what}`;
    case "save":
      return `Save ${what}`;
    case "cancel":
      return `Cancel editing ${what}`;
  }
}

/** What it means that an integration owns a field: the owned field's badge says it on hover or focus. */
export function ownershipNotice(owner: string): string {
  return `Changes come from ${owner}: edits here would be overwritten on its next sync. Change the value in ${owner}, or switch off its ownership in Field ownership.`;
}

/** The same, once for all the fields an integration owns on a page. */
export function ownedFieldsNotice(owner: string): string {
  return `Fields marked “Owned by ${owner}” take their values from ${owner}: edits here would be overwritten on its next sync. Change them in ${owner}, or switch off their ownership in Field ownership.`;
}

/** A locked field's badge: who owns it, and (on hover or focus) what that means. No emoji: it shows as a box where no emoji font is installed. */
export function OwnerBadge({ owner }: { owner: string }) {
  return (
    <Tooltip content={ownershipNotice(owner)}>
      <Badge>{`Owned by ${owner}`}</Badge>
    </Tooltip>
  );
}

export function FieldEditor({ entityId, field, locale, history, variantName }: { entityId: string; field: FieldState; locale: string; history: HistoryEntry[]; variantName?: string }) {
  const fetcher = useFetcher<{ ok?: boolean; error?: string }>();
  const current = field.values.find((v) => v.locale === (field.kind === "localizedText" ? locale : "")) ?? field.values[0];
  const [editing, setEditing] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const [draft, setDraft] = useState<string | Row[]>(() => toDraft(field, current?.value));
  // The problem shown: the client's (a draft that is not a value) or the server's answer to a save.
  const [problem, setProblem] = useState<Problem>();
  const saving = fetcher.state !== "idle";
  const id = `${entityId}-${field.field}`;
  const historyId = `history-${id}`;

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.ok) setEditing(false);
    else if (fetcher.data.error) setProblem({ error: fetcher.data.error });
  }, [fetcher.state, fetcher.data]);

  // Opening or cancelling the editor starts over from the value as it is now (a sync or a save may
  // have changed it): an abandoned draft and its error are discarded, never saved later.
  const startOver = (open: boolean) => {
    setDraft(toDraft(field, current?.value));
    setProblem(undefined);
    setEditing(open);
  };

  const save = () => {
    const parsed = fromDraft(field, draft);
    // A draft that is not a value is not sent: sent as null, the server would clear the field.
    if ("error" in parsed) {
      setProblem(parsed);
      return;
    }
    setProblem(undefined);
    fetcher.submit(
      { intent: "edit", entityId, field: field.field, locale: field.kind === "localizedText" ? locale : "", value: JSON.stringify(parsed.value) },
      { method: "post" },
    );
  };

  const locked = field.writer !== null;
  const translations = field.kind === "localizedText" ? field.values.filter((v) => v.locale !== locale) : [];
  return (
    <Box paddingBlock="300" borderBlockEndWidth="025" borderColor="border-secondary">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="start" gap="200" wrap={false}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingSm">
                {field.label}
                {field.unit ? ` (${field.unit})` : ""}
              </Text>
              {/* The owner's badge says where an owned value comes from: the source's badge would repeat it. */}
              {current && !(locked && current.sourceId === field.writer!.id) ? <Badge tone={current.sourceId ? "info" : undefined}>{current.source}</Badge> : null}
              {locked ? <OwnerBadge owner={field.writer!.label} /> : null}
            </InlineStack>
            {!editing ? (
              <Text as="p" tone={current ? undefined : "subdued"} breakWord>
                {current ? <ShownValue field={field} value={current.value} text={current.text} /> : "Not set"}
              </Text>
            ) : null}
            {translations.map((t) => (
              <Text as="p" key={t.locale} tone="subdued" variant="bodySm">
                [{t.locale}] <ShownValue field={field} value={t.value} text={t.text} />
              </Text>
            ))}
          </BlockStack>
          <InlineStack gap="200">
            {history.length ? (
              <Button
                variant="plain"
                onClick={() => setShowHistory(!showHistory)}
                ariaExpanded={showHistory}
                ariaControls={historyId}
                accessibilityLabel={fieldActionLabel(showHistory ? "hideHistory" : "history", field, variantName)}
              >
                {showHistory ? "Hide history" : "History"}
              </Button>
            ) : null}
            {!locked && !editing ? (
              <Button onClick={() => startOver(true)} accessibilityLabel={fieldActionLabel("edit", field, variantName)}>
                Edit
              </Button>
            ) : null}
          </InlineStack>
        </InlineStack>
        {editing ? (
          <BlockStack gap="200">
            {Array.isArray(draft) ? (
              <>
                <RowsEditor id={id} field={field} rows={draft} invalid={problem} onChange={setDraft} />
                {problem ? <InlineError message={problem.error} fieldID={problem.row === undefined ? id : cellId(id, problem.row, problem.key!)} /> : null}
              </>
            ) : (
              <TextField
                id={id}
                label={field.label}
                labelHidden
                value={draft}
                onChange={setDraft}
                autoComplete="off"
                multiline={field.kind === "localizedText" || field.kind === "imageList" ? 3 : undefined}
                helpText={field.help}
                // Text with a decimal keypad, not type="number": see RowsEditor.
                inputMode={field.kind === "number" ? "decimal" : undefined}
                // The field shows its error itself, tied to it (aria-invalid, aria-describedby).
                error={problem?.error}
              />
            )}
            <InlineStack gap="200">
              <Button variant="primary" onClick={save} loading={saving} accessibilityLabel={fieldActionLabel("save", field, variantName)}>
                Save
              </Button>
              <Button onClick={() => startOver(false)} disabled={saving} accessibilityLabel={fieldActionLabel("cancel", field, variantName)}>
                Cancel
              </Button>
            </InlineStack>
          </BlockStack>
        ) : null}
        <Collapsible id={historyId} open={showHistory}>
          <FieldHistory field={field} history={history} />
        </Collapsible>
      </BlockStack>
    </Box>
  );
}
