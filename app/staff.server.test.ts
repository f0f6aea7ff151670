// A request's editor (requestEditor) with Shopify's token exchange and the session storage faked:
// when an online token is asked for, when a stored one is used, and what happens without one.
import { HttpResponseError, InvalidJwtError, Session } from "@shopify/shopify-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EDITOR_NAME_TIMEOUT_MS, rawSessionToken, requestEditor, type OnlineSessions } from "./staff.server";

const SHOP = "staff-shop.myshopify.com";
const SESSION_TOKEN = "eyJ.session-token.signature";

function onlineSession(userId: number, first: string, last: string, expiresInMs = 86_399_000): Session {
  return new Session({
    id: `${SHOP}_${userId}`,
    shop: SHOP,
    state: "",
    isOnline: true,
    accessToken: "shpua_secret",
    scope: "read_products,write_products",
    expires: new Date(Date.now() + expiresInMs),
    onlineAccessInfo: {
      expires_in: Math.round(expiresInMs / 1000),
      associated_user_scope: "read_products,write_products",
      associated_user: { id: userId, first_name: first, last_name: last, email: `${first.toLowerCase()}@example.com`, email_verified: true, account_owner: false, locale: "en", collaborator: false },
    },
  });
}

/** Session storage in memory, and a token exchange answering `answer` (counted). */
function fakeSessions(answer: () => Promise<Session>) {
  const stored = new Map<string, Session>();
  const calls = { exchanges: 0, stores: 0 };
  const sessions: OnlineSessions = {
    sessionId: (shop, userId) => `${shop}_${userId}`,
    load: async (id) => stored.get(id),
    store: async (session) => {
      calls.stores++;
      stored.set(session.id, session);
    },
    exchange: async (shop, token) => {
      expect([shop, token]).toEqual([SHOP, SESSION_TOKEN]);
      calls.exchanges++;
      return answer();
    },
  };
  return { sessions, stored, calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("requestEditor", () => {
  it("exchanges the session token for the staff member's online token once, then reads their stored session", async () => {
    const fake = fakeSessions(async () => onlineSession(42, "Jane", "Doe"));
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: "Jane Doe" });
    expect(fake.calls).toEqual({ exchanges: 1, stores: 1 });
    // Kept: who they are until the token expires; not the token, not the email.
    const kept = fake.stored.get(`${SHOP}_42`)!;
    expect(kept).toMatchObject({ isOnline: true, accessToken: undefined });
    expect(kept.onlineAccessInfo?.associated_user).toMatchObject({ id: 42, first_name: "Jane", last_name: "Doe", email: "" });
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: "Jane Doe" });
    expect(fake.calls).toEqual({ exchanges: 1, stores: 1 });
  });

  it("asks again once the stored online session has expired (Shopify's expiry)", async () => {
    const fake = fakeSessions(async () => onlineSession(42, "Jane", "Smith"));
    fake.stored.set(`${SHOP}_42`, onlineSession(42, "Jane", "Doe", -1000));
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: "Jane Smith" });
    expect(fake.calls.exchanges).toBe(1);
    expect(fake.stored.get(`${SHOP}_42`)!.expires!.getTime()).toBeGreaterThan(Date.now());
  });

  it("shares one exchange between concurrent edits of a staff member", async () => {
    const fake = fakeSessions(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return onlineSession(42, "Jane", "Doe");
    });
    const editors = await Promise.all([1, 2, 3].map(() => requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)));
    expect(editors).toEqual(Array(3).fill({ id: "staff 42", name: "Jane Doe" }));
    expect(fake.calls.exchanges).toBe(1);
  });

  it("has no name without a user, without a session token, or for a staff member Shopify gives none", async () => {
    const fake = fakeSessions(async () => onlineSession(42, "", ""));
    expect(await requestEditor(SHOP, undefined, SESSION_TOKEN, fake.sessions)).toEqual({ id: "a staff member", name: null });
    expect(await requestEditor(SHOP, "42", null, fake.sessions)).toEqual({ id: "staff 42", name: null });
    expect(fake.calls.exchanges).toBe(0);
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: null });
  });

  it("keeps no session, and takes no name, from a token of another user", async () => {
    const fake = fakeSessions(async () => onlineSession(7, "Other", "Person"));
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: null });
    expect(fake.calls.stores).toBe(0);
  });

  it("records the edit without a name when Shopify refuses or fails, saying why without any token", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const refused = fakeSessions(async () => {
      throw new HttpResponseError({ message: "Received an error response (400 Bad Request) from Shopify", code: 400, statusText: "Bad Request", body: { error: "invalid_subject_token" } });
    });
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, refused.sessions)).toEqual({ id: "staff 42", name: null });
    // The library's message for a refused session token quotes the token.
    const invalid = fakeSessions(async () => {
      throw new InvalidJwtError(`Failed to parse session token '${SESSION_TOKEN}': "exp" claim timestamp check failed`);
    });
    expect(await requestEditor(SHOP, "43", SESSION_TOKEN, invalid.sessions)).toEqual({ id: "staff 43", name: null });
    expect(refused.calls.stores + invalid.calls.stores).toBe(0);
    expect(written).toEqual([
      `Passport: the name of staff 42 of ${SHOP} is unknown (Shopify answered HTTP 400); their edit is recorded as "Manual edit".\n`,
      `Passport: the name of staff 43 of ${SHOP} is unknown (the session token was refused); their edit is recorded as "Manual edit".\n`,
    ]);
    expect(written.join("")).not.toContain(SESSION_TOKEN);
  });
});

describe("requestEditor when Shopify or the storage fails", () => {
  it("records the edit without a name when Shopify does not answer in time", async () => {
    vi.useFakeTimers();
    try {
      vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const hanging = fakeSessions(() => new Promise<Session>(() => undefined));
      const editor = requestEditor(SHOP, "42", SESSION_TOKEN, hanging.sessions);
      await vi.advanceTimersByTimeAsync(EDITOR_NAME_TIMEOUT_MS);
      expect(await editor).toEqual({ id: "staff 42", name: null });
    } finally {
      vi.useRealTimers();
    }
  });

  it("records the edit without a name when the stored session cannot be read", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const fake = fakeSessions(async () => onlineSession(42, "Jane", "Doe"));
    fake.sessions.load = async () => {
      throw new Error("the session row could not be decrypted");
    };
    expect(await requestEditor(SHOP, "42", SESSION_TOKEN, fake.sessions)).toEqual({ id: "staff 42", name: null });
  });
});

describe("rawSessionToken", () => {
  it("reads the Authorization header first, then the id_token parameter of a document request", () => {
    expect(rawSessionToken(new Request("http://app.test/app?id_token=from-url", { headers: { Authorization: "Bearer from-header" } }))).toBe("from-header");
    expect(rawSessionToken(new Request("http://app.test/app?id_token=from-url"))).toBe("from-url");
    expect(rawSessionToken(new Request("http://app.test/app"))).toBeNull();
  });
});
