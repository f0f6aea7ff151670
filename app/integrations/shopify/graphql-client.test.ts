import { GraphqlQueryError, HttpInternalError, HttpRequestError, HttpResponseError, HttpThrottlingError } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { MerchantError } from "../../errors";
import type { AdminGraphqlClient } from "./admin-client.server";
import { assertNoUserErrors, ShopifyGraphqlClient, ShopifyUserErrors, ThrottleBucket, type ShopifyClientOptions } from "./graphql-client.server";

const QUERY = "query Probe { shop { name } }";

function cost(requested: number, available: number, restoreRate = 100, maximum = 1000) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: { maximumAvailable: maximum, currentlyAvailable: available, restoreRate } } };
}

const ok = (available: number, requested = 10) => ({ data: { shop: { name: "Acme" } }, extensions: cost(requested, available) });
const throttledBody = (available: number, requested: number) => ({
  errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
  extensions: cost(requested, available),
});

type Step = { status?: number; body?: unknown; headers?: Record<string, string> } | { throw: unknown };

/** An Admin client answering from a script; records when each call happened on the fake clock. */
function scripted(steps: Step[], clock: FakeClock): AdminGraphqlClient & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    async graphql() {
      calls.push(clock.t);
      const step = steps.shift();
      if (!step) throw new Error("no more scripted answers");
      if ("throw" in step) throw step.throw;
      return new Response(typeof step.body === "string" ? step.body : JSON.stringify(step.body), { status: step.status ?? 200, headers: step.headers });
    },
  };
}

