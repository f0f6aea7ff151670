// The client every Shopify call of the app goes through, on top of an AdminGraphqlClient:
// - paces requests by Shopify's cost-based rate limit: every response carries
//   `extensions.cost.throttleStatus` (bucket size, points available, restore rate per second); a
//   request whose expected cost exceeds what is available now waits until enough is restored;
// - retries what a retry can fix — THROTTLED (HTTP 200 with `extensions.code = "THROTTLED"`,
//   which the library throws as GraphqlQueryError), HTTP 429, 5xx, no answer — with exponential
//   backoff and jitter, a bounded number of times;
// - turns a final failure into a MerchantError the merchant can read ("Shopify is not answering…",
//   "Shopify rate limit…", reconnect), with secrets redacted.
// Clock, sleep and randomness are injectable, so tests run on a fake clock.
import type { AdminMutations, AdminQueries } from "@shopify/admin-api-client";
import { MerchantError } from "../../errors";
import type { AdminGraphqlClient } from "./admin-client.server";
import { classifyResponse, classifyThrown, merchantErrorFor, type ShopifyFailure } from "./errors";

type Operations = AdminQueries & AdminMutations;
export type OperationReturn<Q extends string> = Q extends keyof Operations ? Operations[Q]["return"] : Record<string, unknown>;
export type OperationVariables<Q extends string> = Q extends keyof Operations ? Operations[Q]["variables"] : Record<string, unknown>;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/**
 * What we know of a shop's rate-limit bucket: the last reported status, restored over time at
 * the reported rate. Shared by every client of a shop in this process (throttleBucketFor).
 */
export class ThrottleBucket {
  private status: ThrottleStatus | null = null;
  private observedAt = 0;

  observe(status: ThrottleStatus, now: number): void {
    this.status = { ...status };
    this.observedAt = now;
  }

  /** Points available now, or null before the first response. */
  available(now: number): number | null {
    const s = this.status;
    if (!s) return null;
    const restored = (s.restoreRate * Math.max(0, now - this.observedAt)) / 1000;
    return Math.min(s.maximumAvailable, s.currentlyAvailable + restored);
  }

  get maximum(): number | null {
    return this.status?.maximumAvailable ?? null;
  }

  /** Milliseconds to wait before a request of this cost can go (0: now). */
  delayFor(cost: number, now: number): number {
    const s = this.status;
    const available = this.available(now);
    if (!s || available === null || s.restoreRate <= 0) return 0;
    const needed = Math.min(cost, s.maximumAvailable);
    if (available >= needed) return 0;
    return Math.ceil(((needed - available) / s.restoreRate) * 1000);
  }

  /** Books the cost of a request being sent (until its response reports the real status). */
  spend(cost: number, now: number): void {
    const available = this.available(now);
    if (!this.status || available === null) return;
    this.status.currentlyAvailable = available - cost;
    this.observedAt = now;
  }
}

const buckets = new Map<string, ThrottleBucket>();
/** The bucket of a shop: every client of the shop in this process paces against the same one. */
export function throttleBucketFor(shop: string): ThrottleBucket {
  let bucket = buckets.get(shop);
  if (!bucket) buckets.set(shop, (bucket = new ThrottleBucket()));
  return bucket;
}

export interface ShopifyClientOptions {
  /** The shop's shared bucket (throttleBucketFor(shop)); a private one by default. */
  bucket?: ThrottleBucket;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per request, the first included (default 6). */
  maxAttempts?: number;
  /** First backoff delay; doubles per retry, capped at maxDelayMs (defaults 1 s, 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Expected cost of a document never sent before (default 50). */
  defaultCost?: number;
}

export interface ClientStats {
  requests: number;
  retries: number;
  /** Time spent waiting for the rate limit (pacing and throttled retries). */
  throttledMs: number;
}

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

/** A mutation answered with userErrors: the input was refused. */
export class ShopifyUserErrors extends Error {
  constructor(
    readonly operation: string,
    readonly userErrors: UserError[],
  ) {
    super(`${operation}: ${userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ")}`);
    this.name = "ShopifyUserErrors";
  }
}

