import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, RequestedTokenType, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySim, type ShopifySim } from "./index.ts";
import { adminGraphql, exchangeToken, sessionToken, startWebhookReceiver, type WebhookReceiver } from "./testing.ts";

const apiKey = "test-api-key";
const apiSecret = "test-api-secret";
const SHOP = "auth-shop.myshopify.com";
const INVALID_TOKEN = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };

let sim: ShopifySim;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(apiSecret);
  sim = await startShopifySim({ apiKey, apiSecret, appUrl: receiver.url, webhooks: { retryBaseMs: 10 } });
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const creds = { apiKey, apiSecret };

describe("token exchange", () => {
  it("exchanges a session token signed like Shopify's for offline, expiring and online tokens", async () => {
    const offline = await exchangeToken(sim.url, SHOP, creds);
    expect(offline.status).toBe(200);
    expect(Object.keys(offline.body).sort()).toEqual(["access_token", "scope"]);
    expect(offline.body.access_token).toMatch(/^shpat_[0-9a-f]{32}$/);
    expect(offline.body.scope).toBe("read_products,write_products");
    // The non-expiring offline token of an installation is stable.
    expect((await exchangeToken(sim.url, SHOP, creds)).body.access_token).toBe(offline.body.access_token);

    const expiring = await exchangeToken(sim.url, SHOP, { ...creds, expiring: true });
    expect(expiring.status).toBe(200);
    expect(expiring.body).toMatchObject({ expires_in: 3600, refresh_token_expires_in: 7_776_000, scope: "read_products,write_products" });
    expect(expiring.body.refresh_token).toMatch(/^shprt_/);

    const online = await exchangeToken(sim.url, SHOP, { ...creds, online: true, userId: 777 });
    expect(online.status).toBe(200);
    expect(online.body).toMatchObject({ expires_in: 3600, associated_user_scope: "read_products,write_products" });
    expect(online.body.associated_user).toMatchObject({ id: 777, account_owner: true, locale: "en" });

    for (const token of [offline.body.access_token, expiring.body.access_token, online.body.access_token]) {
      const res = await adminGraphql(sim.url, SHOP, token, "{ shop { myshopifyDomain } }");
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ shop: { myshopifyDomain: SHOP } });
    }
    expect(sim.stats(SHOP).shops[SHOP]).toMatchObject({ installed: true, tokenExchanges: 4, products: 26 });
  });

  it("describes staff members as setStaffMember (or PUT /_sim/shops/:shop/staff/:id) says, in online tokens and session tokens", async () => {
    sim.setStaffMember(SHOP, 31, { first_name: "Jane", last_name: "Doe", email: "jane@auth-shop.example", account_owner: false });
    const online = await exchangeToken(sim.url, SHOP, { ...creds, online: true, userId: 31 });
    expect(online.body.associated_user).toEqual({
      id: 31,
      first_name: "Jane",
      last_name: "Doe",
      email: "jane@auth-shop.example",
      account_owner: false,
      locale: "en",
      collaborator: false,
      email_verified: true,
    });
    expect((await sim.issueSessionToken(SHOP, { userId: 31 })).user).toMatchObject({ id: 31, name: "Jane Doe", accountAccess: "Staff" });
    // Over HTTP; a staff member without a name, as Shopify may describe one.
    const put = await fetch(`${sim.url}/_sim/shops/${SHOP}/staff/32`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ first_name: "", last_name: "" }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: 32, first_name: "", last_name: "" });
    expect((await exchangeToken(sim.url, SHOP, { ...creds, online: true, userId: 32 })).body.associated_user).toMatchObject({ id: 32, first_name: "", last_name: "" });
    // Other staff members keep the default description; unknown fields and wrong types are refused.
    expect((await exchangeToken(sim.url, SHOP, { ...creds, online: true, userId: 33 })).body.associated_user).toMatchObject({ id: 33, first_name: "Merchant", last_name: "User 33" });
    const bad = await fetch(`${sim.url}/_sim/shops/${SHOP}/staff/34`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ nickname: "JD" }) });
    expect(bad.status).toBe(400);
    expect(() => sim.setStaffMember(SHOP, 35, { first_name: 7 as unknown as string })).toThrow(/first_name must be a string/);
  });

  it("rejects a bad signature, a wrong audience, another shop's token, an expired token and a wrong client secret", async () => {
    const bad = async (payload: Record<string, unknown>, secret = apiSecret, headerShop = SHOP) => {
      const token = await sessionToken(SHOP, { apiKey, apiSecret: secret, payload });
      const res = await fetch(`${sim.url}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": headerShop },
        body: JSON.stringify({
          client_id: apiKey,
          client_secret: apiSecret,
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: token,
          subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
          requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        }),
      });
      return { status: res.status, body: await res.json() };
    };
    const invalidSubject = {
      status: 400,
      body: { error: "invalid_subject_token", error_description: "Token exchange cannot be performed due to an invalid subject token." },
    };
    expect(await bad({}, "not-the-secret")).toEqual(invalidSubject);
    expect(await bad({ aud: "another-app" })).toEqual(invalidSubject);
    expect(await bad({}, apiSecret, "other-shop.myshopify.com")).toEqual(invalidSubject);
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(await bad({ exp: past, nbf: past - 60, iat: past - 60 })).toEqual(invalidSubject);

    const wrongClient = await exchangeToken(sim.url, SHOP, { ...creds, clientSecret: "wrong" });
    expect(wrongClient.status).toBe(401);
    expect(wrongClient.body.error).toBe("invalid_client");
  });

  it("refreshes expiring tokens, rejects used refresh tokens, and reports expired or revoked tokens like Shopify", async () => {
    const first = (await exchangeToken(sim.url, SHOP, { ...creds, expiring: true })).body;
    expect(sim.expireTokens(SHOP)).toBeGreaterThan(0);
    const expired = await adminGraphql(sim.url, SHOP, first.access_token, "{ shop { name } }");
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(INVALID_TOKEN);

    const refresh = async (token: string) => {
      const res = await fetch(`${sim.url}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": SHOP },
        body: JSON.stringify({ client_id: apiKey, client_secret: apiSecret, refresh_token: token, grant_type: "refresh_token" }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const refreshed = await refresh(first.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ expires_in: 3600, refresh_token_expires_in: 7_776_000 });
    expect(refreshed.body["access_token"]).not.toBe(first.access_token);
    expect((await adminGraphql(sim.url, SHOP, String(refreshed.body["access_token"]), "{ shop { name } }")).status).toBe(200);
    expect(await refresh(first.refresh_token!)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    sim.revokeTokens(SHOP);
    expect((await adminGraphql(sim.url, SHOP, String(refreshed.body["access_token"]), "{ shop { name } }")).status).toBe(401);
    expect((await refresh(String(refreshed.body["refresh_token"]))).status).toBe(400);
  });

  it("migrates a non-expiring offline token to an expiring one", async () => {
    const shop = "migrate-shop.myshopify.com";
    const { access_token } = (await exchangeToken(sim.url, shop, creds)).body;
    const res = await fetch(`${sim.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Shop-Domain": shop },
      body: JSON.stringify({
        client_id: apiKey,
        client_secret: apiSecret,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: access_token,
        subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        expiring: "1",
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/) });
    expect((await adminGraphql(sim.url, shop, access_token, "{ shop { name } }")).status).toBe(401);
    // Without the shop header the token alone identifies the shop.
    const noHeader = await fetch(`${sim.url}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": String(body["access_token"]) },
      body: JSON.stringify({ query: "{ shop { myshopifyDomain } }" }),
    });
    expect(((await noHeader.json()) as { data: unknown }).data).toEqual({ shop: { myshopifyDomain: shop } });
  });

  it("serves only API version 2026-10 and checks the shop header against the token", async () => {
    const { access_token } = (await exchangeToken(sim.url, SHOP, creds)).body;
    const old = await fetch(`${sim.url}/admin/api/2024-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": access_token },
      body: JSON.stringify({ query: "{ shop { name } }" }),
    });
    expect(old.status).toBe(404);
    expect(await old.json()).toEqual({ errors: "Not Found" });
    const other = await adminGraphql(sim.url, "someone-else.myshopify.com", access_token, "{ shop { name } }");
    expect(other.status).toBe(401);
    expect((await adminGraphql(sim.url, SHOP, "shpat_unknown", "{ shop { name } }")).body).toEqual(INVALID_TOKEN);
  });

  it("works with @shopify/shopify-api: tokenExchange, refreshToken and the GraphQL client (which retries 503)", async () => {
    setAbstractFetchFunc(async (input, init) => {
      // What the app does in development: https://{shop}/… → simulator, plus the shop header.
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      const headers = new Headers(init?.headers);
      headers.set("X-Shopify-Shop-Domain", url.host);
      return fetch(`${sim.url}${url.pathname}${url.search}`, { ...init, headers });
    });
    const shopify = shopifyApi({
      apiKey,
      apiSecretKey: apiSecret,
      apiVersion: ApiVersion.October26,
      hostName: "passport.example",
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    });
    const shop = "library-shop.myshopify.com";
    const { token } = await getJwt("library-shop", apiKey, apiSecret);
    const { session } = await shopify.auth.tokenExchange({
      shop,
      sessionToken: token,
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
      expiring: true,
    });
    expect(session.shop).toBe(shop);
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.refreshToken).toMatch(/^shprt_/);
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(session.isActive("read_products,write_products")).toBe(true);

    const { session: refreshed } = await shopify.auth.refreshToken({ shop, refreshToken: session.refreshToken! });
    expect(refreshed.accessToken).not.toBe(session.accessToken);

    const client = new shopify.clients.Graphql({ session: refreshed });
    sim.injectFailures({ count: 1, status: 503, shop, retryAfter: 0.1 });
    const response = await client.request<{ shop: { name: string } }>("{ shop { name } }", { retries: 2 });
    expect(response.data?.shop.name).toBe("Library Shop");
    expect(sim.stats().failuresInjected).toBeGreaterThanOrEqual(1);

    sim.injectFailures({ count: 3, status: 429, shop });
    await expect(client.request("{ shop { name } }", { retries: 1 })).rejects.toThrow(/retries/i);
    sim.clearFailures();
  });

  it("uninstall revokes the tokens and sends app/uninstalled; a new token exchange reinstalls with the same catalog", async () => {
    const shop = "uninstall-shop.myshopify.com";
    const { access_token } = (await exchangeToken(sim.url, shop, creds)).body;
    sim.editProduct(shop, "linen-shirt", { title: "Linen Shirt (edited)" });
    await sim.waitForWebhooks();
    const res = await fetch(`${sim.url}/_sim/shops/${shop}/uninstall`, { method: "POST" });
    expect(await res.json()).toEqual({ domain: shop, installed: false });
    const [hook] = await receiver.waitFor(1, "app/uninstalled");
    expect(hook!.path).toBe("/webhooks/app/uninstalled");
    expect(hook!.validHmac).toBe(true);
    expect(hook!.headers["x-shopify-shop-domain"]).toBe(shop);
    expect(hook!.json).toMatchObject({ myshopify_domain: shop, domain: shop, currency: "EUR" });
    expect((await adminGraphql(sim.url, shop, access_token, "{ shop { name } }")).body).toEqual(INVALID_TOKEN);

    const again = await exchangeToken(sim.url, shop, creds);
    expect(again.status).toBe(200);
    expect(again.body.access_token).not.toBe(access_token);
    const product = await adminGraphql(sim.url, shop, again.body.access_token, `{ products(first: 1, query: "handle:linen-shirt") { nodes { title } } }`);
    expect(product.body.data).toEqual({ products: { nodes: [{ title: "Linen Shirt (edited)" }] } });
  });
});
