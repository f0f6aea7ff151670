import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Box, Button, Card, Collapsible, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { adminContext } from "../admin.server";
import { editField, fieldHistory, productDetail, setPassportHeld, type HistoryEntry } from "../catalog/catalog.server";
import { config } from "../config.server";
import { merchantMessage } from "../errors";
import { afterCatalogChange, CatalogChanges } from "../integrations/shopify/after-run.server";
import { emptyChangeSet } from "../sync/merge";
import { FieldEditor, ownedFieldsNotice } from "../components/FieldEditor";
import { ConfirmModal } from "../components/ConfirmModal";
import { HoldBackNotice } from "../components/confirmations";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const product = await productDetail(db, params.id!);
  const histories = await Promise.all([product.id, ...product.variants.map((v) => v.id)].map(async (id) => [id, await fieldHistory(db, id)] as const));
  return { product, history: Object.fromEntries(histories), passportBaseUrl: config().passportBaseUrl };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { db, editor } = await adminContext(request);
  const form = await request.formData();
  try {
    if (form.get("intent") === "hold") {
      await setPassportHeld(db, params.id!, form.get("held") === "true");
      // Shopify's passport links follow: removed while held back, written again when published.
      const { problems } = await afterCatalogChange(db, new CatalogChanges().addProducts([params.id!]), null);
      if (problems.length) return { ok: true, warning: `${problems[0]} Passport checks every link again with the next full sync of Shopify.` };
    } else {
      const write = await editField(
        db,
        { entityId: String(form.get("entityId")), field: String(form.get("field")), locale: String(form.get("locale") || "") || undefined, value: JSON.parse(String(form.get("value"))) as unknown },
        // The staff member by id and name ("Manual edit by Jane Doe"), asked for once the edit is valid.
        editor,
      );
      // A new barcode changes the passport's Digital Link: Shopify's metafields follow.
      if (write) await afterCatalogChange(db, new CatalogChanges().add({ ...emptyChangeSet(), writes: [write] }), null);
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: merchantMessage(error, "Nothing was changed: try again, and if this keeps happening, contact support.") };
  }
};

function historyOf(history: Record<string, HistoryEntry[]>, entityId: string, field: string): HistoryEntry[] {
  return (history[entityId] ?? []).filter((h) => h.field === field);
}

type Detail = Awaited<ReturnType<typeof loader>>;

/** What passports miss, one line each: the field, then what to fill in. */
function MissingItems({ items }: { items: readonly { key: string; label: string; hint: string }[] }) {
  return (
    <List type="bullet">
      {items.map((m) => (
        <List.Item key={m.key}>
          <Text as="span" fontWeight="semibold">
            {m.label}
          </Text>
          : {m.hint}
        </List.Item>
      ))}
    </List>
  );
}

