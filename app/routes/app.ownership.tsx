import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Box, Button, ButtonGroup, Card, Collapsible, IndexTable, InlineStack, Page, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { adminContext } from "../admin.server";
import { merchantMessage } from "../errors";
import { ownershipView, setFieldOwner } from "../ownership/ownership.server";
import { DownloadButton } from "../components/DownloadButton";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  return ownershipView(db);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { db, user } = await adminContext(request);
  const form = await request.formData();
  const owner = String(form.get("owner") ?? "");
  try {
    await setFieldOwner(db, String(form.get("field")), owner === "off" ? null : owner, user);
    return { ok: true as const, field: String(form.get("field")) };
  } catch (error) {
    return { ok: false as const, field: String(form.get("field")), error: merchantMessage(error) };
  }
};

type View = Awaited<ReturnType<typeof loader>>;

function OwnerCell({ row, integrations }: { row: View["rows"][number]; integrations: View["integrations"] }) {
  const fetcher = useFetcher<typeof action>();
  const current = row.ownerId ?? "off";
  const [value, setValue] = useState(current);
  const options = [...integrations.map((i) => ({ label: i.label, value: i.id })), { label: "Nobody — edit by hand", value: "off" }];
  const chosen = integrations.find((i) => i.id === value)?.label;
  // The accessible name starts with the button's visible text (a voice user says what they see), then names the field.
  const [text, accessibilityLabel] = value === "off" ? ["Switch off", `Switch off ${row.label}`] : ["Transfer", `Transfer ${row.label}${chosen ? ` to ${chosen}` : ""}`];
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <Select label={`Owner of ${row.label}`} labelHidden options={options} value={value} onChange={setValue} />
      <Button disabled={value === current} loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ field: row.field, owner: value }, { method: "post" })} accessibilityLabel={accessibilityLabel}>
        {text}
      </Button>
      {fetcher.data && !fetcher.data.ok ? (
        <Text as="span" tone="critical">
          {fetcher.data.error}
        </Text>
      ) : null}
    </InlineStack>
  );
}

/** "SKU", "SKU and Barcode", "SKU, Barcode and Weight". */
function listed(names: string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * Fields an integration would own by default but another owns: an option, not a task. Each keeps
 * its current owner unless the merchant gives it away, so the choices stay folded until asked for.
 */
function OtherOwners({ conflicts }: { conflicts: View["conflicts"] }) {
  const [open, setOpen] = useState(false);
  const give = useFetcher<typeof action>();
  const wanting = [...new Set(conflicts.map((c) => c.wantedBy))];
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm">
          Other owners you can choose
        </Text>
        <Text as="p" tone="subdued">
          {wanting.map((w) => `${w} could also own ${listed(conflicts.filter((c) => c.wantedBy === w).map((c) => c.label))}.`).join(" ")} Nothing needs to change: each field keeps its current owner
          unless you give it to another integration.
        </Text>
        <Box>
          <Button variant="plain" disclosure={open ? "up" : "down"} onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls="other-owners">
            {open ? "Hide the options" : "Show the options"}
          </Button>
        </Box>
        <Collapsible id="other-owners" open={open}>
          <BlockStack gap="200">
            {conflicts.map((c) => (
              <InlineStack key={`${c.field}-${c.wantedById}`} gap="200" blockAlign="center">
                <Text as="span">
                  {c.label}: owned by {c.ownedBy} now.
                </Text>
                <Button loading={give.state !== "idle" && give.formData?.get("field") === c.field} onClick={() => give.submit({ field: c.field, owner: c.wantedById }, { method: "post" })}>
                  {`Give ${c.label} to ${c.wantedBy}`}
                </Button>
              </InlineStack>
            ))}
            {give.data && !give.data.ok ? (
              <Text as="p" tone="critical">
                {give.data.error}
              </Text>
            ) : null}
          </BlockStack>
        </Collapsible>
      </BlockStack>
    </Card>
  );
}

export default function Ownership() {
  const view = useLoaderData<typeof loader>();
  return (
    <Page title="Field ownership" subtitle="Every field has one source of truth. The owner's value is written on every sync; fields nobody owns are edited by hand.">
      <TitleBar title="Field ownership" />
      <BlockStack gap="400">
        {view.conflicts.length ? <OtherOwners conflicts={view.conflicts} /> : null}
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "field", plural: "fields" }}
            itemCount={view.rows.length}
            selectable={false}
            headings={[{ title: "Field" }, { title: "Level" }, { title: "Owner now" }, { title: "Default" }, { title: "Change owner" }]}
          >
            {view.rows.map((row, index) => (
              <IndexTable.Row id={row.field} key={row.field} position={index}>
                <IndexTable.Cell>
                  <Text as="span" fontWeight="semibold">
                    {row.label}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{row.level === "product" ? "Product" : "Variant"}</IndexTable.Cell>
                <IndexTable.Cell>
                  {row.state === "owned" ? <Badge tone="info">{row.ownerLabel}</Badge> : <Badge>{row.state === "off" ? "Switched off" : "Unassigned"}</Badge>}
                </IndexTable.Cell>
                <IndexTable.Cell>{row.defaultOwner ? `${row.defaultOwner === "primary" ? "Primary" : "Secondary"} integration` : "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <OwnerCell row={row} integrations={view.integrations} />
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
        <InlineStack>
          <ButtonGroup>
            <DownloadButton url="/app/ownership/download?format=xlsx" fileName="field-ownership.xlsx">
              Download matrix (Excel)
            </DownloadButton>
            <DownloadButton url="/app/ownership/download?format=csv" fileName="field-ownership.csv">
              Download matrix (CSV)
            </DownloadButton>
          </ButtonGroup>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
