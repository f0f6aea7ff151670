import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { adminContext } from "../admin.server";
import { listIntegrations } from "../integrations/integrations.server";
import { passportSummary } from "../passports/passports.server";
import { listRuns } from "../sync/runs.server";
import { RunHistory } from "../components/RunHistory";
import { formatDate, IntegrationStatusBadge, RoleBadge, useLiveRefresh } from "../components/status";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const [integrations, runs, passports] = await Promise.all([listIntegrations(db), listRuns(db, { take: 5 }), passportSummary(db)]);
  return { integrations, runs, passports };
};

export default function Home() {
  const { integrations, runs, passports } = useLoaderData<typeof loader>();
  const working = runs.some((r) => r.status === "running" || r.status === "queued") || integrations.some((i) => i.pendingSync && i.status === "active");
  useLiveRefresh(working);
  const labels = Object.fromEntries(integrations.map((i) => [i.kind, i.label]));

  if (integrations.length === 0) {
    return (
      <Page>
        <TitleBar title="Passport" />
        <Card>
          <EmptyState heading="Connect your catalog to create passports" image="" action={{ content: "Import from Excel", url: "/app/excel" }} secondaryAction={{ content: "See integrations", url: "/app/integrations" }}>
            <p>
              Passport creates a Digital Product Passport for every variant you sell. Your Shopify products sync on their own once the app is installed; products
              that are not in Shopify, and passport data such as materials and care instructions, can come from an Excel file.
            </p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  return (
    <Page>
      <TitleBar title="Passport" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {integrations
              .filter((i) => i.status === "error" || i.status === "disconnected")
              .map((i) => (
                <Banner key={i.id} tone={i.status === "error" ? "critical" : "warning"} title={`${i.label}: ${i.status === "error" ? "sync problem" : "disconnected"}`}>
                  <p>{i.error ?? "This integration does not sync."}</p>
                </Banner>
              ))}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Integrations
                </Text>
                {integrations.map((i) => (
                  <InlineStack key={i.id} gap="300" align="space-between" blockAlign="center" wrap>
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="span" fontWeight="semibold">
                        {i.label}
                      </Text>
                      <RoleBadge role={i.role} />
                      <IntegrationStatusBadge status={i.status} />
                      {i.pendingSync && i.status === "active" ? <Text as="span" tone="subdued">sync waiting…</Text> : null}
                    </InlineStack>
                    <Text as="span" tone="subdued">
                      Last sync {formatDate(i.lastSyncAt)}
                      {i.syncsOnSchedule ? ` · next ${formatDate(i.nextSyncAt)}` : ""}
                    </Text>
                  </InlineStack>
                ))}
                <Box>
                  <RemixLink to="/app/integrations">Manage integrations</RemixLink>
                </Box>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Recent syncs
                </Text>
                <RunHistory runs={runs} labels={labels} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Passports
              </Text>
              <InlineGrid columns={2} gap="300">
                <BlockStack gap="100">
                  <Text as="p" variant="headingXl">
                    {passports.published.toLocaleString("en")}
                  </Text>
                  <Text as="p" tone="subdued">
                    published
                    {passports.published < passports.passports
                      ? ` (${(passports.passports - passports.published).toLocaleString("en")} held back or of draft products)`
                      : ""}
                  </Text>
                </BlockStack>
                <BlockStack gap="100">
                  <Text as="p" variant="headingXl">
                    {passports.averageCompleteness}%
                  </Text>
                  <Text as="p" tone="subdued">
                    complete on average
                  </Text>
                </BlockStack>
              </InlineGrid>
              {passports.incomplete > 0 ? (
                <Text as="p">
                  {passports.incomplete.toLocaleString("en")} passports miss data. <RemixLink to="/app/products?filter=missing">Fill the gaps</RemixLink>
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
