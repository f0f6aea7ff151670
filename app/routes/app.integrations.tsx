import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, ButtonGroup, Card, FormLayout, InlineError, InlineStack, Layout, Page, Select, Spinner, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { adminContext } from "../admin.server";
import { FIELDS, isFieldKey } from "../catalog/fields";
import { applyConnectDefaults, loadOwnership, ownedBy } from "../ownership/ownership.server";
import { checkShopifySettings, METAFIELD_FORM_FIELDS, metafieldSettingPath, settingsNotSavedMessage, type SettingsErrors, type ShopifySettingsForm } from "../integrations/shopify/settings";
import { PUSHABLE_FIELDS } from "../integrations/shopify/after-run.server";
import { merchantMessage } from "../errors";
import { connectIntegration, disconnectIntegration, findIntegration, integrationSettings, listIntegrations, setMatchBy, setPaused, setSyncInterval, updateSettings } from "../integrations/integrations.server";
import { INTEGRATION_KINDS, integrationKind } from "../integrations/kinds";
import { confirmPromotion, promotedMessage, startPromotionPreview } from "../integrations/promote.server";
import { jobQueue } from "../jobs/index.server";
import { requestSync, resumeSyncs } from "../jobs/sync-jobs.server";
import { listRuns } from "../sync/runs.server";
import { RunHistory } from "../components/RunHistory";
import { formatDate, IntegrationStatusBadge, RoleBadge, useLiveRefresh } from "../components/status";
import { ConfirmButton, ConfirmModal } from "../components/ConfirmModal";
import { DisconnectNotice, PromotionPreview, PromotionPreviewProgress } from "../components/confirmations";
import type { PromotionPreviewView } from "../integrations/promote.server";
import type { PreviewPoll } from "./app.integrations.preview.$runId";

