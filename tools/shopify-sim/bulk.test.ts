import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCatalog } from "./catalog.ts";
import { startShopifySim, type ShopifySim } from "./index.ts";
import { adminGraphql, startWebhookReceiver, type WebhookReceiver } from "./testing.ts";

const apiSecret = "bulk-secret";
const SHOP = "bulk-shop.myshopify.com";
let sim: ShopifySim;
let receiver: WebhookReceiver;
let token: string;

const RUN = `mutation Run($q: String!) {
  bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } }
}`;
const CURRENT = `{ currentBulkOperation { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl } }`;

interface Op {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
}

async function runBulk(simUrl: string, shop: string, accessToken: string, query: string) {
  const res = await adminGraphql(simUrl, shop, accessToken, RUN, { q: query });
  return res.body.data!["bulkOperationRunQuery"] as {
    bulkOperation: { id: string; status: string } | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string }>;
  };
}

async function waitForBulk(simUrl: string, shop: string, accessToken: string, seen: string[] = [], timeoutMs = 15_000): Promise<Op> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await adminGraphql(simUrl, shop, accessToken, CURRENT);
    const op = res.body.data!["currentBulkOperation"] as Op;
    if (seen[seen.length - 1] !== op.status) seen.push(op.status);
    if (!["CREATED", "RUNNING", "CANCELING"].includes(op.status)) return op;
    if (Date.now() > deadline) throw new Error(`bulk operation still ${op.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(apiSecret);
  sim = await startShopifySim({ apiKey: "bulk-key", apiSecret, appUrl: receiver.url, bulk: { delayMs: 30 } });
  token = String(sim.issueAccessToken(SHOP)["access_token"]);
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe("bulk operations", () => {
  it("runs a bulk query and writes Shopify's JSONL with __parentId lines, then sends bulk_operations/finish", async () => {
    const query = `{
      products(query: "tag:dpp-pilot") {
        edges { node {
          id handle title
          variants { edges { node { id sku barcode selectedOptions { name value } inventoryItem { measurement { weight { value unit } } } } } }
          metafields { edges { node { namespace key value } } }
        } }
      }
    }`;
    const started = await runBulk(sim.url, SHOP, token, query);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\/\d+$/), status: "CREATED" });

    const second = await runBulk(sim.url, SHOP, token, query);
    expect(second.bulkOperation).toBeNull();
    expect(second.userErrors).toEqual([
      {
        field: null,
        message: `A bulk query operation for this app and shop is already in progress: ${started.bulkOperation!.id}.`,
        code: "OPERATION_IN_PROGRESS",
      },
    ]);

    const op = await waitForBulk(sim.url, SHOP, token);
    expect(op).toMatchObject({ id: started.bulkOperation!.id, status: "COMPLETED", errorCode: null, partialDataUrl: null });
    expect(op.url).toMatch(new RegExp(`^${sim.url}/_sim/bulk/\\d+-[0-9a-f]+\\.jsonl$`));
    const byId = await adminGraphql(sim.url, SHOP, token, `query($id: ID!) { bulkOperation(id: $id) { status url } }`, { id: op.id });
    expect(byId.body.data).toEqual({ bulkOperation: { status: "COMPLETED", url: op.url } });

    const file = await fetch(op.url!);
    expect(file.headers.get("content-type")).toBe("application/jsonl");
    const text = await file.text();
    expect(String(Buffer.byteLength(text))).toBe(op.fileSize);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(String(lines.length)).toBe(op.objectCount);
    const products = lines.filter((l) => String(l["id"]).includes("/Product/"));
    expect(products).toHaveLength(6);
    expect(op.rootObjectCount).toBe("6");
    expect(products.every((p) => !("__parentId" in p) && !("variants" in p) && !("edges" in p))).toBe(true);
    const expectedVariants = sim.listProducts(SHOP, "tag:dpp-pilot").reduce((n, p) => n + p.variants.length, 0);
    const variants = lines.filter((l) => String(l["id"]).includes("/ProductVariant/"));
    expect(variants).toHaveLength(expectedVariants);
    const productIds = new Set(products.map((p) => p["id"]));
    expect(variants.every((v) => productIds.has(v["__parentId"]))).toBe(true);
    const linen = products.find((p) => p["handle"] === "linen-shirt")!;
    const linenVariant = lines[lines.indexOf(linen) + 1]!;
    expect(linenVariant).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/ProductVariant\/\d+$/),
      sku: "NK-LSH-SAG-S",
      barcode: "5790012100403",
      selectedOptions: [
        { name: "Colour", value: "Sage" },
        { name: "Size", value: "S" },
      ],
      inventoryItem: { measurement: { weight: { value: 226, unit: "GRAMS" } } },
      __parentId: linen["id"],
    });
    expect(Object.keys(linenVariant).pop()).toBe("__parentId");
    const metafields = lines.filter((l) => l["namespace"] === "custom");
    expect(metafields).toHaveLength(6);
    expect(metafields.every((m) => productIds.has(m["__parentId"]))).toBe(true);

    const [finish] = await receiver.waitFor(1, "bulk_operations/finish");
    expect(finish!.validHmac).toBe(true);
    expect(finish!.json).toEqual({
      admin_graphql_api_id: op.id,
      completed_at: expect.any(String),
      created_at: expect.any(String),
      error_code: null,
      status: "completed",
      type: "query",
    });
    expect(sim.stats(SHOP).bulkOperations).toBe(1);
  });

  it("rejects invalid bulk queries with userErrors like Shopify", async () => {
    const noConnection = await runBulk(sim.url, SHOP, token, `{ shop { name } }`);
    expect(noConnection).toEqual({
      bulkOperation: null,
      userErrors: [{ field: ["query"], message: "Bulk queries must contain at least one connection.", code: "INVALID" }],
    });
    const noParentId = await runBulk(sim.url, SHOP, token, `{ products { edges { node { title variants { edges { node { sku } } } } } } }`);
    expect(noParentId.userErrors[0]!.message).toMatch(/nested connection must select the 'id' field/);
    const wrongField = await runBulk(sim.url, SHOP, token, `{ products { edges { node { id colour } } } }`);
    expect(wrongField.userErrors[0]).toMatchObject({ code: "INVALID", message: expect.stringContaining('Cannot query field "colour" on type "Product"') });
    const tooDeep = await runBulk(
      sim.url,
      SHOP,
      token,
      `{ products { nodes { id variants { nodes { id metafields { nodes { id } } } } } } }`,
    );
    expect(tooDeep.userErrors[0]!.message).toMatch(/nesting depth greater than 2/);
  });

  it("reports a failed operation with its partial data", async () => {
    sim.injectFailures({ count: 1, target: "bulk", shop: SHOP });
    const started = await runBulk(sim.url, SHOP, token, `{ products { edges { node { id title } } } }`);
    expect(started.userErrors).toEqual([]);
    const op = await waitForBulk(sim.url, SHOP, token);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", url: null });
    const partial = await (await fetch(op.partialDataUrl!)).text();
    expect(partial.trimEnd().split("\n")).toHaveLength(13);
    const [, finish] = await receiver.waitFor(2, "bulk_operations/finish");
    expect(finish!.json).toMatchObject({ status: "failed", error_code: "internal_server_error" });
  });

  it("cancels a bulk operation", async () => {
    // The operation must still be waiting when the cancel arrives, however slow the machine: one
    // that has started answers CANCELING instead.
    const delayMs = sim.bulk.settings.delayMs;
    sim.bulk.settings.delayMs = 60_000;
    const started = await runBulk(sim.url, SHOP, token, `{ products { edges { node { id } } } }`).finally(() => {
      sim.bulk.settings.delayMs = delayMs;
    });
    const cancel = await adminGraphql(
      sim.url,
      SHOP,
      token,
      `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }`,
      { id: started.bulkOperation!.id },
    );
    expect(cancel.body.data).toEqual({ bulkOperationCancel: { bulkOperation: { id: started.bulkOperation!.id, status: "CANCELED" }, userErrors: [] } });
    const op = await waitForBulk(sim.url, SHOP, token);
    expect(op.status).toBe("CANCELED");
    const finishes = await receiver.waitFor(3, "bulk_operations/finish");
    expect(finishes[2]!.json).toMatchObject({ status: "canceled", admin_graphql_api_id: started.bulkOperation!.id });
  });

  it("seeds 10,000 products × 5 variants and bulk-exports them in seconds, streaming the JSONL", async () => {
    const big = await startShopifySim({ apiKey: "k", apiSecret: "s", seed: generateCatalog({ products: 10_000, variantsPerProduct: 5 }), bulk: { delayMs: 0 } });
    try {
      const started = Date.now();
      const bigToken = String(big.issueAccessToken("big.myshopify.com")["access_token"]);
      const seeded = Date.now() - started;
      const run = await runBulk(big.url, "big.myshopify.com", bigToken, `{ products { edges { node { id handle variants { edges { node { id sku barcode } } } } } } }`);
      expect(run.userErrors).toEqual([]);
      const statuses: string[] = [];
      const op = await waitForBulk(big.url, "big.myshopify.com", bigToken, statuses);
      const exported = Date.now() - started - seeded;
      expect(statuses).toContain("RUNNING");
      expect(statuses.at(-1)).toBe("COMPLETED");
      expect(op).toMatchObject({ status: "COMPLETED", objectCount: "60000", rootObjectCount: "10000" });
      const res = await fetch(op.url!);
      let newlines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const byte of chunk) if (byte === 10) newlines++;
      }
      expect(newlines).toBe(60_000);
      expect(seeded).toBeLessThan(3000);
      expect(exported).toBeLessThan(8000);
    } finally {
      await big.close();
    }
  });
});
