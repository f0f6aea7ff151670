// The bulk export flow against a scripted Admin API (fake clock): start or adopt, poll with a
// growing interval or wake on the finish webhook, handle Shopify's final statuses, stream the file.
import { describe, expect, it } from "vitest";
import { MerchantError } from "../../errors";
import type { SourceRecord } from "../../sync/records";
import type { AdminGraphqlClient } from "./admin-client.server";
import { bulkProductRecords, bulkQueryText, notifyBulkOperationFinished, bulkOperationIdOf } from "./bulk.server";
import { ACTIVE_BULK_QUERIES, BULK_OPERATION_STATUS, CANCEL_BULK_OPERATION, RUN_BULK_QUERY } from "./documents";
import { ShopifyGraphqlClient } from "./graphql-client.server";
import { until } from "../../../test/support/wait";

const SHOP = "acme.myshopify.com";
const FILE_URL = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-result.jsonl?X-Goog-Signature=abc";
const extensions = { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } };

interface Op {
  id: string;
  status: string;
  errorCode?: string | null;
  url?: string | null;
  query: string;
  createdAt: string;
}

/** A stand-in for Shopify's bulk operation endpoints. */
class FakeShopify implements AdminGraphqlClient {
  ops: Op[] = [];
  /** Statuses the next polls of an operation go through (last one sticks). */
  script = new Map<string, Partial<Op>[]>();
  runErrors: { code: string; message: string }[][] = [];
  calls: string[] = [];
  nextId = 1;
  constructor(private readonly clock: { t: number }) {}

  async graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response> {
    const v = options?.variables ?? {};
    const reply = (data: unknown) => new Response(JSON.stringify({ data, extensions }));
    if (query === ACTIVE_BULK_QUERIES) {
      this.calls.push("active");
      const pick = (status: string) => ({ nodes: this.ops.filter((o) => o.status === status).map(({ id, status: s, query: q, createdAt }) => ({ id, status: s, query: q, createdAt })) });
      return reply({ running: pick("RUNNING"), created: pick("CREATED") });
    }
    if (query === RUN_BULK_QUERY) {
      this.calls.push("run");
      const errors = this.runErrors.shift();
      if (errors) return reply({ bulkOperationRunQuery: { bulkOperation: null, userErrors: errors.map((e) => ({ field: null, ...e })) } });
      const op: Op = { id: `gid://shopify/BulkOperation/${this.nextId++}`, status: "CREATED", query: String(v.query), createdAt: new Date(this.clock.t).toISOString() };
      this.ops.push(op);
      return reply({ bulkOperationRunQuery: { bulkOperation: { id: op.id, status: op.status, createdAt: op.createdAt }, userErrors: [] } });
    }
    if (query === BULK_OPERATION_STATUS) {
      this.calls.push("status");
      const op = this.ops.find((o) => o.id === v.id);
      if (!op) return reply({ bulkOperation: null });
      const steps = this.script.get(op.id) ?? [];
      if (steps.length) Object.assign(op, steps.length > 1 ? steps.shift() : steps[0]);
      return reply({
        bulkOperation: {
          id: op.id,
          status: op.status,
          errorCode: op.errorCode ?? null,
          objectCount: "0",
          rootObjectCount: "0",
          url: op.url ?? null,
          partialDataUrl: null,
          createdAt: op.createdAt,
          completedAt: null,
        },
      });
    }
    if (query === CANCEL_BULK_OPERATION) {
      this.calls.push(`cancel ${String(v.id)}`);
      const op = this.ops.find((o) => o.id === v.id)!;
      op.status = "CANCELED";
      return reply({ bulkOperationCancel: { bulkOperation: { id: op.id, status: op.status }, userErrors: [] } });
    }
    throw new Error(`unexpected document: ${query.slice(0, 60)}`);
  }
}

