/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.js';

export type ProductsBulkExportQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ProductsBulkExportQuery = { products: { edges: Array<{ node: (
        Pick<AdminTypes.Product, 'id' | 'handle' | 'title' | 'status' | 'descriptionHtml' | 'vendor' | 'productType' | 'tags' | 'updatedAt'>
        & { category?: AdminTypes.Maybe<Pick<AdminTypes.TaxonomyCategory, 'fullName'>>, media: { edges: Array<{ node: Pick<AdminTypes.ExternalVideo, 'id' | 'mediaContentType'> | (
              Pick<AdminTypes.MediaImage, 'alt' | 'id' | 'mediaContentType'>
              & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }
            ) | Pick<AdminTypes.Model3d, 'id' | 'mediaContentType'> | Pick<AdminTypes.Video, 'id' | 'mediaContentType'> }> }, variants: { edges: Array<{ node: (
              Pick<AdminTypes.ProductVariant, 'id' | 'position' | 'sku' | 'barcode'>
              & { selectedOptions: Array<Pick<AdminTypes.SelectedOption, 'name' | 'value'>>, inventoryItem: { measurement: { weight?: AdminTypes.Maybe<Pick<AdminTypes.Weight, 'unit' | 'value'>> } } }
            ) }> } }
      ) }> } };

export type RunBulkQueryMutationVariables = AdminTypes.Exact<{
  query: AdminTypes.Scalars['String']['input'];
}>;


export type RunBulkQueryMutation = { bulkOperationRunQuery?: AdminTypes.Maybe<{ bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'createdAt'>>, userErrors: Array<Pick<AdminTypes.BulkOperationUserError, 'field' | 'message' | 'code'>> }> };

export type BulkOperationStatusQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type BulkOperationStatusQuery = { bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'errorCode' | 'objectCount' | 'rootObjectCount' | 'url' | 'partialDataUrl' | 'createdAt' | 'completedAt'>> };

export type ActiveBulkQueriesQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ActiveBulkQueriesQuery = { running: { nodes: Array<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'query' | 'createdAt'>> }, created: { nodes: Array<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'query' | 'createdAt'>> } };

export type CancelBulkOperationMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type CancelBulkOperationMutation = { bulkOperationCancel?: AdminTypes.Maybe<{ bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type ProductsPageQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  query?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  variantsFirst: AdminTypes.Scalars['Int']['input'];
  mediaFirst: AdminTypes.Scalars['Int']['input'];
  withMetafields: AdminTypes.Scalars['Boolean']['input'];
  metafieldKeys?: AdminTypes.InputMaybe<Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input']>;
  metafieldCount: AdminTypes.Scalars['Int']['input'];
}>;


export type ProductsPageQuery = { products: { nodes: Array<(
      Pick<AdminTypes.Product, 'id' | 'handle' | 'title' | 'status' | 'descriptionHtml' | 'vendor' | 'productType' | 'tags' | 'updatedAt'>
      & { category?: AdminTypes.Maybe<Pick<AdminTypes.TaxonomyCategory, 'fullName'>>, metafields?: { nodes: Array<Pick<AdminTypes.Metafield, 'namespace' | 'key' | 'type' | 'value'>> }, media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'mediaContentType'> | (
          Pick<AdminTypes.MediaImage, 'alt' | 'id' | 'mediaContentType'>
          & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }
        ) | Pick<AdminTypes.Model3d, 'id' | 'mediaContentType'> | Pick<AdminTypes.Video, 'id' | 'mediaContentType'>>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> }, variants: { nodes: Array<(
          Pick<AdminTypes.ProductVariant, 'id' | 'position' | 'sku' | 'barcode'>
          & { selectedOptions: Array<Pick<AdminTypes.SelectedOption, 'name' | 'value'>>, inventoryItem: { measurement: { weight?: AdminTypes.Maybe<Pick<AdminTypes.Weight, 'unit' | 'value'>> } }, metafields?: { nodes: Array<Pick<AdminTypes.Metafield, 'namespace' | 'key' | 'type' | 'value'>> } }
        )>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } }
    )>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } };

export type ProductVariantsPageQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  first: AdminTypes.Scalars['Int']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  withMetafields: AdminTypes.Scalars['Boolean']['input'];
  metafieldKeys?: AdminTypes.InputMaybe<Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input']>;
  metafieldCount: AdminTypes.Scalars['Int']['input'];
}>;


