// Who is editing in the admin, by name. The app authenticates admin requests with the shop's
// offline token, the one background work uses, so a request knows its staff member only by id
// (the session token's subject). Shopify names staff members in online access tokens only
// (associated_user), so where a name is recorded (a manual edit) the request's session token is
// exchanged for the staff member's online token: once per staff member until that token expires
// (24 hours on Shopify, or when they log out). What is kept of it is the name and the expiry, in
// the session storage under the online session's id: not the token (never used: the admin keeps
// the app's permissions and nothing changes for background work), not the email. Why not
// shopify-app-remix's useOnlineTokens: README, "Staff names in the history".
import { HttpResponseError, InvalidJwtError, Session } from "@shopify/shopify-api";
import type { Editor } from "./catalog/source-labels";
import { staffEditor } from "./staff";

/** The online sessions of staff members, and Shopify's token exchange that makes them. */
export interface OnlineSessions {
  sessionId(shop: string, userId: string): string;
  load(id: string): Promise<Session | undefined>;
  store(session: Session): Promise<unknown>;
  exchange(shop: string, sessionToken: string): Promise<Session>;
}

/** How long an edit waits for the editor's name before it is saved as "Manual edit". */
export const EDITOR_NAME_TIMEOUT_MS = 3000;

async function appOnlineSessions(): Promise<OnlineSessions> {
  // Loaded on first use, as admin-client.server.ts does: the app object reads configuration.
  const { exchangeOnlineToken, onlineSessionId, sessionStorage } = await import("./shopify.server");
  const { db } = await import("./db.server");
  return {
    sessionId: onlineSessionId,
    load: (id) => sessionStorage!.loadSession(id),
    store: async (session) => {
      // An uninstalled shop keeps no staff data (its sessions were deleted at uninstall).
      const shop = await db.shop.findUnique({ where: { shop: session.shop }, select: { uninstalledAt: true } });
      if (!shop || shop.uninstalledAt) return;
      // Names of staff members whose token has expired go when another is kept.
      await db.session.deleteMany({ where: { shop: session.shop, isOnline: true, expires: { lt: new Date() } } });
      await sessionStorage!.storeSession(session);
    },
    exchange: exchangeOnlineToken,
  };
}

/** What is kept of a staff member's online session: who they are, by name, until it expires. No token, no email. */
export function namesOnly(session: Session): Session {
  const user = session.onlineAccessInfo?.associated_user;
  return new Session({
    id: session.id,
    shop: session.shop,
    state: "",
    isOnline: true,
    expires: session.expires,
    onlineAccessInfo: user && {
      expires_in: session.onlineAccessInfo!.expires_in,
      associated_user_scope: "",
      associated_user: { id: user.id, first_name: user.first_name, last_name: user.last_name, email: "", email_verified: false, account_owner: false, locale: "", collaborator: false },
    },
  });
}

/** Exchanges running in this process, by online session id: concurrent edits of one staff member share one. */
const exchanges = new Map<string, Promise<Editor>>();

/**
 * The editor of an admin request: the staff member's id ("staff 42") and their name, from their
 * stored online session while it has not expired, else from a new one. Without a user or a session
 * token, when Shopify does not answer within EDITOR_NAME_TIMEOUT_MS, or when anything on the way
 * fails, the editor has no name (their edits read "Manual edit"): a name is not worth failing or
 * holding up an edit for.
 */
export async function requestEditor(
  shop: string,
  userId: string | undefined,
  sessionToken: string | null,
  sessions?: OnlineSessions,
): Promise<Editor> {
  const anonymous = staffEditor(userId);
  if (!userId) return anonymous;
  const unnamed = (why: string) => {
    warn(`the name of ${anonymous.id} of ${shop} is unknown (${why}); their edit is recorded as "Manual edit"`);
    return anonymous;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Editor>((resolve) => {
    timer = setTimeout(() => resolve(unnamed(`Shopify did not answer within ${EDITOR_NAME_TIMEOUT_MS / 1000} s`)), EDITOR_NAME_TIMEOUT_MS);
  });
  const named = namedEditor(shop, userId, sessionToken, sessions).catch((error: unknown) => unnamed(reasonOf(error)));
  try {
    return await Promise.race([named, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function namedEditor(shop: string, userId: string, sessionToken: string | null, sessions: OnlineSessions | undefined): Promise<Editor> {
  const online = sessions ?? (await appOnlineSessions());
  const id = online.sessionId(shop, userId);
  const stored = await online.load(id);
  if (stored?.isOnline && !stored.isExpired()) return staffEditor(userId, stored.onlineAccessInfo?.associated_user);
  if (!sessionToken) return staffEditor(userId);
  const running = exchanges.get(id);
  if (running) return running;
  const exchange = (async () => {
    const session = await online.exchange(shop, sessionToken);
    // Only a session of this very user is kept under their id.
    if (session.isOnline && session.id === id) {
      await online.store(namesOnly(session)).catch((error: unknown) => warn(`the name of ${staffEditor(userId).id} of ${shop} was not kept (${reasonOf(error)})`));
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
