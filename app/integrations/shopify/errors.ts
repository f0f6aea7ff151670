// What can go wrong talking to Shopify, sorted into what a retry can fix and what only the
// merchant can, with the words the merchant reads. Works on both shapes a call can fail in:
// the error thrown by shopify-app-remix's `admin.graphql` (@shopify/shopify-api errors, which
// carry the status and the body) and a plain fetch Response (tests, the simulator, other clients).
import { MerchantError, redactSecrets } from "../../errors";

export type ShopifyFailure =
  /** Throttled by the GraphQL cost limit (HTTP 200, THROTTLED) or by HTTP 429. */
  | { kind: "throttled"; retryAfterMs: number | null; body: unknown }
  /** 5xx, or no answer at all (network error, timeout). */
  | { kind: "unavailable"; status: number | null; detail: string }
  /** 401/403, no offline session, a refresh token Shopify refused. */
  | { kind: "auth"; status: number | null; detail: string }
  /** The store cannot be used: frozen for an unpaid bill (402), locked (423), gone (404). */
  | { kind: "shop"; status: number; detail: string }
  /** A GraphQL error in an HTTP 200 answer that is not throttling (a bug, or a missing scope). */
  | { kind: "graphql"; errors: GraphqlError[]; body: unknown }
  /** Anything else (400, 422 …): a bug on our side. */
  | { kind: "other"; status: number | null; detail: string };

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
  path?: (string | number)[];
}

export const RECONNECT_MESSAGE =
  "Passport lost its connection to your Shopify store (Shopify no longer accepts its access). " +
  "Open Passport from your Shopify admin (Apps → Passport) so it can get a new access token; if that does not help, reinstall the app.";

export function reconnectError(): MerchantError {
  return new MerchantError(RECONNECT_MESSAGE, true);
}

export const MISSING_SCOPE_MESSAGE =
  "Shopify refused Passport access to part of your catalog (a permission is missing). " +
  "Open Passport from your Shopify admin to approve the permissions it asks for, or reinstall the app.";

export function unavailableError(detail: string): MerchantError {
  return new MerchantError(
    `Shopify is not answering right now (${redactSecrets(detail)}). Passport will try again automatically; nothing needs to be done on your side.`,
  );
}

export function rateLimitError(): MerchantError {
  return new MerchantError(
    "Shopify rate limit: Shopify kept asking Passport to slow down and the sync could not finish. Passport will try again automatically; " +
      "if other apps use your store's API heavily at the same time, this can take a while.",
  );
}

export function shopUnavailableError(status: number): MerchantError {
  const why =
    status === 402
      ? "Shopify reports that your store is frozen (an unpaid Shopify bill)"
      : status === 423
        ? "Shopify reports that your store is locked"
        : "Shopify does not find your store any more (was it closed, or its address changed?)";
  return new MerchantError(`${why}. Passport cannot sync until the store is available again.`, true);
}

const GRAPHQL_ERROR_CODES_ACCESS = new Set(["ACCESS_DENIED", "FORBIDDEN", "UNAUTHORIZED"]);

