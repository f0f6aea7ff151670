// The real path of background jobs: the app's shopify.server (shopify-app-remix's
// unauthenticated.admin over the stored offline session, @shopify/shopify-api's GraphQL client)
// against the Shopify simulator, with our graphql client on top: throttling and outages as the
// library throws them, a revoked token, a shop without a session.
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCatalog, startShopifySim, type ShopifySim } from "../../../tools/shopify-sim/index.ts";
import { OTHER_SHOP, TEST_API_KEY, TEST_API_SECRET, TEST_SHOP } from "../../../test/support/constants";
import { MerchantError } from "../../errors";
import { adminClientForShop } from "./admin-client.server";
import { PRODUCTS_PAGE } from "./documents";
import { RECONNECT_MESSAGE } from "./errors";
import { ShopifyGraphqlClient } from "./graphql-client.server";

let sim: ShopifySim;

const pageVariables = { first: 2, variantsFirst: 5, mediaFirst: 2, withMetafields: false, metafieldKeys: null, metafieldCount: 1 };

beforeAll(async () => {
  sim = await startShopifySim({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, seed: generateCatalog({ products: 3, variantsPerProduct: 2, seed: 3 }) });
  // Read when the app object loads (first call of adminClientForShop): Admin API calls go to the simulator.
  process.env.SHOPIFY_ADMIN_API_ORIGIN = sim.url;
  sim.install(TEST_SHOP);
  const token = sim.issueAccessToken(TEST_SHOP) as { access_token: string; scope: string };
  const { sessionStorage } = await import("../../shopify.server");
  await sessionStorage.storeSession(
    new Session({ id: `offline_${TEST_SHOP}`, shop: TEST_SHOP, state: "installed", isOnline: false, accessToken: token.access_token, scope: token.scope }),
  );
});

afterAll(async () => {
  await sim?.close();
});

async function client(): Promise<ShopifyGraphqlClient> {
  return new ShopifyGraphqlClient(await adminClientForShop(TEST_SHOP), { baseDelayMs: 5, maxDelayMs: 20 });
}

describe("adminClientForShop with shopify-app-remix and the simulator", () => {
  it("queries the shop with its offline session", async () => {
    const data = await (await client()).request(PRODUCTS_PAGE, pageVariables);
    expect(data.products.nodes).toHaveLength(2);
  });

  it("retries THROTTLED, which the library throws as GraphqlQueryError", async () => {
    const c = await client();
    sim.setThrottle({ available: 0, restoreRate: 250, shop: TEST_SHOP });
    try {
      const data = await c.request(PRODUCTS_PAGE, pageVariables);
      expect(data.products.nodes).toHaveLength(2);
      expect(c.stats.retries).toBe(1);
      expect(c.stats.throttledMs).toBeGreaterThan(0);
    } finally {
      sim.setThrottle({ available: 2000, restoreRate: 100, shop: TEST_SHOP });
    }
  });

  it("retries 503, which the library throws as HttpInternalError", async () => {
    const c = await client();
    sim.injectFailures({ count: 2, status: 503, target: "graphql", shop: TEST_SHOP });
    try {
      const data = await c.request(PRODUCTS_PAGE, pageVariables);
      expect(data.products.nodes).toHaveLength(2);
      expect(c.stats.retries).toBe(2);
    } finally {
      sim.clearFailures();
    }
  });

  it("asks the merchant to reconnect when Shopify refuses the token (401), without leaking it", async () => {
    const c = await client();
    sim.revokeTokens(TEST_SHOP);
    const error = await c.request(PRODUCTS_PAGE, pageVariables).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).permanent).toBe(true);
    expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
  });

  it("asks the merchant to reconnect when the shop has no offline session", async () => {
    const error = await adminClientForShop(OTHER_SHOP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
  });
});