const JSONL = [
  { id: "gid://shopify/Product/1", handle: "tee", title: "Tee", descriptionHtml: "", vendor: "Acme", productType: "", tags: [], updatedAt: "2026-10-01T00:00:00Z", category: null },
  { id: "gid://shopify/ProductVariant/11", position: 1, sku: "TEE-S", barcode: null, selectedOptions: [{ name: "Size", value: "S" }], inventoryItem: { measurement: { weight: null } }, __parentId: "gid://shopify/Product/1" },
  { id: "gid://shopify/Product/2", handle: "cap", title: "Cap", descriptionHtml: "", vendor: "Acme", productType: "", tags: [], updatedAt: "2026-10-01T00:00:00Z", category: null },
  { id: "gid://shopify/ProductVariant/21", position: 1, sku: "CAP", barcode: null, selectedOptions: [{ name: "Title", value: "Default Title" }], inventoryItem: { measurement: { weight: null } }, __parentId: "gid://shopify/Product/2" },
]
  .map((o) => JSON.stringify(o))
  .join("\n");

function setup() {
  const clock = { t: Date.parse("2026-11-01T12:00:00Z"), sleeps: [] as number[] };
  const sleep = async (ms: number) => {
    clock.sleeps.push(ms);
    clock.t += ms;
  };
  const shopify = new FakeShopify(clock);
  const fetched: string[] = [];
  const fetchFile = (async (url: string) => {
    fetched.push(url);
    const bytes = new TextEncoder().encode(JSONL);
    return new Response(new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }), { status: 200 });
  }) as unknown as typeof fetch;
  const client = new ShopifyGraphqlClient(shopify, { now: () => clock.t, sleep });
  const run = async (bulk: Record<string, unknown> = {}) => {
    const records: SourceRecord[] = [];
    for await (const r of bulkProductRecords(client, SHOP, { primaryLocale: "en" }, { now: () => clock.t, sleep, fetch: fetchFile, ...bulk })) records.push(r);
    return records;
  };
  return { clock, shopify, fetched, run, sleep };
}

