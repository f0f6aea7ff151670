import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Card, EmptyState, IndexTable, InlineStack, Link, Page, Pagination, ProgressBar, Tabs, Text, TextField, Tooltip } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { adminContext } from "../admin.server";
import { listProducts, type ProductFilter } from "../catalog/catalog.server";
import { PASSPORT_PUBLICATIONS, PUBLICATION_DESCRIPTIONS, PUBLICATION_LABELS, type PassportPublication } from "../passports/publication";

// The tabs use the words of the Status column.
const FILTERS: { id: ProductFilter; content: string }[] = [
  { id: "all", content: "All" },
  ...PASSPORT_PUBLICATIONS.map((p) => ({ id: p, content: PUBLICATION_LABELS[p] })),
  { id: "missing", content: "Missing passport data" },
];

const PUBLICATION_TONES: Record<PassportPublication, "success" | "attention" | "warning" | undefined> = {
  published: "success",
  draft: "warning",
  held: "attention",
  archived: undefined,
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const url = new URL(request.url);
  const filter = (FILTERS.find((f) => f.id === url.searchParams.get("filter"))?.id ?? "all") as ProductFilter;
  const search = url.searchParams.get("q") ?? "";
  const page = Number(url.searchParams.get("page") ?? 1) || 1;
  return { list: await listProducts(db, { search, filter, page }), filter, search };
};

export default function Products() {
  const { list, filter, search } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const [query, setQuery] = useState(search);

  // Search as the merchant types, without a request per keystroke.
  useEffect(() => {
    if (query === search) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(params);
      if (query) next.set("q", query);
      else next.delete("q");
      next.delete("page");
      setParams(next, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [query, search, params, setParams]);

  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };

  return (
    <Page title="Products" subtitle={`${list.total.toLocaleString("en")} products`}>
      <TitleBar title="Products" />
      <Card padding="0">
        <Tabs tabs={FILTERS} selected={FILTERS.findIndex((f) => f.id === filter)} onSelect={(i) => go({ filter: FILTERS[i].id, page: null })} />
        <div style={{ padding: "12px" }}>
          <TextField label="Search products" labelHidden placeholder="Search by title, handle, SKU or GTIN" value={query} onChange={setQuery} autoComplete="off" clearButton onClearButtonClick={() => setQuery("")} />
        </div>
        {list.items.length === 0 ? (
          <EmptyState heading={search || filter !== "all" ? "No products match" : "No products yet"} image="">
            <p>{search || filter !== "all" ? "Try another search or filter." : "Products appear here after the first sync or Excel import."}</p>
          </EmptyState>
        ) : (
          <IndexTable
            resourceName={{ singular: "product", plural: "products" }}
            itemCount={list.items.length}
            selectable={false}
            headings={[{ title: "Product" }, { title: "Brand" }, { title: "Variants" }, { title: "Passport data" }, { title: "Status" }]}
          >
            {list.items.map((p, index) => (
              <IndexTable.Row id={p.id} key={p.id} position={index}>
                <IndexTable.Cell>
                  {/* The row's primary link: a click anywhere on the row follows it, and keyboards and screen readers reach it. */}
                  <Link url={`/app/products/${p.id}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {p.title}
                    </Text>
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{p.vendor}</IndexTable.Cell>
                <IndexTable.Cell>{p.variants}</IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center" wrap={false}>
                    <div style={{ width: 80 }}>
                      <ProgressBar progress={p.completeness} size="small" tone={p.completeness === 100 ? "success" : "highlight"} />
                    </div>
                    <Text as="span" tone="subdued">
                      {p.completeness}%
                    </Text>
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Tooltip content={PUBLICATION_DESCRIPTIONS[p.publication]}>
                    <Badge tone={PUBLICATION_TONES[p.publication]}>{PUBLICATION_LABELS[p.publication]}</Badge>
                  </Tooltip>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
        <BlockStack inlineAlign="center">
          <div style={{ padding: "12px" }}>
            <Pagination
              hasPrevious={list.page > 1}
              onPrevious={() => go({ page: String(list.page - 1) })}
              hasNext={list.page < list.pages}
              onNext={() => go({ page: String(list.page + 1) })}
              label={`Page ${list.page} of ${list.pages}`}
            />
          </div>
        </BlockStack>
      </Card>
    </Page>
  );
}
