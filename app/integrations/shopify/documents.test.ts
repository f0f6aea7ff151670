// Every GraphQL document the adapter sends, validated against the offline Admin schema (2026-10)
// with graphql-js: a field that does not exist, a wrong argument or a wrong type fails here as it
// would on Shopify.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { requestedQueryCost } from "../../../tools/shopify-sim/cost.ts";
import { bulkQueryText } from "./bulk.server";
import { SHOPIFY_DOCUMENTS, PRODUCTS_PAGE, PRODUCT_VARIANTS_PAGE, PRODUCT_MEDIA_PAGE } from "./documents";
import { parseShopifySettings } from "./settings";
import { subsetPageSizes } from "./subset.server";

const SCHEMA_FILE = path.resolve(import.meta.dirname, "../../../tools/shopify-admin-schema/admin_2026-10.json.gz");

let schema: GraphQLSchema;
beforeAll(() => {
  const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString("utf8")) as { data: IntrospectionQuery };
  schema = buildClientSchema(json.data);
});

function errorsOf(document: string): string[] {
  return validate(schema, parse(document)).map((e) => e.message);
}

const mapping = parseShopifySettings(
  JSON.stringify({ metafieldMap: { materials: "dpp.materials", countryOfProduction: "custom.made_in", barcode: "$app:ids.gtin", manufacturer: "custom.maker" } }),
).settings.metafieldMap;

describe("GraphQL documents", () => {
  it.each(Object.entries(SHOPIFY_DOCUMENTS))("%s is valid against the Admin API 2026-10 schema", (_name, document) => {
    expect(errorsOf(document)).toEqual([]);
  });

  it("the bulk query sent, with and without mapped metafields, is valid", () => {
    expect(errorsOf(bulkQueryText({}))).toEqual([]);
    const withMetafields = bulkQueryText(mapping);
    expect(withMetafields).toContain('passportMf0: metafield(namespace: "dpp", key: "materials")');
    expect(withMetafields).toContain('metafield(namespace: "$app:ids", key: "gtin")');
    expect(errorsOf(withMetafields)).toEqual([]);
  });

  it("fails on a field that does not exist", () => {
    const wrong = SHOPIFY_DOCUMENTS.PRODUCTS_PAGE.replace("descriptionHtml", "bodyHtmlText");
    expect(errorsOf(wrong)).toEqual([expect.stringMatching(/Cannot query field "bodyHtmlText" on type "Product"/)]);
    // 2026-10 moved SKU and weight input to the inventory item: on the variant input they fail.
    const oldInput = `mutation ($productId: ID!) { productVariantsBulkUpdate(productId: $productId, variants: [{ sku: "A", weight: 1.0 }]) { userErrors { message } } }`;
    expect(errorsOf(oldInput)).toHaveLength(2);
  });
});

/** Connections of a bulk query and how deep they nest (Shopify: at most 5, at most 2 levels). */
function bulkShape(document: string): { connections: number; depth: number; nestedParentsSelectId: boolean } {
  const op = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  let connections = 0;
  let maxDepth = 0;
  let parentsSelectId = true;
  const walk = (selection: SelectionSetNode | undefined, type: GraphQLObjectType, depth: number, selectsId: boolean) => {
    for (const s of selection?.selections ?? []) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        if (t && isObjectType(t)) walk(s.selectionSet, t, depth, selectsId);
        continue;
      }
      if (s.kind !== Kind.FIELD) continue;
      const field = (type.getFields() as Record<string, { type: Parameters<typeof getNamedType>[0] } | undefined>)[s.name.value];
      if (!field) continue;
      const named = getNamedType(field.type);
      if (!named) continue;
      if (named.name.endsWith("Connection") && isObjectType(named)) {
        connections++;
        maxDepth = Math.max(maxDepth, depth + 1);
        if (depth > 0 && !selectsId) parentsSelectId = false;
        const edges = s.selectionSet?.selections.find((x): x is FieldNode => x.kind === Kind.FIELD && x.name.value === "edges");
        const node = edges?.selectionSet?.selections.find((x): x is FieldNode => x.kind === Kind.FIELD && x.name.value === "node");
        const nodeType = getNamedType(named.getFields().nodes.type);
        const ids = node?.selectionSet?.selections.some((x) => x.kind === Kind.FIELD && x.name.value === "id" && !x.alias) ?? false;
        if (isObjectType(nodeType)) walk(node?.selectionSet, nodeType, depth + 1, ids);
        else for (const t of schema.getPossibleTypes(nodeType as never)) walk(node?.selectionSet, t, depth + 1, ids);
      } else if (isObjectType(named)) walk(s.selectionSet, named, depth, selectsId);
    }
  };
  walk(op.selectionSet, schema.getQueryType()!, 0, false);
  return { connections, depth: maxDepth, nestedParentsSelectId: parentsSelectId };
}

describe("Shopify's limits", () => {
  it("the bulk query keeps Shopify's bulk rules (≤ 5 connections, ≤ 2 levels, parents select id)", () => {
    for (const text of [bulkQueryText({}), bulkQueryText(mapping)]) {
      expect(bulkShape(text)).toEqual({ connections: 3, depth: 2, nestedParentsSelectId: true });
    }
  });

  it("paginated queries stay under 1000 requested cost points, whatever the number of mapped metafields", () => {
    const cost = (document: string, variables: Record<string, unknown>) => {
      const op = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      return requestedQueryCost({ schema, fragments: {}, variables }, op);
    };
    for (let k = 0; k <= 22; k++) {
      const sizes = subsetPageSizes(k);
      const keys = Array.from({ length: k }, (_, i) => `ns.key${i}`);
      const mf = { withMetafields: k > 0, metafieldKeys: k ? keys : null, metafieldCount: Math.max(1, k) };
      const page = cost(PRODUCTS_PAGE, { first: sizes.products, variantsFirst: sizes.variants, mediaFirst: sizes.media, ...mf });
      const onePage = cost(PRODUCTS_PAGE, { first: 1, variantsFirst: sizes.variants, mediaFirst: sizes.media, ...mf });
      const variants = cost(PRODUCT_VARIANTS_PAGE, { id: "gid://shopify/Product/1", first: sizes.variantsPage, ...mf });
      expect(page, `products page, ${k} metafields`).toBeLessThanOrEqual(1000);
      // …and not far below it (pages as large as the limit allows).
      expect(page + onePage - 2, `products page, ${k} metafields`).toBeGreaterThan(1000);
      expect(variants, `variants page, ${k} metafields`).toBeLessThanOrEqual(1000);
      // The expected costs the subset sync paces by are Shopify's requested costs.
      expect(sizes.productsPageCost).toBe(page);
      expect(sizes.variantsPageCost).toBe(variants);
    }
    expect(subsetPageSizes(0)).toMatchObject({ products: 6, variants: 25, media: 10, variantsPage: 100 });
    expect(cost(PRODUCT_MEDIA_PAGE, { id: "gid://shopify/Product/1" })).toBe(203);
  });
});
