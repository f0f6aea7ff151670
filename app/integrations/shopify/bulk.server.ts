// Full sync through a bulk operation: Shopify exports the whole catalog in the background, we
// wait for it (polling the operation with a growing interval, or woken early by the
// bulk_operations/finish webhook), then stream the JSONL result line by line into records.
//
// Shopify's rules this follows (Admin API 2026-10):
// - bulkOperationRunQuery(query, groupObjects: true): grouped output keeps a product's children
//   right after it, which is what lets us stream (bulk-jsonl.ts).
// - Since 2026-01 an app may run up to five bulk queries per shop at a time. Before starting, an
//   identical export of ours that is still running (a run that crashed, a retried job) is adopted
//   instead of started twice. When all slots are taken (LIMIT_REACHED, or OPERATION_IN_PROGRESS on
//   older rules), we wait for one to free up, and cancel only our own exports that have been
//   running for longer than a day (stale).
// - Final statuses: COMPLETED (url null when nothing matched: an empty catalog), FAILED with
//   errorCode ACCESS_DENIED / TIMEOUT / INTERNAL_SERVER_ERROR, CANCELED, EXPIRED (result gone:
//   we start again once). Partial data of a failed export is never used: a full run must see
//   everything, or it would archive what it did not see.
import { fieldDef } from "../../catalog/fields";
import { MerchantError } from "../../errors";
import type { SourceRecord } from "../../sync/records";
import { assembleBulkProducts, METAFIELD_ALIAS_PREFIX, streamLines } from "./bulk-jsonl";
import { ACTIVE_BULK_QUERIES, BULK_OPERATION_STATUS, CANCEL_BULK_OPERATION, PRODUCTS_BULK_QUERY, RUN_BULK_QUERY } from "./documents";
import { unavailableError } from "./errors";
import { ShopifyUserErrors, type ShopifyGraphqlClient } from "./graphql-client.server";
import { recordFromGraphql, type MappingContext, type RecordWarning } from "./records";
import type { MetafieldRef, ShopifySettings } from "./settings";

// ---------------------------------------------------------------------------------------------
// Early wake-up from the bulk_operations/finish webhook (same process; polling covers the rest).

const waiters = new Map<string, Set<() => void>>();
const waiterKey = (shop: string, id: string) => `${shop}|${id}`;

/** Called by the bulk_operations/finish webhook: wakes a sync waiting for this operation now. */
export function notifyBulkOperationFinished(shop: string, operationId: string): void {
  const set = waiters.get(waiterKey(shop, operationId));
  if (!set) return;
  waiters.delete(waiterKey(shop, operationId));
  for (const wake of set) wake();
}

/** The operation id of a bulk_operations/finish payload ({ admin_graphql_api_id, status, … }). */
export function bulkOperationIdOf(payload: unknown): string | null {
  const id = (payload as { admin_graphql_api_id?: unknown } | null)?.admin_graphql_api_id;
  return typeof id === "string" ? id : null;
}