/** The merchant-facing error for a failure a retry did not fix (or cannot fix). */
export function merchantErrorFor(failure: ShopifyFailure): Error {
  switch (failure.kind) {
    case "throttled":
      return rateLimitError();
    case "unavailable":
      return unavailableError(failure.detail);
    case "auth":
      return reconnectError();
    case "shop":
      return shopUnavailableError(failure.status);
    case "graphql": {
      if (failure.errors.some((e) => GRAPHQL_ERROR_CODES_ACCESS.has(e.extensions?.code ?? ""))) {
        return new MerchantError(MISSING_SCOPE_MESSAGE, true);
      }
      const detail = failure.errors.map((e) => e.message).join("; ");
      return new Error(`Shopify rejected a request of Passport: ${redactSecrets(detail).slice(0, 500)}`);
    }
    case "other":
      return new Error(`Unexpected answer from Shopify${failure.status ? ` (HTTP ${failure.status})` : ""}: ${redactSecrets(failure.detail).slice(0, 300)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** GraphQL errors of a response body, in either the raw (`errors: [...]`) or the library's shape. */
export function graphqlErrorsOf(body: unknown): GraphqlError[] {
  if (!isRecord(body)) return [];
  const errors = body.errors;
  if (Array.isArray(errors)) return errors.filter(isRecord).map(toGraphqlError);
  // @shopify/graphql-client: { errors: { message, networkStatusCode, graphQLErrors: [...] } }
  if (isRecord(errors) && Array.isArray(errors.graphQLErrors)) return errors.graphQLErrors.filter(isRecord).map(toGraphqlError);
  return [];
}

function toGraphqlError(e: Record<string, unknown>): GraphqlError {
  return {
    message: typeof e.message === "string" ? e.message : "GraphQL error",
    extensions: isRecord(e.extensions) ? (e.extensions as GraphqlError["extensions"]) : undefined,
    path: Array.isArray(e.path) ? (e.path as (string | number)[]) : undefined,
  };
}

export function isThrottledBody(body: unknown): boolean {
  const errors = graphqlErrorsOf(body);
  return errors.length > 0 && errors.some((e) => e.extensions?.code === "THROTTLED");
}

function statusFailure(status: number, detail: string, body: unknown, retryAfterMs: number | null): ShopifyFailure {
  if (status === 429) return { kind: "throttled", retryAfterMs, body };
  if (status === 401 || status === 403) return { kind: "auth", status, detail };
  if (status === 402 || status === 423 || status === 404) return { kind: "shop", status, detail };
  if (status >= 500) return { kind: "unavailable", status, detail: `HTTP ${status}` };
  return { kind: "other", status, detail };
}

export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Classifies an HTTP answer that is not a plain 200 (or a 200 carrying GraphQL errors). */
export function classifyResponse(status: number, body: unknown, headers?: Headers): ShopifyFailure | null {
  if (status === 200 || status === 0) {
    const errors = graphqlErrorsOf(body);
    if (errors.length === 0) return null;
    if (errors.some((e) => e.extensions?.code === "THROTTLED")) return { kind: "throttled", retryAfterMs: null, body };
    // Partial data with errors on some fields is an error too: we never use half a product.
    return { kind: "graphql", errors, body };
  }
  const detail = typeof body === "string" ? body.slice(0, 200) : JSON.stringify(graphqlErrorsOf(body).map((e) => e.message)).slice(0, 200);
  return statusFailure(status, detail, body, parseRetryAfter(headers?.get("retry-after")));
}

/**
 * Classifies an error thrown by a client call: @shopify/shopify-api's GraphqlQueryError (HTTP 200
 * with errors, body attached), HttpResponseError and its subclasses (status in `response.code`),
 * HttpRequestError (no response), shopify-app-remix's SessionNotFoundError (no offline session),
 * a refresh that failed (InvalidJwtError, or a thrown Response), and plain network errors.
 */
export function classifyThrown(error: unknown): ShopifyFailure {
  // shopify-app-remix throws a bare Response(500) when refreshing an expiring offline token fails
  // for any other reason than Shopify refusing the token (network, Shopify down): retry later.
  if (error instanceof Response) {
    return error.status >= 500 ? { kind: "unavailable", status: error.status, detail: "refreshing the access token failed" } : statusFailure(error.status, `HTTP ${error.status}`, null, null);
  }
  if (!isRecord(error)) return { kind: "other", status: null, detail: String(error) };
  const name = (error.constructor as { name?: string } | undefined)?.name ?? "";
  const message = typeof error.message === "string" ? error.message : "";
  if (name === "SessionNotFoundError" || /could not find a session/i.test(message)) {
    return { kind: "auth", status: null, detail: "no offline session" };
  }
  if (name === "InvalidJwtError" || /invalid_subject_token|refresh token/i.test(message)) {
    return { kind: "auth", status: null, detail: "refresh token refused" };
  }
  // GraphqlQueryError: { response: Response(200), body: { data?, extensions?, errors: { graphQLErrors } } }
  if ("body" in error && isRecord(error.body) && graphqlErrorsOf(error.body).length > 0) {
    const failure = classifyResponse(200, error.body);
    if (failure) return failure;
  }
  // HttpResponseError family: { response: { code, statusText, body, headers, retryAfter? } }
  const response = error.response;
  if (isRecord(response) && typeof response.code === "number") {
    // Refreshing the offline token: Shopify refused the refresh token (expired or revoked).
    if (response.code === 400 && isRecord(response.body) && /invalid_(subject_token|grant)/.test(String(response.body.error))) {
      return { kind: "auth", status: 400, detail: "refresh token refused" };
    }
    const retryAfter = typeof response.retryAfter === "number" ? Math.round(response.retryAfter * 1000) : null;
    return statusFailure(response.code, `${response.code} ${typeof response.statusText === "string" ? response.statusText : ""}`.trim(), response.body, retryAfter);
  }
  if (name === "HttpMaxRetriesError") return { kind: "unavailable", status: null, detail: "no answer after several attempts" };
  if (name === "HttpRequestError" || error instanceof TypeError || /fetch failed|ECONNRE|ETIMEDOUT|ENOTFOUND|socket|network|aborted|timeout/i.test(message)) {
    return { kind: "unavailable", status: null, detail: "no connection" };
  }
  return { kind: "other", status: null, detail: message || name };
}
