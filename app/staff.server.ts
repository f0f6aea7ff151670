// Who is editing in the admin, by name. The app authenticates admin requests with the shop's
// offline token, the one background work uses, so a request knows its staff member only by id
// (the session token's subject). Shopify names staff members in online access tokens only
// (associated_user), so where a name is recorded (a manual edit) the request's session token is
// exchanged for the staff member's online token: once per staff member until that token expires
// (24 hours on Shopify, or when they log out), the online session being kept in the session
// storage like the offline one (tokens encrypted, its expiry Shopify's). The online token is not
// used for API calls, so the admin keeps the app's permissions and nothing changes for background
// work. Why not shopify-app-remix's useOnlineTokens: README, "Staff names in the history".
import type { Session } from "@shopify/shopify-api";
import { HttpResponseError, InvalidJwtError } from "@shopify/shopify-api";
import type { Editor } from "./catalog/source-labels";
import { staffEditor } from "./staff";

/** The online sessions of staff members, and Shopify's token exchange that makes them. */
export interface OnlineSessions {
  sessionId(shop: string, userId: string): string;
  load(id: string): Promise<Session | undefined>;
  store(session: Session): Promise<unknown>;
  exchange(shop: string, sessionToken: string): Promise<Session>;
}

async function appOnlineSessions(): Promise<OnlineSessions> {
  // Loaded on first use, as admin-client.server.ts does: the app object reads configuration.
  const { exchangeOnlineToken, onlineSessionId, sessionStorage } = await import("./shopify.server");
  return {
    sessionId: onlineSessionId,
    load: (id) => sessionStorage!.loadSession(id),
    store: (session) => sessionStorage!.storeSession(session),
    exchange: exchangeOnlineToken,
  };
}

/** Exchanges running in this process, by online session id: concurrent edits of one staff member share one. */
const exchanges = new Map<string, Promise<Editor>>();

/**
 * The editor of an admin request: the staff member's id ("staff 42") and their name, from their
 * stored online session while it has not expired, else from a new one. Without a user or a session
 * token, or when Shopify does not answer, the editor has no name (their edits read "Manual edit").
 */
export async function requestEditor(
  shop: string,
  userId: string | undefined,
  sessionToken: string | null,
  sessions?: OnlineSessions,
): Promise<Editor> {
  const anonymous = staffEditor(userId);
  if (!userId) return anonymous;
  const online = sessions ?? (await appOnlineSessions());
  const id = online.sessionId(shop, userId);
  const stored = await online.load(id);
  if (stored?.isOnline && !stored.isExpired()) return staffEditor(userId, stored.onlineAccessInfo?.associated_user);
  if (!sessionToken) return anonymous;
  const running = exchanges.get(id);
  if (running) return running;
  const exchange = (async () => {
    let session: Session;
    try {
      session = await online.exchange(shop, sessionToken);
    } catch (error) {
      // A name is not worth failing the edit for.
      warn(`the name of ${anonymous.id} of ${shop} is unknown (${reasonOf(error)}); their edit is recorded as "Manual edit"`);
      return anonymous;
    }
    // Only a session of this very user is kept under their id.
    if (session.isOnline && session.id === id) {
      await online.store(session).catch((error: unknown) => warn(`the online session of ${anonymous.id} of ${shop} was not kept (${reasonOf(error)})`));
    }
    return staffEditor(userId, session.onlineAccessInfo?.associated_user);
  })().finally(() => exchanges.delete(id));
  exchanges.set(id, exchange);
  return exchange;
}

/**
 * Why a call failed, naming no token: by the answer's status or the error's kind only (the
 * library's messages can quote the session token, InvalidJwtError's does).
 */
function reasonOf(error: unknown): string {
  if (error instanceof HttpResponseError) return `Shopify answered HTTP ${error.response.code}`;
  if (error instanceof InvalidJwtError) return "the session token was refused";
  return error instanceof Error ? error.name : typeof error;
}

function warn(message: string): void {
  process.stderr.write(`Passport: ${message}.\n`);
}

/** The raw session token of an admin request that authenticate.admin accepted: its Authorization header, else its `id_token` parameter (a document request). */
export function rawSessionToken(request: Request): string | null {
  const header = request.headers.get("Authorization")?.match(/^Bearer (.+)$/i)?.[1];
  return header || new URL(request.url).searchParams.get("id_token") || null;
}