const INTERVALS = [
  { label: "Every hour", value: String(60) },
  { label: "Every 6 hours", value: String(6 * 60) },
  { label: "Every 12 hours", value: String(12 * 60) },
  { label: "Every 24 hours", value: String(24 * 60) },
  { label: "Every 3 days", value: String(3 * 24 * 60) },
  { label: "Every 7 days", value: String(7 * 24 * 60) },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const integrations = await listIntegrations(db);
  const rows = await db.integration.findMany({ select: { id: true, settings: true } });
  const settings = Object.fromEntries(rows.map((r) => [r.id, integrationSettings(r)]));
  const ownership = await loadOwnership(db);
  return {
    // What the confirmations need: whether it can become the primary, and the fields a disconnect releases.
    integrations: integrations.map((i) => ({ ...i, canBePrimary: integrationKind(i.kind)?.canBePrimary ?? false, ownedFields: ownedBy(ownership, i.id) })),
    settings,
    runs: await listRuns(db, { take: 30 }),
    pushable: [...PUSHABLE_FIELDS],
    available: INTEGRATION_KINDS.filter((k) => !integrations.some((i) => i.kind === k.kind && i.status !== "disconnected")).map((k) => ({ kind: k.kind, label: k.label, description: k.description })),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { db } = await adminContext(request);
  const form = await request.formData();
  const intent = String(form.get("intent"));
  const id = String(form.get("id") ?? "");
  try {
    switch (intent) {
      case "connect": {
        const { conflicts } = await connectIntegration(db, String(form.get("kind")));
        // An option, not a task: the fields keep their owner unless the merchant gives them away.
        return { ok: true, message: conflicts.length ? `Connected. ${conflicts.length} of the fields it would own by default keep their current owner; you can change that in Field ownership.` : "Connected." };
      }
      case "sync": {
        const integration = await findIntegration(db, id);
        const queued = await requestSync(jobQueue(), db, integration.id, "manual", "full");
        return { ok: true, message: queued ? "Sync started." : "This integration is paused: the sync runs when you resume it." };
      }
      case "pause":
        await setPaused(db, id, true);
        return { ok: true, message: "Paused: no scheduled or webhook syncs until you resume." };
      case "resume":
        await resumeSyncs(jobQueue(), db, id);
        return { ok: true, message: "Resumed." };
      case "interval":
        await setSyncInterval(db, id, Number(form.get("minutes")));
        return { ok: true, message: "Sync interval saved." };
      case "matchBy":
        await setMatchBy(db, id, String(form.get("matchBy")) === "barcode" ? "barcode" : "sku");
        return { ok: true, message: "Variants will be matched by this identifier from the next sync." };
      case "disconnect":
        await disconnectIntegration(db, id, "Disconnected by the merchant. Its data stays in the catalog.");
        return { ok: true, message: "Disconnected. Its data stays in your catalog." };
      // Promotion is two steps: the preview (a dry run, nothing written), started here and worked
      // out in the background (the confirmation polls its run: app.integrations.preview.$runId),
      // then, once the merchant confirms the finished preview, the promotion itself. Nothing else promotes.
      case "previewPromotion":
        try {
          return { ok: true, preview: await startPromotionPreview(db, id) };
        } catch (error) {
          return { ok: false, message: `Passport could not work out what would change, so nothing was changed. ${merchantMessage(error, "Try again in a moment; if this keeps happening, contact support.")}` };
        }
      case "confirmPromotion":
        try {
          return { ok: true, message: promotedMessage(await confirmPromotion(db, id, String(form.get("runId") ?? "") || null)) };
        } catch (error) {
          return { ok: false, message: `The primary integration was not changed. ${merchantMessage(error, "Try again in a moment; if this keeps happening, contact support.")}` };
        }
      case "settings": {
        // Every setting is checked before any is saved; the page shows each problem on its field.
        const checked = checkShopifySettings(submittedSettings(form), PUSHABLE_FIELDS);
        if (!checked.ok) return { ok: false, intent, id, settingsErrors: checked.errors, message: settingsNotSavedMessage(checked.errors) };
        await updateSettings(db, id, { ...checked.settings });
        const integration = await findIntegration(db, id);
        const mapped = Object.keys(checked.settings.metafieldMap).filter(isFieldKey);
        const { conflicts } = await applyConnectDefaults(db, id, integration.primaryOfShop ? "primary" : "secondary", mapped);
        const owned = conflicts.length ? ` ${conflicts.length} mapped fields are owned by another integration: transfer them in Field ownership to use the metafields.` : "";
        return { ok: true, intent, id, message: `Settings saved. They apply from the next sync.${owned}` };
      }
      default:
        return { ok: false, message: "Unknown action." };
    }
  } catch (error) {
    return { ok: false, message: merchantMessage(error) };
  }
};

/** The Shopify settings form as submitted: its inputs are named by the settings' paths (SettingsErrors). */
function submittedSettings(form: FormData): ShopifySettingsForm {
  const metafields: Record<string, string> = {};
  const prefix = metafieldSettingPath("");
  for (const [name, value] of form.entries()) if (name.startsWith(prefix)) metafields[name.slice(prefix.length)] = String(value);
  return {
    subsetQuery: String(form.get("subset.query") ?? ""),
    subsetFirst: String(form.get("subset.first") ?? ""),
    metafields,
    pushFields: form.getAll("pushFields").map(String),
  };
}

function MetafieldInput({ label, name, initial, error }: { label: string; name: string; initial: string; error?: string }) {
  const [value, setValue] = useState(initial);
  return <TextField label={label} name={name} value={value} onChange={setValue} autoComplete="off" placeholder="custom.…" error={error} />;
}

/** The outcome of the settings' last save, where the merchant pressed Save (the page's banner is out of view there). */
interface SettingsSaveOutcome {
  ok: boolean;
  message: string;
  settingsErrors?: SettingsErrors;
}

function ShopifySettings({ id, settings, pushable, outcome }: { id: string; settings: Record<string, unknown>; pushable: readonly string[]; outcome?: SettingsSaveOutcome }) {
  const subset = (settings.subset ?? {}) as { query?: string; first?: number };
  const mapping = (settings.metafieldMap ?? {}) as Record<string, string>;
  const [query, setQuery] = useState(subset.query ?? "");
  const [first, setFirst] = useState(subset.first ? String(subset.first) : "");
  const pushed = new Set((settings.pushFields as string[] | undefined) ?? []);
  const navigation = useNavigation();
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "settings" && navigation.formData.get("id") === id;
  const errors = outcome?.settingsErrors ?? {};
  const form = useRef<HTMLFormElement>(null);
  // After a save that found problems, the first marked field takes the focus (and comes into view).
  useEffect(() => {
    if (outcome?.settingsErrors) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [outcome]);
  return (
    <Form method="post" ref={form}>
      <input type="hidden" name="intent" value="settings" />
      <input type="hidden" name="id" value={id} />
      <FormLayout>
        <Text as="h3" variant="headingSm">
          Test before going live
        </Text>
        <FormLayout.Group>
          <TextField
            label="Only products matching"
            name="subset.query"
            value={query}
            onChange={setQuery}
            placeholder="tag:dpp-pilot"
            helpText="A Shopify product search, e.g. tag:dpp-pilot or vendor:Acme. Leave empty for all products."
            autoComplete="off"
            error={errors["subset.query"]}
          />
          {/* A text input, not a number one: a browser sends a number input it cannot read as empty, which would be saved as "no limit". */}
          <TextField
            label="At most this many products"
            name="subset.first"
            inputMode="numeric"
            value={first}
            onChange={setFirst}
            helpText="A whole number. Leave empty for no limit."
            autoComplete="off"
            error={errors["subset.first"]}
          />
        </FormLayout.Group>
        <Text as="h3" variant="headingSm">
          Passport data from metafields
        </Text>
        <Text as="p" tone="subdued">
          If your products already carry passport data in metafields, name them here (namespace.key, for example custom.material). Leave a field empty when the data comes from elsewhere.
        </Text>
        {/* Not condensed: a field's error needs the width to be read. */}
        <FormLayout.Group>
          {METAFIELD_FORM_FIELDS.map((f) => (
            <MetafieldInput key={f.key} label={f.label} name={metafieldSettingPath(f.key)} initial={mapping[f.key] ?? ""} error={errors[metafieldSettingPath(f.key)]} />
          ))}
        </FormLayout.Group>
        <Text as="h3" variant="headingSm">
          Write back to Shopify
        </Text>
        <Text as="p" tone="subdued">
          Passport links are always written to your products. Values owned by another integration can also be pushed to your Shopify variants:
        </Text>
        {FIELDS.filter((f) => pushable.includes(f.key)).map((f) => (
          <label key={f.key} style={{ display: "block" }}>
            <input
              type="checkbox"
              name="pushFields"
              value={f.key}
              defaultChecked={pushed.has(f.key)}
              aria-invalid={errors.pushFields ? true : undefined}
              aria-describedby={errors.pushFields ? `pushFields-${id}Error` : undefined}
            />{" "}
            Push {f.label} to Shopify
          </label>
        ))}
        {errors.pushFields ? <InlineError message={errors.pushFields} fieldID={`pushFields-${id}`} /> : null}
        <InlineStack gap="300" blockAlign="center">
          <Button submit loading={saving}>
            Save settings
          </Button>
          <div role="status">
            {outcome && !saving ? (
              <Text as="span" tone={outcome.ok ? "success" : "critical"}>
                {outcome.message}
              </Text>
            ) : null}
          </div>
        </InlineStack>
      </FormLayout>
    </Form>
  );
}

function ChoiceForm(props: { intent: string; id: string; label: string; name: string; options: { label: string; value: string }[]; value: string }) {
  const [value, setValue] = useState(props.value);
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name="id" value={props.id} />
      <InlineStack gap="200" blockAlign="end">
        <Select label={props.label} name={props.name} options={props.options} value={value} onChange={setValue} />
        <Button submit disabled={value === props.value}>
          Save
        </Button>
      </InlineStack>
    </Form>
  );
}

/** A one-click action (nothing it does needs confirming: destructive ones use ConfirmButton). */
function IntentButton({ intent, id, children, disabled }: { intent: string; id: string; children: string; disabled?: boolean }) {
  return (
    <Form method="post" style={{ display: "inline" }}>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <Button submit disabled={disabled}>
        {children}
      </Button>
    </Form>
  );
}

type IntegrationItem = ReturnType<typeof useLoaderData<typeof loader>>["integrations"][number];

/**
 * Shopify goes with the app's uninstall. A primary stays while other integrations are connected:
 * they depend on its structure (make another one primary first).
 */
function disconnectable(i: IntegrationItem, all: IntegrationItem[]): boolean {
  if (i.status === "disconnected" || i.kind === "shopify") return false;
  return i.role === "secondary" || !all.some((o) => o.id !== i.id && o.status !== "disconnected");
}

/** How often the open confirmation asks how far the preview is. */
const PREVIEW_POLL_MS = 1500;

/**
 * The state of a running preview, asked every PREVIEW_POLL_MS while `runId` is set, until it is
 * finished or failed (one request at a time; a failed request is made up by the next).
 */
function usePreviewPolling(runId: string | null): PreviewPoll | null {
  const [polled, setPolled] = useState<PreviewPoll | null>(null);
  useEffect(() => {
    if (!runId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const next = () => (timer = setTimeout(() => void ask(), PREVIEW_POLL_MS));
    const ask = async () => {
      try {
        const response = await fetch(`/app/integrations/preview/${encodeURIComponent(runId)}`, { headers: { Accept: "application/json" } });
        if (response.ok && !stopped) {
          const poll = (await response.json()) as PreviewPoll;
          setPolled(poll);
          if (poll.preview?.status !== "running") return;
        }
      } catch {
        // The next request tries again.
      }
      if (!stopped) next();
    };
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId]);
  return polled;
}

/**
 * "Make primary": a confirmation showing the preview of what changes. The preview is a dry run
 * started in the background; the modal shows its progress (polling its run), then its summary.
 * Reopening shows the same preview. Only the modal's button promotes, and only a finished preview.
 */
function PromoteButton({ integration, disabled }: { integration: IntegrationItem; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const start = useFetcher<typeof action>();
  const submit = useSubmit();
  const starting = start.state !== "idle";
  const started = starting ? undefined : start.data;
  const startedPreview = started && "preview" in started ? started.preview : null;
  const problem = started && !started.ok && "message" in started ? started.message : null;
  const runningId = open && startedPreview?.status === "running" ? startedPreview.runId : null;
  const poll = usePreviewPolling(runningId);
  // While the preview runs, its polled state is the newer one (a finished or failed preview stays so).
  const polled = runningId && poll?.runId === runningId ? poll : null;
  const preview: PromotionPreviewView | null = polled ? polled.preview : (startedPreview ?? null);

  const startPreview = () => start.submit({ intent: "previewPromotion", id: integration.id }, { method: "post" });
  return (
    <>
      <Button
        disabled={disabled}
        onClick={() => {
          setOpen(true);
          startPreview();
        }}
      >
        Make primary
      </Button>
      <ConfirmModal
        id={`promote-${integration.id}`}
        open={open}
        title={`Make ${integration.label} the primary integration?`}
        confirmLabel="Make primary"
        confirmDisabled={starting || preview?.status !== "finished"}
        onClose={() => setOpen(false)}
        onConfirm={() => {
          if (preview?.status !== "finished") return;
          setOpen(false);
          submit({ intent: "confirmPromotion", id: integration.id, runId: preview.runId ?? "" }, { method: "post" });
        }}
      >
        {starting && !preview ? (
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Spinner size="small" accessibilityLabel="Starting the preview" />
            <Text as="p">Starting the preview of what would change…</Text>
          </InlineStack>
        ) : problem ? (
          <Banner tone="critical" title="No preview" action={{ content: "Try again", onAction: startPreview }}>
            <p>{problem}</p>
          </Banner>
        ) : polled && !polled.preview ? (
          <Banner tone="warning" title="This preview is no longer available" action={{ content: "Start a new preview", onAction: startPreview }}>
            <p>Nothing was changed.</p>
          </Banner>
        ) : preview?.status === "running" ? (
          <PromotionPreviewProgress preview={preview} />
        ) : preview?.status === "failed" ? (
          <Banner tone="critical" title="The preview could not be finished" action={{ content: "Try again", onAction: startPreview }}>
            <p>{preview.message}</p>
          </Banner>
        ) : preview?.summary ? (
          <PromotionPreview summary={preview.summary} paused={integration.status === "paused"} />
        ) : null}
      </ConfirmModal>
    </>
  );
}

export default function Integrations() {
  const { integrations, settings, runs, available, pushable } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const result = actionData && "message" in actionData ? actionData : undefined;
  const settingsSaved = (id: string): SettingsSaveOutcome | undefined => (actionData && "intent" in actionData && actionData.intent === "settings" && actionData.id === id ? actionData : undefined);
  const navigation = useNavigation();
  const submit = useSubmit();
  useLiveRefresh(runs.some((r) => r.status === "running" || r.status === "queued") || integrations.some((i) => i.pendingSync && i.status === "active"));
  const labels = Object.fromEntries(integrations.map((i) => [i.kind, i.label]));
  return (
    <Page title="Integrations">
      <TitleBar title="Integrations" />
      <Layout>
        {result?.message ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>{result.message}</Banner>
          </Layout.Section>
        ) : null}
        {integrations.map((i) => (
          <Layout.Section key={i.id}>
            <Card>
              <BlockStack gap="400">
                <InlineStack align="space-between" blockAlign="center">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {i.label}
                    </Text>
                    <RoleBadge role={i.role} />
                    <IntegrationStatusBadge status={i.status} />
                  </InlineStack>
                  <ButtonGroup>
                    {i.syncsOnSchedule && i.status !== "disconnected" ? (
                      <IntentButton intent="sync" id={i.id} disabled={navigation.state !== "idle"}>
                        Sync now
                      </IntentButton>
                    ) : null}
                    {i.status === "paused" ? <IntentButton intent="resume" id={i.id}>Resume</IntentButton> : null}
                    {i.status === "active" || i.status === "error" ? <IntentButton intent="pause" id={i.id}>Pause</IntentButton> : null}
                    {i.role === "secondary" && i.canBePrimary && i.status !== "disconnected" ? <PromoteButton integration={i} disabled={navigation.state !== "idle"} /> : null}
                    {disconnectable(i, integrations) ? (
                      <ConfirmButton
                        id={`disconnect-${i.id}`}
                        label="Disconnect"
                        title={`Disconnect ${i.label}?`}
                        confirmLabel="Disconnect"
                        destructive
                        disabled={navigation.state !== "idle"}
                        onConfirm={() => submit({ intent: "disconnect", id: i.id }, { method: "post" })}
                      >
                        <DisconnectNotice kind={i.kind} ownedFields={i.ownedFields} />
                      </ConfirmButton>
                    ) : null}
                  </ButtonGroup>
                </InlineStack>
                {i.error ? <Banner tone={i.status === "error" ? "critical" : "warning"}>{i.error}</Banner> : null}
                <Text as="p" tone="subdued">
                  {i.role === "primary" ? "Primary: defines which variants belong to which product; new products come from it." : "Secondary: enriches existing variants, matched by their identifier."}
                  {i.role === "primary" && i.kind !== "shopify" && i.status !== "disconnected" && !disconnectable(i, integrations) ? " To disconnect it, make another integration primary first." : ""} Last sync{" "}
                  {formatDate(i.lastSyncAt)}
                  {i.syncsOnSchedule && i.status === "active" ? `, next ${formatDate(i.nextSyncAt)}` : ""}.
                </Text>
                <InlineStack gap="400" wrap>
                  {i.syncsOnSchedule ? <ChoiceForm intent="interval" id={i.id} label="Sync interval" name="minutes" options={INTERVALS} value={String(i.interval)} /> : null}
                  {i.role === "secondary" ? (
                    <ChoiceForm
                      intent="matchBy"
                      id={i.id}
                      label="Match variants by"
                      name="matchBy"
                      options={[
                        { label: "SKU", value: "sku" },
                        { label: "Barcode (GTIN)", value: "barcode" },
                      ]}
                      value={i.matchBy}
                    />
                  ) : null}
                </InlineStack>
                {i.kind === "shopify" && i.status !== "disconnected" ? <ShopifySettings id={i.id} settings={settings[i.id] ?? {}} pushable={pushable} outcome={settingsSaved(i.id)} /> : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
        {available.length ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Add an integration
                </Text>
                {available.map((k) => (
                  <InlineStack key={k.kind} align="space-between" blockAlign="center">
                    <BlockStack gap="050">
                      <Text as="p" fontWeight="semibold">
                        {k.label}
                      </Text>
                      <Text as="p" tone="subdued">
                        {k.description}
                      </Text>
                    </BlockStack>
                    <Form method="post">
                      <input type="hidden" name="intent" value="connect" />
                      <input type="hidden" name="kind" value={k.kind} />
                      <Button submit>Connect</Button>
                    </Form>
                  </InlineStack>
                ))}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Sync history
              </Text>
              <RunHistory runs={runs} labels={labels} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