export type ProductVariantsPageQuery = { product?: AdminTypes.Maybe<{ variants: { nodes: Array<(
        Pick<AdminTypes.ProductVariant, 'id' | 'position' | 'sku' | 'barcode'>
        & { selectedOptions: Array<Pick<AdminTypes.SelectedOption, 'name' | 'value'>>, inventoryItem: { measurement: { weight?: AdminTypes.Maybe<Pick<AdminTypes.Weight, 'unit' | 'value'>> } }, metafields?: { nodes: Array<Pick<AdminTypes.Metafield, 'namespace' | 'key' | 'type' | 'value'>> } }
      )>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } }> };

export type ProductMediaPageQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type ProductMediaPageQuery = { product?: AdminTypes.Maybe<{ media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'mediaContentType'> | (
        Pick<AdminTypes.MediaImage, 'alt' | 'id' | 'mediaContentType'>
        & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }
      ) | Pick<AdminTypes.Model3d, 'id' | 'mediaContentType'> | Pick<AdminTypes.Video, 'id' | 'mediaContentType'>>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } }> };

export type SetPassportMetafieldsMutationVariables = AdminTypes.Exact<{
  metafields: Array<AdminTypes.MetafieldsSetInput> | AdminTypes.MetafieldsSetInput;
}>;


export type SetPassportMetafieldsMutation = { metafieldsSet?: AdminTypes.Maybe<{ metafields?: AdminTypes.Maybe<Array<Pick<AdminTypes.Metafield, 'namespace' | 'key'>>>, userErrors: Array<Pick<AdminTypes.MetafieldsSetUserError, 'field' | 'message' | 'code' | 'elementIndex'>> }> };

export type DeletePassportMetafieldsMutationVariables = AdminTypes.Exact<{
  metafields: Array<AdminTypes.MetafieldIdentifierInput> | AdminTypes.MetafieldIdentifierInput;
}>;


