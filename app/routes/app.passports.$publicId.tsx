import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Card, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { adminContext } from "../admin.server";
import { passportCompleteness } from "../passports/completeness";
import { passportVersions } from "../passports/listing.server";
import { qrPng, qrTarget, renderQrSvg } from "../passports/qr";

/** The print size of the PNG offered for download. */
const PRINT_PNG_PX = 1024;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const found = await passportVersions(db, params.publicId!);
  if (!found) throw new Response("This passport does not exist in your shop.", { status: 404 });
  const current = found.versions[0];
  // Drawn here: the public QR route answers "not found" while the passport is not published, and
  // a merchant prepares labels before a launch.
  const target = qrTarget({ passportUrl: found.item.url, digitalLinkUrl: found.item.digitalLinkUrl });
  const qrSvg = renderQrSvg(target);
  // Its files too, while the public ones answer "not found": downloaded from the page itself.
  const qrPngBase64 = found.item.held ? qrPng(target, PRINT_PNG_PX).toString("base64") : null;
  return { ...found, qrSvg, qrPngBase64, completeness: current ? passportCompleteness(current.content) : null };
};

export default function PassportPage() {
  const { item, versions, qrSvg, qrPngBase64, completeness } = useLoaderData<typeof loader>();
  const svgDataUrl = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`;
  const fileName = `passport-${item.publicId}`;
  return (
    <Page backAction={{ content: "Passports", url: "/app/passports" }} title={`${item.productTitle} — ${item.variantTitle || item.sku || ""}`} titleMetadata={item.held ? <Badge tone="attention">Not published</Badge> : undefined}>
      <TitleBar title="Passport" />
      <Layout>
        {item.held ? (
          <Layout.Section>
            <Banner tone="warning" title="This passport is not published">
              <p>
                Its product is a draft or held back from publication, so its public page, QR code and GS1 Digital Link answer &quot;not found&quot; for now. The QR code
                below already holds its final link: labels printed with it work as soon as the product is published.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Versions
              </Text>
              {versions.map((v) => (
                <BlockStack key={v.version} gap="100">
                  <InlineStack gap="200">
                    <Text as="span" fontWeight="semibold">
                      Version {v.version}
                    </Text>
                    <Text as="span" tone="subdued">
                      {new Date(v.createdAt).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" })}
                    </Text>
                  </InlineStack>
                  <Text as="p">{v.version === 1 ? "First version." : `Changed: ${v.changes.map((c) => c.label).join(", ") || "—"}`}</Text>
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <img src={svgDataUrl} alt={`QR code of the passport of ${item.productTitle}`} width={180} height={180} />
                <Link url={item.url} target="_blank">
                  Open the public passport
                </Link>
                {item.digitalLinkUrl ? <Text as="p">GS1 Digital Link: {item.digitalLinkUrl}</Text> : <Text as="p" tone="subdued">No GTIN: the QR code opens the passport URL.</Text>}
                <Link url={`${item.url}.jsonld`} target="_blank">
                  Machine-readable (UNTP JSON-LD)
                </Link>
                {qrPngBase64 ? (
                  // Not published: the public files answer "not found"; these are the same files.
                  <InlineStack gap="200">
                    <a href={`data:image/png;base64,${qrPngBase64}`} download={`${fileName}.png`}>
                      Download PNG
                    </a>
                    <a href={svgDataUrl} download={`${fileName}.svg`}>
                      Download SVG
                    </a>
                  </InlineStack>
                ) : (
                  <InlineStack gap="200">
                    <Link url={`${item.qrPngUrl}?size=${PRINT_PNG_PX}`} target="_blank">
                      PNG
                    </Link>
                    <Link url={item.qrSvgUrl} target="_blank">
                      SVG
                    </Link>
                  </InlineStack>
                )}
              </BlockStack>
            </Card>
            {completeness ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {completeness.score}% complete
                  </Text>
                  <List type="bullet">
                    {completeness.missing.map((m) => (
                      <List.Item key={m.key}>
                        <b>{m.label}</b>: {m.hint}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