class FakeClock {
  t = 1_000_000;
  sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

function client(admin: AdminGraphqlClient, clock: FakeClock, options: ShopifyClientOptions = {}) {
  return new ShopifyGraphqlClient(admin, { now: clock.now, sleep: clock.sleep, random: () => 0.5, ...options });
}

/** What @shopify/shopify-api throws for an HTTP 200 answer with errors (e.g. THROTTLED). */
function libraryGraphqlError(body: { errors: unknown[]; extensions?: unknown }) {
  return new GraphqlQueryError({
    message: "Throttled",
    response: new Response("{}") as unknown as Record<string, unknown>,
    headers: {},
    body: { extensions: body.extensions, errors: { networkStatusCode: 200, message: "GraphQL Client: An error occurred while fetching from the API.", graphQLErrors: body.errors } },
  } as never);
}

describe("pacing by the cost bucket", () => {
  it("waits before a request whose expected cost exceeds what is available, by the restore rate", async () => {
    const clock = new FakeClock();
    // First answer: the query costs 300 and leaves 100 of 1000 points; 50 are restored per second.
    const admin = scripted(
      [
        { body: { data: {}, extensions: cost(300, 100, 50) } },
        { body: { data: {}, extensions: cost(300, 0, 50) } },
      ],
      clock,
    );
    const c = client(admin, clock);
    await c.request(QUERY);
    await c.request(QUERY);
    // (300 - 100) / 50 per second = 4 s before the second request.
    expect(admin.calls[1] - admin.calls[0]).toBe(4000);
    expect(c.stats).toMatchObject({ requests: 2, retries: 0, throttledMs: 4000 });
  });

  it("does not wait while the bucket holds enough", async () => {
    const clock = new FakeClock();
    const admin = scripted([{ body: ok(990) }, { body: ok(980) }, { body: ok(970) }], clock);
    const c = client(admin, clock);
    for (let i = 0; i < 3; i++) await c.request(QUERY);
    expect(clock.sleeps).toEqual([]);
  });

  it("shares one bucket between clients of a shop", () => {
    const bucket = new ThrottleBucket();
    bucket.observe({ maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 }, 0);
    expect(bucket.delayFor(250, 0)).toBe(2500);
    expect(bucket.delayFor(250, 2000)).toBe(500);
    bucket.spend(200, 2000);
    expect(bucket.available(2000)).toBe(0);
    // Never more than the bucket holds, and a request larger than the bucket waits for a full one.
    expect(bucket.available(60_000)).toBe(1000);
    expect(bucket.delayFor(5000, 2000)).toBe(10_000);
  });
});

describe("retries", () => {
  it("retries THROTTLED thrown by the library after the time the missing points take to restore", async () => {
    const clock = new FakeClock();
    const admin = scripted([{ throw: libraryGraphqlError(throttledBody(100, 500)) }, { body: ok(900) }], clock);
    const c = client(admin, clock);
    await expect(c.request(QUERY)).resolves.toEqual({ shop: { name: "Acme" } });
    // 400 missing points at 100/s = 4 s, plus jitter (random 0.5 → 125 ms).
    expect(admin.calls[1] - admin.calls[0]).toBe(4125);
    expect(c.stats.retries).toBe(1);
  });

  it("retries THROTTLED in a plain HTTP 200 answer (fetch client)", async () => {
    const clock = new FakeClock();
    const admin = scripted([{ body: throttledBody(0, 200) }, { body: ok(800) }], clock);
    const c = client(admin, clock);
    await c.request(QUERY);
    expect(admin.calls[1] - admin.calls[0]).toBe(2125);
  });

  it("honours Retry-After on HTTP 429, thrown or answered", async () => {
    const clock = new FakeClock();
    const thrown = new HttpThrottlingError({ message: "Shopify is throttling requests", code: 429, statusText: "Too Many Requests", retryAfter: 2 } as never);
    const admin = scripted([{ throw: thrown }, { status: 429, body: { errors: "Exceeded 2 calls per second" }, headers: { "Retry-After": "3" } }, { body: ok(900) }], clock);
    const c = client(admin, clock);
    await c.request(QUERY);
    expect(admin.calls[1] - admin.calls[0]).toBe(2125);
    expect(admin.calls[2] - admin.calls[1]).toBe(3125);
  });

  it("backs off exponentially with jitter on 5xx and network errors", async () => {
    const clock = new FakeClock();
    const admin = scripted(
      [
        { status: 503, body: "Service Unavailable" },
        { throw: new HttpInternalError({ message: "Shopify internal error", code: 500, statusText: "Internal Server Error" } as never) },
        { throw: new TypeError("fetch failed") },
        { throw: new HttpRequestError("Http request error, no response available: socket hang up") },
        { body: ok(900) },
      ],
      clock,
    );
    const c = client(admin, clock, { random: () => 0.25 });
    await c.request(QUERY);
    // base 1 s doubling; jitter factor 0.5 + 0.25.
    expect(clock.sleeps).toEqual([750, 1500, 3000, 6000]);
  });

  it("gives up after the attempts with a merchant message, for outages and for rate limits", async () => {
    const clock = new FakeClock();
    const down = scripted(Array.from({ length: 6 }, () => ({ status: 502, body: "Bad Gateway" })), clock);
    const error = await client(down, clock).request(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toMatch(/^Shopify is not answering/);
    expect((error as MerchantError).permanent).toBe(false);
    expect(down.calls).toHaveLength(6);

    const busy = scripted(Array.from({ length: 3 }, () => ({ body: throttledBody(0, 100) })), clock);
    const limited = await client(busy, clock, { maxAttempts: 3 }).request(QUERY).catch((e: unknown) => e);
    expect((limited as MerchantError).message).toMatch(/^Shopify rate limit/);
  });
});

describe("errors that a retry does not fix", () => {
  it("turns 401/403 into the permanent reconnect error at once", async () => {
    for (const step of [
      { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } },
      { throw: new HttpResponseError({ message: "Received an error response (403 Forbidden) from Shopify", code: 403, statusText: "Forbidden" } as never) },
    ] satisfies Step[]) {
      const clock = new FakeClock();
      const admin = scripted([step], clock);
      const error = await client(admin, clock).request(QUERY).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MerchantError);
      expect((error as MerchantError).permanent).toBe(true);
      expect((error as MerchantError).message).toMatch(/Open Passport from your Shopify admin.*reinstall/);
      expect(admin.calls).toHaveLength(1);
    }
  });

  it("reports a missing scope as something the merchant must approve", async () => {
    const clock = new FakeClock();
    const body = { errors: [{ message: "Access denied for products field.", extensions: { code: "ACCESS_DENIED" } }], data: null };
    const error = await client(scripted([{ body }], clock), clock).request(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toMatch(/permission is missing/);
  });

  it("never retries or leaks secrets for a rejected request", async () => {
    const clock = new FakeClock();
    const admin = scripted([{ status: 400, body: "Bad request: access_token=shpat_0123456789abcdef was refused" }], clock);
    const error = (await client(admin, clock).request(QUERY).catch((e: unknown) => e)) as Error;
    expect(error).not.toBeInstanceOf(MerchantError);
    expect(error.message).not.toMatch(/shpat_0123/);
    expect(admin.calls).toHaveLength(1);

    const wrongField = scripted([{ body: { errors: [{ message: "Field 'colour' doesn't exist on type 'Product'", extensions: { code: "undefinedField" } }] } }], clock);
    await expect(client(wrongField, clock).request(QUERY)).rejects.toThrow(/Field 'colour' doesn't exist/);
  });

  it("surfaces userErrors of a mutation payload", () => {
    expect(() => assertNoUserErrors("metafieldsSet", { userErrors: [] })).not.toThrow();
    const error = (() => {
      try {
        assertNoUserErrors("metafieldsSet", { userErrors: [{ field: ["metafields", "0", "value"], message: "Value must be a valid URL", code: "INVALID_VALUE" }] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ShopifyUserErrors);
    expect((error as ShopifyUserErrors).message).toBe("metafieldsSet: metafields.0.value: Value must be a valid URL");
    expect((error as ShopifyUserErrors).userErrors[0].code).toBe("INVALID_VALUE");
  });
});