describe("bulk export", () => {
  it("starts the export, polls with a growing interval, and streams the records", async () => {
    const { clock, shopify, fetched, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "CREATED" }, { status: "RUNNING" }, { status: "RUNNING" }, { status: "COMPLETED", url: FILE_URL }]);
    const records = await run();
    expect(records.map((r) => [r.externalId, r.variants.map((v) => v.fields)])).toEqual([
      ["gid://shopify/Product/1", [{ sku: "TEE-S", options: [{ name: "Size", value: "S" }] }]],
      ["gid://shopify/Product/2", [{ sku: "CAP" }]],
    ]);
    expect(shopify.calls).toEqual(["active", "run", "status", "status", "status", "status"]);
    expect(clock.sleeps).toEqual([1000, 1500, 2250]);
    expect(fetched).toEqual([FILE_URL]);
    expect(shopify.ops[0].query).toBe(bulkQueryText({}));
  });

  it("wakes up early when the bulk_operations/finish webhook arrives", async () => {
    const { shopify } = setup();
    const clock = { t: 0 };
    let pendingSleeps = 0;
    const neverEnding = () => {
      pendingSleeps++;
      return new Promise<void>(() => undefined);
    };
    const client = new ShopifyGraphqlClient(shopify, { now: () => clock.t, sleep: neverEnding });
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "RUNNING" }, { status: "COMPLETED", url: null }]);
    const done = (async () => {
      const out: SourceRecord[] = [];
      for await (const r of bulkProductRecords(client, SHOP, { primaryLocale: "en" }, { sleep: neverEnding, now: () => clock.t, pollInitialMs: 60_000 })) out.push(r);
      return out;
    })();
    await until(() => pendingSleeps > 0, 5_000, "the export to sleep before its next poll");
    expect(shopify.calls).toEqual(["active", "run", "status"]);
    const payload = { admin_graphql_api_id: "gid://shopify/BulkOperation/1", completed_at: "2026-11-01T12:00:05-05:00", status: "completed", type: "query" };
    notifyBulkOperationFinished("another-shop.myshopify.com", bulkOperationIdOf(payload)!);
    await new Promise((r) => setTimeout(r, 20));
    expect(shopify.calls).toHaveLength(3);
    notifyBulkOperationFinished(SHOP, bulkOperationIdOf(payload)!);
    expect(await done).toEqual([]);
    expect(shopify.calls).toEqual(["active", "run", "status", "status"]);
    expect(pendingSleeps).toBe(1);
  });

  it("reads a completed export without a file as an empty catalog", async () => {
    const { shopify, fetched, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "COMPLETED", url: null }]);
    expect(await run()).toEqual([]);
    expect(fetched).toEqual([]);
  });

  it("adopts an identical export that is still running instead of starting another", async () => {
    const { clock, shopify, run } = setup();
    shopify.ops.push({ id: "gid://shopify/BulkOperation/77", status: "RUNNING", query: `  ${bulkQueryText({}).replace(/\n/g, "\n   ")}  `, createdAt: new Date(clock.t - 60_000).toISOString() });
    shopify.script.set("gid://shopify/BulkOperation/77", [{ status: "COMPLETED", url: FILE_URL }]);
    expect(await run()).toHaveLength(2);
    expect(shopify.calls).toEqual(["active", "status"]);
  });

  it("waits for a free slot when the shop's bulk queries are all taken, canceling only stale ones", async () => {
    const { clock, shopify, run } = setup();
    const old = new Date(clock.t - 30 * 3_600_000).toISOString();
    const recent = new Date(clock.t - 10 * 60_000).toISOString();
    shopify.ops.push({ id: "gid://shopify/BulkOperation/90", status: "RUNNING", query: "{ orders { edges { node { id } } } }", createdAt: old });
    shopify.ops.push({ id: "gid://shopify/BulkOperation/91", status: "RUNNING", query: "{ customers { edges { node { id } } } }", createdAt: recent });
    shopify.runErrors.push([{ code: "LIMIT_REACHED", message: "Limit of 5 concurrent bulk query operations reached for this app and shop." }]);
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "COMPLETED", url: FILE_URL }]);
    expect(await run()).toHaveLength(2);
    expect(shopify.calls).toEqual(["active", "run", "cancel gid://shopify/BulkOperation/90", "active", "run", "status"]);
    expect(shopify.ops.find((o) => o.id.endsWith("/91"))!.status).toBe("RUNNING");
  });

  it("gives up waiting for a slot after a while", async () => {
    const { shopify, run } = setup();
    for (let i = 0; i < 100; i++) shopify.runErrors.push([{ code: "OPERATION_IN_PROGRESS", message: "A bulk query operation for this app and shop is already in progress" }]);
    const error = await run({ slotWaitMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as Error).message).toMatch(/still busy/);
  });

  it.each([
    [{ status: "FAILED", errorCode: "ACCESS_DENIED" }, /access denied.*Open Passport from your Shopify admin/, true],
    [{ status: "FAILED", errorCode: "TIMEOUT" }, /in time/, false],
    [{ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR" }, /error on Shopify's side/, false],
    [{ status: "CANCELED" }, /canceled on Shopify's side/, false],
  ])("reports %o to the merchant", async (final, message, permanent) => {
    const { shopify, fetched, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "RUNNING" }, final]);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toMatch(message);
    expect((error as MerchantError).permanent).toBe(permanent);
    expect(fetched).toEqual([]);
  });

  it("starts again once when the result expired", async () => {
    const { shopify, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "EXPIRED" }]);
    shopify.script.set("gid://shopify/BulkOperation/2", [{ status: "COMPLETED", url: FILE_URL }]);
    expect(await run()).toHaveLength(2);
    expect(shopify.calls.filter((c) => c === "run")).toHaveLength(2);
  });

  it("cancels an export that takes longer than the limit", async () => {
    const { shopify, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "RUNNING" }]);
    const error = await run({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/took too long/);
    expect(shopify.calls.at(-1)).toBe("cancel gid://shopify/BulkOperation/1");
  });

  it("fails the run (to be retried) when the file cannot be downloaded", async () => {
    const { shopify, run } = setup();
    shopify.script.set("gid://shopify/BulkOperation/1", [{ status: "COMPLETED", url: FILE_URL }]);
    const error = await run({ fetch: (async () => new Response("expired", { status: 403 })) as unknown as typeof fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MerchantError);
    expect((error as MerchantError).message).toMatch(/^Shopify is not answering.*HTTP 403/);
    expect((error as Error).message).not.toContain("X-Goog-Signature");
  });
});
