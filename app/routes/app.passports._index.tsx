import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData, useSearchParams } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Card, DataTable, InlineStack, Layout, List, Page, Pagination, Text } from "@shopify/polaris";
import { adminContext } from "../admin.server";
import { listProducts } from "../catalog/catalog.server";
import { TEXTILE_PROFILE } from "../passports/completeness";
import { passportList, type PassportListItem } from "../passports/listing.server";
import { passportSummary } from "../passports/passports.server";
import { DownloadButton } from "../components/DownloadButton";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const page = Number(new URL(request.url).searchParams.get("page") ?? 1) || 1;
  const products = await listProducts(db, { page });
  const items: PassportListItem[] = [];
  for (const p of products.items) for await (const item of passportList(db, { productId: p.id })) items.push(item);
  return {
    summary: await passportSummary(db),
    items,
    page: products.page,
    pages: products.pages,
    profile: TEXTILE_PROFILE.rules.map((r) => ({ label: r.label, weight: r.weight })),
  };
};

export default function Passports() {
  const { summary, items, page, pages, profile } = useLoaderData<typeof loader>();
  const [, setParams] = useSearchParams();
  return (
    <Page title="Passports" subtitle={`${summary.passports.toLocaleString("en")} passports, ${summary.averageCompleteness}% complete on average`}>
      <TitleBar title="Passports" />
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
              headings={["Product", "Variant", "GTIN", "Version", "Complete", ""]}
              rows={items.map((p) => [
                p.productTitle,
                <InlineStack key="v" gap="100">
                  <span>{p.variantTitle || p.sku || "—"}</span>
                  {p.held ? <Badge tone="attention">Not published</Badge> : null}
                  {p.archived ? <Badge>No longer sold</Badge> : null}
                </InlineStack>,
                p.gtin ?? "—",
                p.version,
                `${p.completeness}%`,
                <RemixLink key="l" to={`/app/passports/${p.publicId}`}>
                  Details
                </RemixLink>,
              ])}
            />
            <InlineStack align="center">
              <div style={{ padding: 12 }}>
                <Pagination hasPrevious={page > 1} onPrevious={() => setParams({ page: String(page - 1) })} hasNext={page < pages} onNext={() => setParams({ page: String(page + 1) })} label={`Page ${page} of ${pages}`} />
              </div>
            </InlineStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  QR codes for labels
                </Text>
                <Text as="p">A zip with every published passport's QR code as SVG and PNG, and a CSV for your label printer.</Text>
                <DownloadButton url="/app/passports/qr-codes" fileName="passport-qr-codes.zip" variant="primary">
                  Download QR codes
                </DownloadButton>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  What a complete textile passport has
                </Text>
                <List type="bullet">
                  {profile.map((r) => (
                    <List.Item key={r.label}>
                      {r.label} ({r.weight}%)
                    </List.Item>
                  ))}
                </List>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