export type DeletePassportMetafieldsMutation = { metafieldsDelete?: AdminTypes.Maybe<{ deletedMetafields?: AdminTypes.Maybe<Array<AdminTypes.Maybe<Pick<AdminTypes.MetafieldIdentifier, 'ownerId' | 'namespace' | 'key'>>>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type PushVariantFieldsMutationVariables = AdminTypes.Exact<{
  productId: AdminTypes.Scalars['ID']['input'];
  variants: Array<AdminTypes.ProductVariantsBulkInput> | AdminTypes.ProductVariantsBulkInput;
}>;


export type PushVariantFieldsMutation = { productVariantsBulkUpdate?: AdminTypes.Maybe<{ productVariants?: AdminTypes.Maybe<Array<Pick<AdminTypes.ProductVariant, 'id'>>>, userErrors: Array<Pick<AdminTypes.ProductVariantsBulkUpdateUserError, 'field' | 'message' | 'code'>> }> };

export type VariantBarcodesQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type VariantBarcodesQuery = { nodes: Array<AdminTypes.Maybe<Pick<AdminTypes.ProductVariant, 'id' | 'barcode'>>> };

export type ShopProfileQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ShopProfileQuery = { shop: Pick<AdminTypes.Shop, 'name'>, shopLocales: Array<Pick<AdminTypes.ShopLocale, 'locale' | 'primary'>> };

interface GeneratedQueryTypes {
  "#graphql\n  query ProductsBulkExport {\n    products {\n      edges {\n        node {\n          id\n          handle\n          title\n          status\n          descriptionHtml\n          vendor\n          productType\n          tags\n          updatedAt\n          category {\n            fullName\n          }\n          # product metafields\n          media {\n            edges {\n              node {\n                id\n                mediaContentType\n                ... on MediaImage {\n                  alt\n                  image {\n                    url\n                    altText\n                  }\n                }\n              }\n            }\n          }\n          variants {\n            edges {\n              node {\n                id\n                position\n                sku\n                barcode\n                selectedOptions {\n                  name\n                  value\n                }\n                inventoryItem {\n                  measurement {\n                    weight {\n                      unit\n                      value\n                    }\n                  }\n                }\n                # variant metafields\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": {return: ProductsBulkExportQuery, variables: ProductsBulkExportQueryVariables},
  "#graphql\n  query BulkOperationStatus($id: ID!) {\n    bulkOperation(id: $id) {\n      id\n      status\n      errorCode\n      objectCount\n      rootObjectCount\n      url\n      partialDataUrl\n      createdAt\n      completedAt\n    }\n  }\n": {return: BulkOperationStatusQuery, variables: BulkOperationStatusQueryVariables},
  "#graphql\n  query ActiveBulkQueries {\n    running: bulkOperations(first: 5, query: \"operation_type:query status:running\") {\n      nodes {\n        id\n        status\n        query\n        createdAt\n      }\n    }\n    created: bulkOperations(first: 5, query: \"operation_type:query status:created\") {\n      nodes {\n        id\n        status\n        query\n        createdAt\n      }\n    }\n  }\n": {return: ActiveBulkQueriesQuery, variables: ActiveBulkQueriesQueryVariables},
  "#graphql\n  query ProductsPage(\n    $first: Int!\n    $after: String\n    $query: String\n    $variantsFirst: Int!\n    $mediaFirst: Int!\n    $withMetafields: Boolean!\n    $metafieldKeys: [String!]\n    $metafieldCount: Int!\n  ) {\n    products(first: $first, after: $after, query: $query, sortKey: ID) {\n      nodes {\n        id\n        handle\n        title\n        status\n        descriptionHtml\n        vendor\n        productType\n        tags\n        updatedAt\n        category {\n          fullName\n        }\n        metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {\n          nodes {\n            namespace\n            key\n            type\n            value\n          }\n        }\n        media(first: $mediaFirst) {\n          nodes {\n            id\n            mediaContentType\n            ... on MediaImage {\n              alt\n              image {\n                url\n                altText\n              }\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n        variants(first: $variantsFirst) {\n          nodes {\n            id\n            position\n            sku\n            barcode\n            selectedOptions {\n              name\n              value\n            }\n            inventoryItem {\n              measurement {\n                weight {\n                  unit\n                  value\n                }\n              }\n            }\n            metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {\n              nodes {\n                namespace\n                key\n                type\n                value\n              }\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": {return: ProductsPageQuery, variables: ProductsPageQueryVariables},
  "#graphql\n  query ProductVariantsPage(\n    $id: ID!\n    $first: Int!\n    $after: String\n    $withMetafields: Boolean!\n    $metafieldKeys: [String!]\n    $metafieldCount: Int!\n  ) {\n    product(id: $id) {\n      variants(first: $first, after: $after) {\n        nodes {\n          id\n          position\n          sku\n          barcode\n          selectedOptions {\n            name\n            value\n          }\n          inventoryItem {\n            measurement {\n              weight {\n                unit\n                value\n              }\n            }\n          }\n          metafields(first: $metafieldCount, keys: $metafieldKeys) @include(if: $withMetafields) {\n            nodes {\n              namespace\n              key\n              type\n              value\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": {return: ProductVariantsPageQuery, variables: ProductVariantsPageQueryVariables},
  "#graphql\n  query ProductMediaPage($id: ID!, $after: String) {\n    product(id: $id) {\n      media(first: 100, after: $after) {\n        nodes {\n          id\n          mediaContentType\n          ... on MediaImage {\n            alt\n            image {\n              url\n              altText\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": {return: ProductMediaPageQuery, variables: ProductMediaPageQueryVariables},
  "#graphql\n  query VariantBarcodes($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      ... on ProductVariant {\n        id\n        barcode\n      }\n    }\n  }\n": {return: VariantBarcodesQuery, variables: VariantBarcodesQueryVariables},
  "#graphql\n  query ShopProfile {\n    shop {\n      name\n    }\n    shopLocales {\n      locale\n      primary\n    }\n  }\n": {return: ShopProfileQuery, variables: ShopProfileQueryVariables},
}

interface GeneratedMutationTypes {
  "#graphql\n  mutation RunBulkQuery($query: String!) {\n    bulkOperationRunQuery(query: $query, groupObjects: true) {\n      bulkOperation {\n        id\n        status\n        createdAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: RunBulkQueryMutation, variables: RunBulkQueryMutationVariables},
  "#graphql\n  mutation CancelBulkOperation($id: ID!) {\n    bulkOperationCancel(id: $id) {\n      bulkOperation {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: CancelBulkOperationMutation, variables: CancelBulkOperationMutationVariables},
  "#graphql\n  mutation SetPassportMetafields($metafields: [MetafieldsSetInput!]!) {\n    metafieldsSet(metafields: $metafields) {\n      metafields {\n        namespace\n        key\n      }\n      userErrors {\n        field\n        message\n        code\n        elementIndex\n      }\n    }\n  }\n": {return: SetPassportMetafieldsMutation, variables: SetPassportMetafieldsMutationVariables},
  "#graphql\n  mutation DeletePassportMetafields($metafields: [MetafieldIdentifierInput!]!) {\n    metafieldsDelete(metafields: $metafields) {\n      deletedMetafields {\n        ownerId\n        namespace\n        key\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: DeletePassportMetafieldsMutation, variables: DeletePassportMetafieldsMutationVariables},
  "#graphql\n  mutation PushVariantFields($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {\n    productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) {\n      productVariants {\n        id\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: PushVariantFieldsMutation, variables: PushVariantFieldsMutationVariables},
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
