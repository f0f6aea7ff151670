import { HttpResponseError, InvalidJwtError } from "@shopify/shopify-api";
import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { describe, expect, it } from "vitest";
import { MerchantError } from "../../errors";
import { adminClientForShop, type AdminGraphqlClient } from "./admin-client.server";
import { RECONNECT_MESSAGE } from "./errors";

const SHOP = "acme.myshopify.com";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("adminClientForShop", () => {
  it("asks the merchant to reconnect when there is no offline session", async () => {
    const error = await failure(
      adminClientForShop(SHOP, async (shop) => {
        throw new SessionNotFoundError(`Could not find a session for shop ${shop} when creating unauthenticated admin context`);
      }),
    );
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).permanent).toBe(true);
    expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
  });

  it("asks the merchant to reconnect when Shopify refuses to refresh the token", async () => {
    for (const refused of [
      new InvalidJwtError("Failed to parse session token"),
      new HttpResponseError({ message: "Received an error response (400 Bad Request)", code: 400, statusText: "Bad Request", body: { error: "invalid_subject_token" } } as never),
    ]) {
      const error = await failure(adminClientForShop(SHOP, async () => Promise.reject(refused)));
      expect(error).toBeInstanceOf(MerchantError);
      expect((error as MerchantError).permanent).toBe(true);
    }
  });

  it("treats a refresh that failed for another reason as temporary", async () => {
    const error = await failure(adminClientForShop(SHOP, async () => Promise.reject(new Response(undefined, { status: 500 }))));
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).permanent).toBe(false);
  });

  it("keeps unrelated failures as they are (a database error is not the merchant's to fix)", async () => {
    const error = await failure(adminClientForShop(SHOP, async () => Promise.reject(new Error("SQLITE_BUSY: database is locked"))));
    expect(error).not.toBeInstanceOf(MerchantError);
    expect((error as Error).message).toMatch(/SQLITE_BUSY/);
  });

  describe("a call refused with 401: the token is refreshed once", () => {
    const unauthorized = () => new HttpResponseError({ message: "Received an error response (401 Unauthorized) from Shopify", code: 401, statusText: "Unauthorized" } as never);
    /** A shop whose first client answers 401; `refresh` is what getting a client again does. */
    async function shopWithRefusedToken(refresh: () => Promise<{ admin: AdminGraphqlClient }>) {
      let connects = 0;
      const sessions = { expired: 0, forgotten: 0 };
      const client = await adminClientForShop(
        SHOP,
        async () => {
          connects++;
          if (connects === 1) return { admin: { graphql: async () => Promise.reject(unauthorized()) } };
          return refresh();
        },
        async () => {
          sessions.expired++;
          return true;
        },
        async () => {
          sessions.forgotten++;
        },
      );
      return { client, sessions };
    }

    it("keeps the offline session when the refresh fails for another reason (the database is busy): the job retries", async () => {
      const { client, sessions } = await shopWithRefusedToken(async () => Promise.reject(new Error("SQLITE_BUSY: database is locked")));
      const error = await failure(client.graphql("query { shop { name } }"));
      expect((error as Error).message).toMatch(/SQLITE_BUSY/);
      expect(sessions).toEqual({ expired: 1, forgotten: 0 });
    });

    it("drops the offline session when the library answers the refresh with its bare 500 (how it reports invalid_grant)", async () => {
      const { client, sessions } = await shopWithRefusedToken(async () => Promise.reject(new Response(null, { status: 500 })));
      const error = await failure(client.graphql("query { shop { name } }"));
      expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
      expect(sessions.forgotten).toBe(1);
    });

    it("drops the offline session and asks to reconnect when Shopify refuses the refresh", async () => {
      const refused = new HttpResponseError({ message: "Received an error response (400 Bad Request)", code: 400, statusText: "Bad Request", body: { error: "invalid_grant" } } as never);
      const { client, sessions } = await shopWithRefusedToken(async () => Promise.reject(refused));
      const error = await failure(client.graphql("query { shop { name } }"));
      expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
      expect((error as MerchantError).permanent).toBe(true);
      expect(sessions.forgotten).toBe(1);
    });

    it("goes on with the refreshed token", async () => {
      const { client, sessions } = await shopWithRefusedToken(async () => ({ admin: { graphql: async () => new Response(JSON.stringify({ data: { shop: { name: "Acme" } } })) } }));
      expect(await (await client.graphql("query { shop { name } }")).json()).toEqual({ data: { shop: { name: "Acme" } } });
      expect(sessions).toEqual({ expired: 1, forgotten: 0 });
    });
  });

  it("maps 401/403 of its calls to the reconnect error and passes answers through", async () => {
    let calls = 0;
    const admin: AdminGraphqlClient = {
      async graphql() {
        calls++;
        if (calls === 1) return new Response(JSON.stringify({ data: { shop: { name: "Acme" } } }));
        throw new HttpResponseError({ message: "Received an error response (401 Unauthorized) from Shopify", code: 401, statusText: "Unauthorized" } as never);
      },
    };
    const client = await adminClientForShop(SHOP, async () => ({ admin }));
    expect(await (await client.graphql("query { shop { name } }")).json()).toEqual({ data: { shop: { name: "Acme" } } });
    const error = await failure(client.graphql("query { shop { name } }"));
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toBe(RECONNECT_MESSAGE);
  });
});