function finishedSignal(shop: string, operationId: string): { promise: Promise<void>; cancel: () => void } {
  const key = waiterKey(shop, operationId);
  let wake!: () => void;
  const promise = new Promise<void>((resolve) => (wake = resolve));
  const set = waiters.get(key) ?? new Set();
  set.add(wake);
  waiters.set(key, set);
  return {
    promise,
    cancel: () => {
      set.delete(wake);
      if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The query

function metafieldSelections(refs: MetafieldRef[], offset: number): string {
  return refs
    .map(
      (ref, i) =>
        `${METAFIELD_ALIAS_PREFIX}${offset + i}: metafield(namespace: ${JSON.stringify(ref.namespace)}, key: ${JSON.stringify(ref.key)}) { namespace key type value }`,
    )
    .join("\n");
}

/**
 * The text sent as the bulk query: PRODUCTS_BULK_QUERY without its tag comment and operation name,
 * with the mapped metafields as aliased `metafield(namespace:, key:)` fields on products and
 * variants (singular fields, so they add no connection and no nesting level).
 */
export function bulkQueryText(metafieldMap: ShopifySettings["metafieldMap"] = {}): string {
  const productRefs: MetafieldRef[] = [];
  const variantRefs: MetafieldRef[] = [];
  const seen = new Set<string>();
  for (const [field, ref] of Object.entries(metafieldMap) as [Parameters<typeof fieldDef>[0], MetafieldRef][]) {
    const def = fieldDef(field);
    const text = `${ref.namespace}.${ref.key}`;
    if (def.level === "product" && !seen.has(`p|${text}`)) {
      seen.add(`p|${text}`);
      productRefs.push(ref);
    }
    if ((def.level === "variant" || def.variantOverride) && !seen.has(`v|${text}`)) {
      seen.add(`v|${text}`);
      variantRefs.push(ref);
    }
  }
  return PRODUCTS_BULK_QUERY.replace(/^\s*#graphql\s*\n/, "")
    .replace(/^\s*query ProductsBulkExport\s*/, "")
    .replace(/^[ \t]*# product metafields[ \t]*$/m, metafieldSelections(productRefs, 0))
    .replace(/^[ \t]*# variant metafields[ \t]*$/m, metafieldSelections(variantRefs, productRefs.length))
    .replace(/\n\s*\n/g, "\n")
    .trim();
}

const sameQuery = (a: string, b: string) => a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim();

// ---------------------------------------------------------------------------------------------
// Running it

export interface BulkOptions {
  /** Downloads the result file (default: global fetch). */
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Polling: first interval, growth factor, longest interval (defaults 1 s × 1.5 up to 30 s). */
  pollInitialMs?: number;
  pollFactor?: number;
  pollMaxMs?: number;
  /** Give up waiting for an export after this long (default 12 h). */
  timeoutMs?: number;
  /** Give up waiting for a free bulk slot after this long (default 30 min). */
  slotWaitMs?: number;
  /** Our own running exports older than this are canceled when no slot is free (default 24 h). */
  staleAfterMs?: number;
  /** Longest download of the result file (default 2 h): a stalled download fails the run. */
  downloadTimeoutMs?: number;
}

export interface Operation {
  id: string;
  status: string;
  createdAt?: unknown;
  errorCode?: string | null;
  url?: string | null;
  objectCount?: string | number | null;
  rootObjectCount?: string | number | null;
}

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED", "EXPIRED"]);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class BulkExport {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly options: Required<Omit<BulkOptions, "fetch" | "now" | "sleep">>;
  private readonly fetchFile: typeof fetch;
  private canList = true;

  constructor(
    private readonly client: ShopifyGraphqlClient,
    private readonly shop: string,
    options: BulkOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.fetchFile = options.fetch ?? globalThis.fetch;
    this.options = {
      pollInitialMs: options.pollInitialMs ?? 1000,
      pollFactor: options.pollFactor ?? 1.5,
      pollMaxMs: options.pollMaxMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 12 * 3_600_000,
      slotWaitMs: options.slotWaitMs ?? 30 * 60_000,
      staleAfterMs: options.staleAfterMs ?? 24 * 3_600_000,
      downloadTimeoutMs: options.downloadTimeoutMs ?? 2 * 3_600_000,
    };
  }

  /** Runs (or adopts) the export of `query` and waits for its result: the file URL, or null when empty. */
  async run(query: string): Promise<{ url: string | null; operation: Operation }> {
    for (let restarts = 0; ; restarts++) {
      const id = await this.startOrAdopt(query);
      const operation = await this.waitFor(id);
      switch (operation.status) {
        case "COMPLETED":
          return { url: operation.url ?? null, operation };
        case "EXPIRED":
          if (restarts < 1) continue;
          throw new MerchantError("Shopify's export of your catalog expired before Passport could read it. Passport will try again automatically.");
        case "CANCELED":
          throw new MerchantError("The export of your catalog was canceled on Shopify's side before it finished. Passport will try again automatically.");
        default:
          throw failedExportError(operation.errorCode ?? null);
      }
    }
  }

  private async startOrAdopt(query: string): Promise<string> {
    const started = this.now();
    let interval = this.options.pollInitialMs;
    for (;;) {
      const active = await this.activeOperations();
      const same = active.find((op) => sameQuery(op.query, query));
      if (same) return same.id;
      const data = await this.client.request(RUN_BULK_QUERY, { query });
      const payload = data.bulkOperationRunQuery;
      if (payload?.bulkOperation && !payload.userErrors.length) return payload.bulkOperation.id;
      const errors = payload?.userErrors ?? [];
      const busy = errors.some((e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED");
      if (!busy) throw new ShopifyUserErrors("bulkOperationRunQuery", errors.length ? errors : [{ message: "no operation was started" }]);
      if (this.now() - started >= this.options.slotWaitMs) {
        throw new MerchantError(
          "Shopify is still busy with other catalog exports of Passport, so reading your catalog from Shopify could not start. Passport will try again automatically.",
        );
      }
      await this.cancelStale(active);
      await this.sleep(interval);
      interval = Math.min(this.options.pollMaxMs, interval * this.options.pollFactor);
    }
  }

  /**
   * The app's bulk queries holding a slot. Only an optimisation (adopting an identical export,
   * freeing stale slots): when the listing itself is refused, the export starts without it.
   */
  private async activeOperations(): Promise<{ id: string; status: string; query: string; createdAt: string }[]> {
    if (!this.canList) return [];
    try {
      const data = await this.client.request(ACTIVE_BULK_QUERIES);
      return [...data.running.nodes, ...data.created.nodes].map((op) => ({ id: op.id, status: op.status, query: op.query, createdAt: String(op.createdAt) }));
    } catch (error) {
      if (error instanceof MerchantError) throw error;
      this.canList = false;
      return [];
    }
  }

  private async cancelStale(active: { id: string; createdAt: string }[]): Promise<void> {
    for (const op of active) {
      const created = Date.parse(op.createdAt);
      if (Number.isNaN(created) || this.now() - created < this.options.staleAfterMs) continue;
      await this.client.request(CANCEL_BULK_OPERATION, { id: op.id });
    }
  }

  /** Polls until the operation ends; a bulk_operations/finish webhook cuts a wait short. */
  private async waitFor(id: string): Promise<Operation> {
    const started = this.now();
    let interval = this.options.pollInitialMs;
    for (;;) {
      const data = await this.client.request(BULK_OPERATION_STATUS, { id });
      const op = data.bulkOperation;
      if (!op) throw new Error(`Shopify does not know the bulk operation ${id} it just started.`);
      if (TERMINAL.has(op.status)) return op;
      if (this.now() - started >= this.options.timeoutMs) {
        await this.client.request(CANCEL_BULK_OPERATION, { id });
        throw new MerchantError("Shopify took too long to export your catalog. Passport will try again automatically.");
      }
      const signal = finishedSignal(this.shop, id);
      try {
        await Promise.race([this.sleep(interval), signal.promise]);
      } finally {
        signal.cancel();
      }
      interval = Math.min(this.options.pollMaxMs, interval * this.options.pollFactor);
    }
  }

  /** The lines of a result file, streamed. */
  async *lines(url: string): AsyncGenerator<string> {
    let response: Response;
    try {
      response = await this.fetchFile(url, { signal: AbortSignal.timeout(this.options.downloadTimeoutMs) });
    } catch {
      throw unavailableError("the catalog export could not be downloaded");
    }
    if (!response.ok || !response.body) {
      throw unavailableError(`the catalog export could not be downloaded: HTTP ${response.status}`);
    }
    try {
      yield* streamLines(response.body);
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError" || error instanceof TypeError)) {
        throw unavailableError("the download of the catalog export broke off");
      }
      throw error;
    }
  }
}

function failedExportError(errorCode: string | null): MerchantError {
  switch (errorCode) {
    case "ACCESS_DENIED":
      return new MerchantError(
        "Shopify refused to export your catalog to Passport (access denied). Open Passport from your Shopify admin so it can renew its access " +
          "and approve the permissions it asks for; if that does not help, reinstall the app.",
        true,
      );
    case "TIMEOUT":
      return new MerchantError("Shopify could not finish exporting your catalog in time. Passport will try again automatically.");
    default:
      return new MerchantError("Shopify failed while exporting your catalog (an error on Shopify's side). Passport will try again automatically.");
  }
}

export interface BulkRecordsOptions extends BulkOptions {
  onWarning?: (warning: RecordWarning) => void;
  /** The export whose result is read (when it was started tells which webhooks it covers). */
  onOperation?: (operation: Operation) => void;
}

/** Every product of the shop as records, through a bulk export, streamed. */
export async function* bulkProductRecords(
  client: ShopifyGraphqlClient,
  shop: string,
  ctx: MappingContext,
  options: BulkRecordsOptions = {},
): AsyncGenerator<SourceRecord> {
  const bulk = new BulkExport(client, shop, options);
  const { url, operation } = await bulk.run(bulkQueryText(ctx.metafieldMap));
  options.onOperation?.(operation);
  if (!url) return; // nothing matched: an empty catalog
  for await (const node of assembleBulkProducts(bulk.lines(url))) {
    const { record, warnings } = recordFromGraphql(node, ctx);
    for (const w of warnings) options.onWarning?.(w);
    yield record;
  }
}