/** Throws ShopifyUserErrors when a mutation payload carries userErrors. */
export function assertNoUserErrors(operation: string, payload: { userErrors?: readonly UserError[] | null } | null | undefined): void {
  const errors = payload?.userErrors ?? [];
  if (errors.length) throw new ShopifyUserErrors(operation, [...errors]);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ShopifyGraphqlClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, throttledMs: 0 };
  private readonly bucket: ThrottleBucket;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly defaultCost: number;
  /** Requested cost last reported per document, as the expected cost of its next request. */
  private readonly costs = new Map<string, number>();

  constructor(
    readonly admin: AdminGraphqlClient,
    options: ShopifyClientOptions = {},
  ) {
    this.bucket = options.bucket ?? new ThrottleBucket();
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.defaultCost = options.defaultCost ?? 50;
  }

  /**
   * Sends a document and returns its `data`. Typed by the generated types when `query` is one of
   * the documents in documents.ts.
   */
  async request<Q extends string>(query: Q, variables?: OperationVariables<Q>, options: { expectedCost?: number } = {}): Promise<OperationReturn<Q>> {
    for (let attempt = 1; ; attempt++) {
      await this.pace(options.expectedCost ?? this.costs.get(query) ?? this.defaultCost);
      this.stats.requests++;
      let failure: ShopifyFailure;
      try {
        const response = await this.admin.graphql(query, variables ? { variables: variables as Record<string, unknown> } : undefined);
        const body = await readBody(response);
        this.observeCost(query, body);
        const problem = classifyResponse(response.status, body, response.headers);
        if (!problem) return (body as { data: OperationReturn<Q> }).data;
        failure = problem;
      } catch (error) {
        if (error instanceof MerchantError) throw error;
        failure = classifyThrown(error);
        if (failure.kind === "throttled" || failure.kind === "graphql") this.observeCost(query, failure.body);
      }
      if (!isRetriable(failure) || attempt >= this.maxAttempts) throw merchantErrorFor(failure);
      this.stats.retries++;
      const delay = this.retryDelay(failure, attempt, query);
      if (failure.kind === "throttled") this.stats.throttledMs += delay;
      await this.sleep(delay);
    }
  }

  /** Waits until the bucket holds the expected cost, then books it. */
  private async pace(expectedCost: number): Promise<void> {
    for (;;) {
      const wait = this.bucket.delayFor(expectedCost, this.now());
      if (wait <= 0) break;
      this.stats.throttledMs += wait;
      await this.sleep(wait);
    }
    this.bucket.spend(expectedCost, this.now());
  }

  private observeCost(query: string, body: unknown): void {
    const cost = costOf(body);
    if (!cost) return;
    this.bucket.observe(cost.throttleStatus, this.now());
    this.costs.set(query, cost.requestedQueryCost);
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(base * (0.5 + this.random()));
  }

  private retryDelay(failure: ShopifyFailure, attempt: number, query: string): number {
    if (failure.kind === "throttled") {
      if (failure.retryAfterMs !== null) return failure.retryAfterMs + Math.round(this.random() * 250);
      // THROTTLED with a cost report: wait for exactly what is missing (plus a little jitter).
      const needed = this.costs.get(query);
      const wait = needed !== undefined ? this.bucket.delayFor(needed, this.now()) : 0;
      if (wait > 0) return wait + Math.round(this.random() * 250);
    }
    return this.backoff(attempt);
  }
}

function isRetriable(failure: ShopifyFailure): boolean {
  return failure.kind === "throttled" || failure.kind === "unavailable";
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `extensions.cost` of a response body, when it carries one. */
export function costOf(body: unknown): QueryCost | null {
  if (typeof body !== "object" || body === null) return null;
  const cost = (body as { extensions?: { cost?: Partial<QueryCost> } }).extensions?.cost;
  const status = cost?.throttleStatus;
  if (!cost || !status || typeof status.currentlyAvailable !== "number" || typeof status.maximumAvailable !== "number" || typeof status.restoreRate !== "number") {
    return null;
  }
  return {
    requestedQueryCost: typeof cost.requestedQueryCost === "number" ? cost.requestedQueryCost : 0,
    actualQueryCost: typeof cost.actualQueryCost === "number" ? cost.actualQueryCost : null,
    throttleStatus: status,
  };
}
