import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, IndexTable, InlineStack, Page, Select, Text } from "@shopify/polaris";
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
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <Select label={`Owner of ${row.label}`} labelHidden options={options} value={value} onChange={setValue} />
      <Button
        disabled={value === current}
        loading={fetcher.state !== "idle"}
        onClick={() => fetcher.submit({ field: row.field, owner: value }, { method: "post" })}
        accessibilityLabel={`Save owner of ${row.label}`}
      >
        {value === "off" ? "Switch off" : "Transfer"}
      </Button>
      {fetcher.data && !fetcher.data.ok ? (
        <Text as="span" tone="critical">
          {fetcher.data.error}
        </Text>
      ) : null}
    </InlineStack>
  );
}

export default function Ownership() {
  const view = useLoaderData<typeof loader>();
  const conflicts = useFetcher<typeof action>();
  return (
    <Page title="Field ownership" subtitle="Every field has one source of truth. The owner's value is written on every sync; fields nobody owns are edited by hand.">
      <TitleBar title="Field ownership" />
      <BlockStack gap="400">
        {view.conflicts.length ? (
          <Banner tone="warning" title="Choose who owns these fields">
            <BlockStack gap="200">
              {view.conflicts.map((c) => (
                <InlineStack key={`${c.field}-${c.wantedById}`} gap="200" blockAlign="center">
                  <Text as="span">
                    {c.wantedBy} would own <b>{c.label}</b> by default, but {c.ownedBy} owns it.
                  </Text>
                  <Button onClick={() => conflicts.submit({ field: c.field, owner: c.wantedById }, { method: "post" })}>{`Give it to ${c.wantedBy}`}</Button>
                </InlineStack>
              ))}
              <Text as="p">Leave a field with its current owner and nothing changes.</Text>
            </BlockStack>
          </Banner>
        ) : null}
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
