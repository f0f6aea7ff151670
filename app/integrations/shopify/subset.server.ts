// "Test before going live": a sync of a few products only (settings.subset), e.g. the products
// tagged dpp-pilot, or the first 20. Fetched with paginated products(first, after, query) queries,
// paced by the rate limit through the graphql client. A subset run is partial: it never archives
// the products it did not fetch.
import type { SourceRecord } from "../../sync/records";
import { PRODUCT_MEDIA_PAGE, PRODUCT_VARIANTS_PAGE, PRODUCTS_PAGE } from "./documents";
import type { ShopifyGraphqlClient } from "./graphql-client.server";
import type { ProductsPageQuery } from "./types/admin.generated";
import type { MetafieldValue } from "./metafield-values";
import { recordFromGraphql, type GqlMediaNode, type GqlProductNode, type GqlVariantNode, type MappingContext, type RecordWarning } from "./records";
import { mappedMetafieldKeys, type SubsetSettings } from "./settings";

/** PRODUCT_MEDIA_PAGE: product 1 + media connection 2 + 100 × (media 1 + image 1). */
const MEDIA_PAGE_COST = 203;

/** Shopify refuses a query whose requested cost exceeds 1000 points. */
const MAX_QUERY_COST = 1000;

export interface PageSizes {
  products: number;
  /** Variants and media selected per product on a products page. */
  variants: number;
  media: number;
  /** Variants per follow-up page of one product. */
  variantsPage: number;
  /** Requested cost of a full products page and of a follow-up variants page (for pacing). */
  productsPageCost: number;
  variantsPageCost: number;
}

/**
 * Page sizes that keep the paginated queries under 1000 requested points, by Shopify's cost rules
 * (objects 1, connections 2 + first × node cost) applied to PRODUCTS_PAGE / PRODUCT_VARIANTS_PAGE
 * with `metafieldCount` mapped metafields (documents.test.ts checks them against the cost calculator).
 */
export function subsetPageSizes(metafieldCount: number): PageSizes {
  const metafields = metafieldCount > 0 ? 2 + metafieldCount : 0;
  // variant 1 + inventoryItem 1 + measurement 1 + weight 1 + selectedOptions 1, + its metafields
  const perVariant = 5 + metafields;
  const media = 10;
  const variants = Math.max(1, Math.min(25, Math.floor(600 / perVariant)));
  // product 1 + category 1 + metafields + media (2 + n × (media 1 + image 1)) + variants connection
  const perProduct = 2 + metafields + (2 + media * 2) + (2 + variants * perVariant);
  const products = Math.max(1, Math.floor((MAX_QUERY_COST - 2) / perProduct));
  const variantsPage = Math.max(1, Math.min(100, Math.floor((MAX_QUERY_COST - 3) / perVariant)));
  return {
    products,
    variants,
    media,
    variantsPage,
    productsPageCost: 2 + products * perProduct,
    // product 1 + variants connection 2 + n × variant
    variantsPageCost: 3 + variantsPage * perVariant,
  };
}

export interface SubsetOptions {
  pageSize?: number;
  onWarning?: (warning: RecordWarning) => void;
}

type PageVariant = Omit<GqlVariantNode, "metafields"> & { metafields?: { nodes: MetafieldValue[] } };

function variantNode(v: PageVariant): GqlVariantNode {
  return { ...v, metafields: v.metafields?.nodes ?? [] };
}

export async function* subsetProductRecords(
  client: ShopifyGraphqlClient,
  subset: SubsetSettings,
  ctx: MappingContext,
  options: SubsetOptions = {},
): AsyncGenerator<SourceRecord> {
  const keys = mappedMetafieldKeys(ctx.metafieldMap ?? {});
  const metafieldVars = { withMetafields: keys.length > 0, metafieldKeys: keys.length ? keys : null, metafieldCount: Math.max(1, keys.length) };
  const sizes = subsetPageSizes(keys.length);
  const pageSize = Math.max(1, Math.min(options.pageSize ?? sizes.products, sizes.products));
  let remaining = subset.first ?? Number.POSITIVE_INFINITY;
  let after: string | null = null;
  while (remaining > 0) {
    const data: ProductsPageQuery = await client.request(PRODUCTS_PAGE, {
      first: Math.min(pageSize, remaining),
      after,
      query: subset.query ?? null,
      variantsFirst: sizes.variants,
      mediaFirst: sizes.media,
      ...metafieldVars,
    }, { expectedCost: sizes.productsPageCost });
    const page = data.products;
    for (const product of page.nodes) {
      const variants = product.variants.nodes.map((v) => variantNode(v as PageVariant));
      let variantPage = product.variants.pageInfo;
      while (variantPage.hasNextPage) {
        const more = await client.request(
          PRODUCT_VARIANTS_PAGE,
          { id: product.id, first: sizes.variantsPage, after: variantPage.endCursor ?? null, ...metafieldVars },
          { expectedCost: sizes.variantsPageCost },
        );
        const connection = more.product?.variants;
        if (!connection) break;
        variants.push(...connection.nodes.map((v) => variantNode(v as PageVariant)));
        variantPage = connection.pageInfo;
      }
      const media: GqlMediaNode[] = [...(product.media.nodes as GqlMediaNode[])];
      let mediaPage = product.media.pageInfo;
      while (mediaPage.hasNextPage) {
        const more = await client.request(PRODUCT_MEDIA_PAGE, { id: product.id, after: mediaPage.endCursor ?? null }, { expectedCost: MEDIA_PAGE_COST });
        const connection = more.product?.media;
        if (!connection) break;
        media.push(...(connection.nodes as GqlMediaNode[]));
        mediaPage = connection.pageInfo;
      }
      const node: GqlProductNode = {
        id: product.id,
        handle: product.handle,
        title: product.title,
        status: product.status,
        descriptionHtml: product.descriptionHtml,
        vendor: product.vendor,
        productType: product.productType,
        tags: product.tags,
        updatedAt: String(product.updatedAt),
        category: product.category ?? null,
        media,
        variants,
        metafields: product.metafields?.nodes ?? [],
      };
      const { record, warnings } = recordFromGraphql(node, ctx);
      for (const w of warnings) options.onWarning?.(w);
      yield record;
      if (--remaining <= 0) return;
    }
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}