/** What the passports miss, by rule of the completeness profile: once for all passports, then per variant. */
function MissingData({ missing, passports }: { missing: Detail["product"]["missing"]; passports: number }) {
  if (missing.everyPassport.length === 0 && missing.someVariants.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Missing passport data
        </Text>
        {missing.everyPassport.length ? (
          <BlockStack gap="100">
            <Text as="p">{passports > 1 ? "Every passport of this product misses:" : "The passport of this product misses:"}</Text>
            <MissingItems items={missing.everyPassport} />
          </BlockStack>
        ) : null}
        {missing.someVariants.map((v) => (
          <BlockStack gap="100" key={v.variantId}>
            <Text as="p">{missing.everyPassport.length ? `The passport of ${v.name} also misses:` : `The passport of ${v.name} misses:`}</Text>
            <MissingItems items={v.missing} />
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}

/** A variant: its own fields, and the product values it overrides; other overridable fields on request. */
function VariantCard({ variant, locale, history }: { variant: Detail["product"]["variants"][number]; locale: string; history: Detail["history"] }) {
  const [showAll, setShowAll] = useState(false);
  const own = variant.fields.filter((f) => ["sku", "barcode", "options"].includes(f.field) || f.values.length > 0);
  const more = variant.fields.filter((f) => !own.includes(f));
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Variant: {variant.title}
          </Text>
          {variant.archived ? <Badge>Archived in source</Badge> : null}
        </InlineStack>
        {own.map((f) => (
          <FieldEditor key={f.field} entityId={variant.id} variantName={variant.name} field={f} locale={locale} history={historyOf(history, variant.id, f.field)} />
        ))}
        {more.length ? (
          <>
            <Box>
              <Button variant="plain" onClick={() => setShowAll(!showAll)} ariaExpanded={showAll} ariaControls={`more-${variant.id}`}>
                {showAll ? "Hide product values this variant could override" : `Override a product value for this variant (${more.map((f) => f.label).join(", ")})`}
              </Button>
            </Box>
            <Collapsible id={`more-${variant.id}`} open={showAll}>
              {more.map((f) => (
                <FieldEditor key={f.field} entityId={variant.id} variantName={variant.name} field={f} locale={locale} history={historyOf(history, variant.id, f.field)} />
              ))}
            </Collapsible>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function ProductPage() {
  const { product, history, passportBaseUrl } = useLoaderData<typeof loader>();
  const hold = useFetcher<typeof action>();
  const holdResult = hold.state === "idle" ? hold.data : undefined;
  const held = hold.formData ? hold.formData.get("held") === "true" : product.held;
  // Holding back unpublishes: it is confirmed first. Publishing again is one click.
  const [confirmHold, setConfirmHold] = useState(false);
  const setHeld = (value: boolean) => hold.submit({ intent: "hold", held: String(value) }, { method: "post" });
  return (
    <Page
      backAction={{ content: "Products", url: "/app/products" }}
      title={product.title}
      titleMetadata={product.archived ? <Badge>Archived in source</Badge> : undefined}
      secondaryActions={[
        {
          content: held ? "Publish passports" : "Hold passports back",
          destructive: !held,
          // Until the last change is saved and the page reloaded: a second one would cut that short.
          loading: hold.state !== "idle",
          onAction: () => (held ? setHeld(false) : setConfirmHold(true)),
        },
      ]}
    >
      <TitleBar title={product.title} />
      <ConfirmModal
        id="hold-passports"
        open={confirmHold}
        title="Hold these passports back?"
        confirmLabel="Hold passports back"
        destructive
        onClose={() => setConfirmHold(false)}
        onConfirm={() => {
          setConfirmHold(false);
          setHeld(true);
        }}
      >
        <HoldBackNotice productTitle={product.title} passports={product.variants.filter((v) => v.passport).length} />
      </ConfirmModal>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {product.archived ? (
              <Banner tone="info" title="No longer in its source">
                <p>This product vanished from its source and is archived. Its passports stay online, marked as no longer sold, so printed codes keep working.</p>
              </Banner>
            ) : null}
            {product.draft ? (
              <Banner tone="warning" title="A draft: passports not published">
                <p>This product is a draft in its source (Product status). Its passports are published, with the same addresses and QR codes, once it is active.</p>
              </Banner>
            ) : null}
            {holdResult && "error" in holdResult ? (
              <Banner tone="critical" title="Publication not changed">
                <p>{holdResult.error}</p>
              </Banner>
            ) : null}
            {holdResult && "warning" in holdResult ? (
              <Banner tone="warning" title="Shopify not updated yet">
                <p>{holdResult.warning}</p>
              </Banner>
            ) : null}
            {held ? (
              <Banner tone="warning" title="Passports held back">
                <p>The passports of this product are not published: their pages answer “not found” until you publish them.</p>
              </Banner>
            ) : null}
            <MissingData missing={product.missing} passports={product.variants.filter((v) => v.passport).length} />
            {product.owners.map((owner) => (
              // Said once per owner: each owned field carries an "Owned by …" badge that refers to it.
              <Text as="p" tone="subdued" key={owner.id}>
                {ownedFieldsNotice(owner.label)} <Link url="/app/ownership">Open Field ownership</Link>
              </Text>
            ))}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Product
                </Text>
                {product.fields.map((f) => (
                  <FieldEditor key={f.field} entityId={product.id} field={f} locale={product.primaryLocale} history={historyOf(history, product.id, f.field)} />
                ))}
              </BlockStack>
            </Card>
            {product.variants.map((v) => (
              <VariantCard key={v.id} variant={v} locale={product.primaryLocale} history={history} />
            ))}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Passports
              </Text>
              {product.variants.map((v) =>
                v.passport ? (
                  <BlockStack key={v.id} gap="100">
                    <Text as="p" fontWeight="semibold">
                      {v.title}
                    </Text>
                    <Link url={`${passportBaseUrl}/p/${v.passport.publicId}`} target="_blank">
                      Open passport (version {v.passport.version})
                    </Link>
                    <Link url={`/app/passports/${v.passport.publicId}`}>Versions and QR code</Link>
                    <Text as="p" tone="subdued">
                      {v.passport.completeness}% complete
                    </Text>
                  </BlockStack>
                ) : (
                  <Text as="p" key={v.id} tone="subdued">
                    {v.title}: no passport yet
                  </Text>
                ),
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
