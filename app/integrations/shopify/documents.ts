// Every GraphQL document the Shopify adapter sends to the Admin API (version 2026-10), as
// `#graphql` template strings without interpolation: Shopify's codegen preset types each one by
// its exact text (types/admin.generated.d.ts), and documents.test.ts validates each one against
// the offline Admin schema, so a wrong field fails in CI as it would on Shopify.
//
// Keep them literal (no `${…}`): the string itself is the key of its generated types.

// ---------------------------------------------------------------------------------------------
// Full sync: a bulk query over the whole catalog.
//
// Sent as the `query` argument of bulkOperationRunQuery, not as a request of its own. Shopify's
// bulk rules: one top-level connection, at most five connections, nested at most two levels, and
// the parent node of a nested connection selects `id`. Connections here: products, media,
// variants (three). Mapped metafields are added by bulk.server.ts as aliased singular
// `metafield(namespace:, key:)` fields (not connections, so variant metafields do not make a
// third nesting level) at the two marker comments; bulkQueryText() does it, and the test
// validates the result.
export const PRODUCTS_BULK_QUERY = `#graphql
  query ProductsBulkExport {
    products {
      edges {
        node {
          id
          handle
          title
          status
          descriptionHtml
          vendor
          productType
          tags
          updatedAt
          category {
            fullName
          }
          # product metafields
          media {
            edges {
              node {
                id
                mediaContentType
                ... on MediaImage {
                  alt
                  image {
                    url
                    altText
                  }
                }
              }
            }
          }
          variants {
            edges {
              node {
                id
                position
                sku
                barcode
                selectedOptions {
                  name
                  value
                }
                inventoryItem {
                  measurement {
                    weight {
                      unit
                      value
                    }
                  }
                }
                # variant metafields
              }
            }
          }
        }
      }
    }
  }
`;

export const RUN_BULK_QUERY = `#graphql
  mutation RunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: true) {
      bulkOperation {
        id
        status
        createdAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BULK_OPERATION_STATUS = `#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
      createdAt
      completedAt
    }
  }
`;

/** The app's bulk queries that still hold one of the shop's concurrent slots. */
export const ACTIVE_BULK_QUERIES = `#graphql
  query ActiveBulkQueries {
    running: bulkOperations(first: 5, query: "operation_type:query status:running") {
      nodes {
        id
        status
        query
        createdAt
      }
    }
    created: bulkOperations(first: 5, query: "operation_type:query status:created") {
      nodes {
        id
        status
        query
        createdAt
      }
    }
  }
`;

export const CANCEL_BULK_OPERATION = `#graphql
  mutation CancelBulkOperation($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// ---------------------------------------------------------------------------------------------
// Subset sync ("test before going live"): paginated products, with the same fields as the bulk
// query. Metafields come through the `metafields(keys:)` connection (no nesting limit here).
// Page sizes are variables: subset.server.ts sizes them to stay under Shopify's 1000 points of
// requested cost per query, which grows with the number of mapped metafields.

export const PRODUCTS_PAGE = `#graphql
  query ProductsPage(
    $first: Int!
    $after: String
    $query: String
    $variantsFirst: Int!
    $mediaFirst: Int!
    $withMetafields: Boolean!
    $metafieldKeys: [String!]
    $metafieldCount: Int!
  ) {
    products(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes {
        id
        handle
        title
        status
        descriptionHtml
        vendor
        productType
        tags
        updatedAt
        category {
          fullName
        }
        metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {
          nodes {
            namespace
            key
            type
            value
          }
        }
        media(first: $mediaFirst) {
          nodes {
            id
            mediaContentType
            ... on MediaImage {
              alt
              image {
                url
                altText
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
        variants(first: $variantsFirst) {
          nodes {
            id
            position
            sku
            barcode
            selectedOptions {
              name
              value
            }
            inventoryItem {
              measurement {
                weight {
                  unit
                  value
                }
              }
            }
            metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {
              nodes {
                namespace
                key
                type
                value
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** The rest of a product's variants when it has more than one page of them. */
export const PRODUCT_VARIANTS_PAGE = `#graphql
  query ProductVariantsPage(
    $id: ID!
    $first: Int!
    $after: String
    $withMetafields: Boolean!
    $metafieldKeys: [String!]
    $metafieldCount: Int!
  ) {
    product(id: $id) {
      variants(first: $first, after: $after) {
        nodes {
          id
          position
          sku
          barcode
          selectedOptions {
            name
            value
          }
          inventoryItem {
            measurement {
              weight {
                unit
                value
              }
            }
          }
          metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {
            nodes {
              namespace
              key
              type
              value
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

/** The rest of a product's media when it has more than one page of them. */
export const PRODUCT_MEDIA_PAGE = `#graphql
  query ProductMediaPage($id: ID!, $after: String) {
    product(id: $id) {
      media(first: 100, after: $after) {
        nodes {
          id
          mediaContentType
          ... on MediaImage {
            alt
            image {
              url
              altText
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

// ---------------------------------------------------------------------------------------------
// Writes back to Shopify.

/** Passport links on products and variants (app-owned `$app` metafields, at most 25 per call). */
export const SET_PASSPORT_METAFIELDS = `#graphql
  mutation SetPassportMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        namespace
        key
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

/**
 * Removes passport links: a Digital Link when the variant no longer has a GTIN, and every link of
 * a passport that is no longer published (held back, or its product is a draft).
 */
export const DELETE_PASSPORT_METAFIELDS = `#graphql
  mutation DeletePassportMetafields($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        ownerId
        namespace
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Values another integration owns (SKU, barcode, weight), pushed to one product's variants. */
export const PUSH_VARIANT_FIELDS = `#graphql
  mutation PushVariantFields($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
    productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) {
      productVariants {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/**
 * The barcodes Shopify's variants have now (at most 250 ids per call), so that a pushed barcode
 * that differs from Shopify's only in its format (EAN-13 or GTIN-14) is not written.
 */
export const VARIANT_BARCODES = `#graphql
  query VariantBarcodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        id
        barcode
      }
    }
  }
`;

/** Every document above, by name (the document test walks this list). */
export const SHOPIFY_DOCUMENTS = {
  PRODUCTS_BULK_QUERY,
  RUN_BULK_QUERY,
  BULK_OPERATION_STATUS,
  ACTIVE_BULK_QUERIES,
  CANCEL_BULK_OPERATION,
  PRODUCTS_PAGE,
  PRODUCT_VARIANTS_PAGE,
  PRODUCT_MEDIA_PAGE,
  SET_PASSPORT_METAFIELDS,
  DELETE_PASSPORT_METAFIELDS,
  PUSH_VARIANT_FIELDS,
  VARIANT_BARCODES,
} as const;
