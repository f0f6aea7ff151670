/* eslint-disable @typescript-eslint/no-explicit-any -- assertions on loosely typed JSON responses */
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySim, type ShopifySim } from "./index.ts";
import { RESOLVERS } from "./resolvers.ts";
import { loadAdminSchema } from "./schema.ts";
import { adminGraphql } from "./testing.ts";

const SHOP = "gql-shop.myshopify.com";
let sim: ShopifySim;
let token: string;
/** Added to the simulator's clock: lets the leaky bucket refill without waiting. */
let clockSkewMs = 0;

const gql = (query: string, variables?: Record<string, unknown>) => adminGraphql(sim.url, SHOP, token, query, variables);

type Page = { nodes: Array<{ handle: string }>; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string; startCursor: string } };

beforeAll(async () => {
  sim = await startShopifySim({ apiKey: "k", apiSecret: "s", now: () => Date.now() + clockSkewMs });
  token = String(sim.issueAccessToken(SHOP)["access_token"]);
});
afterAll(() => sim.close());

async function handles(query: string): Promise<string[]> {
  const res = await gql(`query($q: String) { products(first: 250, query: $q) { nodes { handle } } }`, { q: query });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data!["products"] as Page).nodes.map((n) => n.handle).sort();
}

describe("Admin GraphQL", () => {
  it("answers the implemented query root fields from the seeded catalog", async () => {
    const res = await gql(`{
      shop { id name myshopifyDomain email currencyCode primaryDomain { url host } }
      shopLocales(published: true) { locale primary published name }
      productsCount { count precision }
      product: productByHandle(handle: "wool-overcoat") {
        id legacyResourceId title handle description descriptionHtml vendor productType tags status createdAt updatedAt
        category { id name fullName }
        options { name position values }
        media(first: 5) { nodes { mediaContentType ... on MediaImage { image { url altText width height } } } }
        featuredMedia { ... on MediaImage { id } }
        variants(first: 10) { nodes { id title sku barcode position price selectedOptions { name value }
          inventoryItem { id sku measurement { weight { value unit } } } product { handle } } }
        metafield(namespace: "custom", key: "material") { type value jsonValue }
      }
    }`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data!;
    expect(data["shop"]).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/Shop\/\d+$/),
      name: "Gql Shop",
      myshopifyDomain: SHOP,
      email: expect.stringContaining("@"),
      currencyCode: "EUR",
      primaryDomain: { url: `https://${SHOP}`, host: SHOP },
    });
    expect(data["shopLocales"]).toEqual([
      { locale: "en", primary: true, published: true, name: "English" },
      { locale: "de", primary: false, published: true, name: "German" },
    ]);
    expect(data["productsCount"]).toEqual({ count: 26, precision: "EXACT" });
    const p = data["product"] as Record<string, any>;
    expect(p["id"]).toBe(`gid://shopify/Product/${p["legacyResourceId"]}`);
    expect(p).toMatchObject({
      title: "Wool Overcoat",
      vendor: "Nordkyst",
      productType: "Outerwear",
      status: "ACTIVE",
      category: { name: "Overcoats", fullName: "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets > Overcoats" },
      options: [
        { name: "Colour", position: 1, values: ["Charcoal", "Camel"] },
        { name: "Size", position: 2, values: ["S", "M", "L", "XL"] },
      ],
      metafield: { type: "single_line_text_field", value: "70% recycled wool, 30% recycled polyamide", jsonValue: "70% recycled wool, 30% recycled polyamide" },
    });
    expect(p["description"]).toMatch(/^A single-breasted overcoat/);
    expect(p["description"]).not.toContain("<");
    expect(p["media"].nodes[0]).toEqual({
      mediaContentType: "IMAGE",
      image: { url: `${sim.url}/images/wool-overcoat-charcoal.svg`, altText: "Wool Overcoat in Charcoal", width: 800, height: 1000 },
    });
    const v = p["variants"].nodes[0];
    expect(v).toMatchObject({
      title: "Charcoal / S",
      sku: "NK-WOC-CHA-S",
      position: 1,
      price: "449.00",
      selectedOptions: [
        { name: "Colour", value: "Charcoal" },
        { name: "Size", value: "S" },
      ],
      inventoryItem: { sku: "NK-WOC-CHA-S", measurement: { weight: { value: 1.622, unit: "KILOGRAMS" } } },
      product: { handle: "wool-overcoat" },
    });
    expect(v.barcode).toMatch(/^\d{13}$/);
    // The image the simulator serves for it.
    const svg = await fetch(p["media"].nodes[0].image.url);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toContain("Wool Overcoat</text>");
  });

  it("implements only fields of the real schema, and every implemented field resolves", async () => {
    const schema = loadAdminSchema();
    for (const [typeName, fields] of Object.entries(RESOLVERS)) {
      const type = schema.getType(typeName);
      expect(type && isObjectType(type), typeName).toBe(true);
      for (const field of Object.keys(fields)) expect((type as GraphQLObjectType).getFields()[field], `${typeName}.${field}`).toBeDefined();
    }
    // Select every implemented field (leaf fields, and objects/connections a few levels deep).
    const ARGS: Record<string, string> = { metafield: '(namespace: "custom", key: "material")' };
    const select = (type: GraphQLObjectType, depth: number, seen: string[]): string => {
      const parts: string[] = ["__typename"];
      for (const name of Object.keys(RESOLVERS[type.name] ?? {})) {
        const field = type.getFields()[name]!;
        if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined) && !ARGS[name]) continue;
        const named = getNamedType(field.type);
        const alias = `${type.name}_${name}: ${name}`;
        if (isLeafType(named)) {
          parts.push(alias);
          continue;
        }
        if (depth === 0 || seen.includes(named.name)) continue;
        const conn = named.name.endsWith("Connection");
        const target = (conn ? getNamedType((named as GraphQLObjectType).getFields()["nodes"]!.type) : named) as GraphQLObjectType;
        const concrete = isObjectType(target) ? [target] : schema.getPossibleTypes(target).filter((t) => RESOLVERS[t.name]);
        const inner = concrete.map((t) => `... on ${t.name} { ${select(t, depth - 1, [...seen, named.name, t.name])} }`).join(" ");
        parts.push(conn ? `${alias}(first: 2) { nodes { ${inner} } pageInfo { hasNextPage endCursor } }` : `${alias}${ARGS[name] ?? ""} { ${inner} }`);
      }
      return parts.join(" ");
    };
    const query = `{ shop { ${select(schema.getType("Shop") as GraphQLObjectType, 2, ["Shop"])} }
      products(first: 2) { nodes { ${select(schema.getType("Product") as GraphQLObjectType, 3, ["Product"])} } } }`;
    const res = await gql(query);
    expect(res.body.errors).toBeUndefined();
    expect(JSON.stringify(res.body.data).length).toBeGreaterThan(2000);
  });

  it("fails a wrong field exactly like Shopify (HTTP 200, graphql-ruby wording)", async () => {
    const res = await gql(`{ products(first: 2) { nodes { id colour } } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      {
        message: "Field 'colour' doesn't exist on type 'Product'",
        locations: [{ line: 1, column: 35 }],
        path: ["query", "products", "nodes", "colour"],
        extensions: { code: "undefinedField", typeName: "Product", fieldName: "colour" },
      },
    ]);
    expect(res.body.data).toBeUndefined();
    const missing = await gql(`query Named { product { id } }`);
    expect(missing.body.errors).toEqual([
      {
        message: "Field 'product' is missing required arguments: id",
        locations: [{ line: 1, column: 15 }],
        path: ["query Named", "product"],
        extensions: { code: "missingRequiredArguments", className: "Field", name: "product", arguments: "id" },
      },
    ]);
    const args = await gql(`{ products(first: 1, colour: "red") { nodes { id } } }`);
    expect((args.body.errors as any[])[0]).toMatchObject({
      message: "Field 'products' doesn't accept argument 'colour'",
      extensions: { code: "argumentNotAccepted", argumentName: "colour" },
    });
    const noSelection = await gql(`{ product(id: "gid://shopify/Product/1") }`);
    expect((noSelection.body.errors as any[])[0].message).toBe(
      "Field must have selections (field 'product' returns Product but has no selections. Did you mean 'product { ... }'?)",
    );
    const enumValue = await gql(`{ products(first: 1, sortKey: COLOUR) { nodes { id } } }`);
    expect((enumValue.body.errors as any[])[0]).toMatchObject({
      message: "Argument 'sortKey' on Field 'products' has an invalid value (COLOUR). Expected type 'ProductSortKeys'.",
      extensions: { code: "argumentLiteralsIncompatible" },
    });
    const variables = await gql(`query($id: ID!) { product(id: $id) { id } }`);
    expect((variables.body.errors as any[])[0]).toMatchObject({
      message: "Variable $id of type ID! was provided invalid value",
      extensions: { code: "INVALID_VARIABLE", value: null },
    });
    const syntax = await gql(`{ products(first: 1) { nodes { id }`);
    expect((syntax.body.errors as any[])[0].message).toMatch(/^Parse error: /);
  });

  it("names fields the simulator does not implement instead of answering them", async () => {
    const res = await gql(`{ products(first: 1) { nodes { id collections(first: 1) { nodes { id } } } } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      {
        message:
          "Field 'collections' on Product is not implemented by the Shopify simulator (tools/shopify-sim). Remove it from the query or add a resolver in tools/shopify-sim/resolvers.ts.",
        locations: [{ line: 1, column: 35 }],
        extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR", typeName: "Product", fieldName: "collections" },
      },
    ]);
    const arg = await gql(`{ products(first: 1, savedSearchId: "gid://shopify/SavedSearch/1") { nodes { id } } }`);
    expect((arg.body.errors as any[])[0].message).toMatch(/Argument 'savedSearchId' of QueryRoot.products is not implemented/);
  });

  it("enforces Shopify's connection rules and global ids", async () => {
    const noFirst = await gql(`{ products { nodes { id } } }`);
    expect(noFirst.body.data).toBeNull();
    expect((noFirst.body.errors as any[])[0]).toMatchObject({ message: "you must provide one of first or last", path: ["products"] });
    const tooMany = await gql(`{ products(first: 251) { nodes { id } } }`);
    expect((tooMany.body.errors as any[])[0].message).toBe("The first argument must be less than or equal to 250.");
    const badId = await gql(`{ product(id: "123") { id } }`);
    expect((badId.body.errors as any[])[0]).toMatchObject({
      message: "Invalid global id '123'",
      path: ["product"],
      extensions: { code: "argumentLiteralsIncompatible" },
    });
    const unknown = await gql(`{ product(id: "gid://shopify/Product/1") { id } }`);
    expect(unknown.body).toMatchObject({ data: { product: null } });
  });

  it("paginates with a search query, forwards and backwards", async () => {
    const expected = await handles("tag:dpp-pilot");
    expect(expected.length).toBe(6);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await gql(
        `query($after: String) { products(first: 4, after: $after, query: "tag:dpp-pilot") { nodes { handle } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        { after },
      );
      const page = res.body.data!["products"] as Page;
      seen.push(...page.nodes.map((n) => n.handle));
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(expected);

    const all = await gql(`{ products(first: 250, sortKey: TITLE) { nodes { title } } }`);
    const titles = (all.body.data!["products"] as { nodes: Array<{ title: string }> }).nodes.map((n) => n.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));
    const last = await gql(`{ products(last: 3, sortKey: TITLE) { nodes { title } pageInfo { hasPreviousPage hasNextPage startCursor } } }`);
    const lastPage = last.body.data!["products"] as { nodes: Array<{ title: string }>; pageInfo: Page["pageInfo"] };
    expect(lastPage.nodes.map((n) => n.title)).toEqual(titles.slice(-3));
    expect(lastPage.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await gql(`query($c: String) { products(last: 2, before: $c, sortKey: TITLE) { nodes { title } } }`, {
      c: lastPage.pageInfo.startCursor,
    });
    expect((before.body.data!["products"] as { nodes: Array<{ title: string }> }).nodes.map((n) => n.title)).toEqual(titles.slice(-5, -3));
    const reversed = await gql(`{ products(first: 3, sortKey: TITLE, reverse: true) { nodes { title } } }`);
    expect((reversed.body.data!["products"] as { nodes: Array<{ title: string }> }).nodes.map((n) => n.title)).toEqual(titles.slice(-3).reverse());
  });

  it("supports a useful subset of Shopify's search syntax", async () => {
    expect(await handles("vendor:Nordkyst")).toHaveLength(26);
    expect(await handles("product_type:Denim")).toEqual(["denim-shorts", "denim-trucker-jacket", "slim-jeans-rinse", "straight-selvedge-jeans"]);
    expect(await handles("tag:dpp-pilot AND product_type:Knitwear")).toEqual(["merino-crewneck"]);
    expect(await handles("tag:dpp-pilot product_type:Knitwear")).toEqual(["merino-crewneck"]);
    expect(await handles("tag:waterproof OR tag:leather")).toEqual(["leather-belt", "rain-parka"]);
    expect(await handles('title:"linen shirt"')).toEqual(["linen-shirt"]);
    expect(await handles("title:lin*")).toEqual(["linen-shirt"]);
    expect(await handles("status:draft")).toEqual(["denim-shorts"]);
    expect(await handles("product_type:Denim -status:draft")).toHaveLength(3);
    expect(await handles("product_type:Denim NOT status:draft")).toHaveLength(3);
    expect(await handles("handle:linen-shirt,oxford-shirt")).toEqual(["linen-shirt", "oxford-shirt"]);
    expect(await handles("merino")).toEqual(["merino-beanie", "merino-crewneck"]);
    expect(await handles("sku:NK-LSH-SAG-M")).toEqual(["linen-shirt"]);
    expect(await handles("(tag:summer OR tag:waterproof) AND product_type:Shirts")).toEqual(["linen-shirt"]);
    const count = await gql(`{ productsCount(query: "tag:accessories", limit: 3) { count precision } }`);
    expect(count.body.data).toEqual({ productsCount: { count: 3, precision: "AT_LEAST" } });

    const before = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, "Z");
    sim.editProduct(SHOP, "canvas-tote", { tags: ["accessories", "organic-cotton", "bestseller"] });
    expect(await handles(`updated_at:>'${before}'`)).toEqual(["canvas-tote"]);
    expect(await handles("updated_at:<2025-01-17")).not.toContain("canvas-tote");

    const warned = await gql(`{ products(first: 1, query: "colour:red") { nodes { id } } }`);
    expect(warned.body.extensions!.search).toEqual([
      { path: ["products"], query: "colour:red", warnings: [{ field: "colour", message: "Invalid search field for this query." }] },
    ]);
  });

  it("resolves node, nodes, productVariant and productVariants", async () => {
    const first = await gql(`{ products(first: 1) { nodes { id variants(first: 1) { nodes { id } } } } }`);
    const product = (first.body.data!["products"] as any).nodes[0];
    const variantId = product.variants.nodes[0].id;
    const res = await gql(
      `query($ids: [ID!]!, $v: ID!) {
        nodes(ids: $ids) { __typename id ... on Product { handle } ... on ProductVariant { sku } }
        productVariant(id: $v) { product { id } }
        productVariants(first: 3, query: "sku:NK-OCT-*") { nodes { sku } }
      }`,
      { ids: [product.id, variantId, "gid://shopify/Order/1"], v: variantId },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      nodes: [
        { __typename: "Product", id: product.id, handle: "linen-shirt" },
        { __typename: "ProductVariant", id: variantId, sku: "NK-LSH-SAG-S" },
        null,
      ],
      productVariant: { product: { id: product.id } },
      productVariants: { nodes: [{ sku: "NK-OCT-BLA-S" }, { sku: "NK-OCT-BLA-M" }, { sku: "NK-OCT-BLA-L" }] },
    });
  });

  it("computes Shopify's query cost and reports it on every response", async () => {
    const simple = await gql(`{ products(first: 10) { nodes { id title } } }`);
    expect(simple.body.extensions!.cost).toMatchObject({ requestedQueryCost: 12, actualQueryCost: 12 });
    const nested = await gql(`{ products(first: 10, query: "product_type:Accessories") { edges { node { title variants(first: 5) { edges { node { price } } } } } } }`);
    // 2 + 10 × (1 + 2 + 5 × 1): the real variant counts make the actual cost lower.
    expect(nested.body.extensions!.cost.requestedQueryCost).toBe(82);
    const products = (nested.body.data!["products"] as any).edges as Array<{ node: { variants: { edges: unknown[] } } }>;
    const actual = 2 + products.reduce((sum, e) => sum + 1 + 2 + e.node.variants.edges.length, 0);
    expect(nested.body.extensions!.cost.actualQueryCost).toBe(actual);
    expect(actual).toBeLessThan(82);
    const fewer = await gql(`{ products(first: 50, query: "tag:leather") { nodes { id } } }`);
    expect(fewer.body.extensions!.cost).toMatchObject({ requestedQueryCost: 52, actualQueryCost: 3 });
    const status = simple.body.extensions!.cost.throttleStatus;
    expect(status).toEqual({ maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 });

    const tooExpensive = await gql(`{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }`);
    expect(tooExpensive.status).toBe(200);
    expect((tooExpensive.body.errors as any[])[0]).toMatchObject({
      message: expect.stringMatching(/^Query cost is 63252, which exceeds the single query max cost limit \(1000\)\./),
      extensions: { code: "MAX_COST_EXCEEDED", cost: 63252, maxCost: 1000 },
    });
    expect(tooExpensive.body.data).toBeUndefined();
  });

  it("throttles with a leaky bucket and recovers as points are restored", async () => {
    sim.setThrottle({ bucketSize: 30, restoreRate: 20, available: 30, shop: SHOP });
    const query = `{ products(first: 20) { nodes { id } } }`;
    const ok = await gql(query);
    expect(ok.body.extensions!.cost).toMatchObject({ requestedQueryCost: 22, actualQueryCost: 22 });
    expect(ok.body.extensions!.cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(9);
    const throttled = await gql(query);
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors).toEqual([
      { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
    ]);
    expect(throttled.body.data).toBeUndefined();
    expect(throttled.body.extensions!.cost).toMatchObject({
      requestedQueryCost: 22,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 30, restoreRate: 20 },
    });
    // Not yet: half the missing points are back after half the time.
    const missing = 22 - throttled.body.extensions!.cost.throttleStatus.currentlyAvailable;
    clockSkewMs += ((missing / 2) / 20) * 1000;
    expect((await gql(query)).body.errors).toEqual(throttled.body.errors);
    clockSkewMs += (missing / 20) * 1000 + 100;
    const recovered = await gql(query);
    expect(recovered.body.errors).toBeUndefined();
    expect(sim.stats(SHOP).throttled).toBeGreaterThanOrEqual(1);
    sim.setThrottle({ enabled: false });
    for (let i = 0; i < 3; i++) expect((await gql(query)).body.errors).toBeUndefined();
    sim.setThrottle({ enabled: true, bucketSize: 2000, restoreRate: 100, available: 2000 });
  });

  it("injects failures: 429 with Retry-After, 500/503, and dropped connections", async () => {
    await fetch(`${sim.url}/_sim/failures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 2, status: 429 }),
    });
    const first = await gql(`{ shop { name } }`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2.0");
    expect(first.body).toEqual({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." });
    expect((await gql(`{ shop { name } }`)).status).toBe(429);
    expect((await gql(`{ shop { name } }`)).status).toBe(200);
    sim.injectFailures({ count: 1, status: 500 });
    expect(await gql(`{ shop { name } }`)).toMatchObject({ status: 500, body: { errors: "Internal Server Error" } });
    sim.injectFailures({ count: 1, status: 0 });
    await expect(gql(`{ shop { name } }`)).rejects.toThrow();
    expect((await gql(`{ shop { name } }`)).status).toBe(200);
  });
});
