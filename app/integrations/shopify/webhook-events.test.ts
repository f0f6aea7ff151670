// Product webhooks in the database: stored once per delivery id, coalesced per product, consumed
// by exactly the run that read them.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../../db.server";
import { forShop, type ShopDb } from "../../db/scoped.server";
import type { SourceRecord } from "../../sync/records";
import { OTHER_SHOP, TEST_SHOP } from "../../../test/support/constants";
import { connectIntegration, type IntegrationRow } from "../integrations.server";
import type { ProductWebhookPayload } from "./records";
import { shopifySource } from "./source.server";
import { coalesceProductEvents, normalizeTopic, storeWebhookEvent, webhookBatch } from "./webhook-events.server";

function product(id: number, updatedAt: string, title = `Product ${id}`): ProductWebhookPayload {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Product/${id}`,
    title,
    handle: `product-${id}`,
    body_html: null,
    vendor: "Acme",
    product_type: "",
    updated_at: updatedAt,
    tags: "",
    options: [{ name: "Size", position: 1, values: ["M"] }],
    variants: [{ id: id * 10, position: 1, sku: `SKU-${id}`, barcode: null, option1: "M", option2: null, option3: null, weight: 0, weight_unit: "kg" }],
    images: [],
  };
}

async function records(iterable: AsyncIterable<SourceRecord> | Iterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

let shopDb: ShopDb;
let integration: IntegrationRow;
let n = 0;
const hookId = () => `wh-${++n}-${Math.random().toString(36).slice(2, 8)}`;

beforeEach(async () => {
  await db.$transaction([db.webhookEvent.deleteMany(), db.externalLink.deleteMany(), db.fieldOwnership.deleteMany(), db.integration.deleteMany()]);
  shopDb = forShop(TEST_SHOP);
  integration = (await connectIntegration(shopDb, "shopify")).integration;
});

describe("storeWebhookEvent", () => {
  it("stores an event once: a second delivery of the same webhook id is ignored", async () => {
    const id = hookId();
    const payload = product(1, "2026-10-01T10:00:00-04:00");
    expect(await storeWebhookEvent(shopDb, { webhookId: id, topic: "PRODUCTS_UPDATE", payload })).toEqual({ stored: true });
    expect(await storeWebhookEvent(shopDb, { webhookId: id, topic: "products/update", payload })).toEqual({ stored: false });
    const rows = await shopDb.webhookEvent.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      shop: TEST_SHOP,
      topic: "products/update",
      resourceId: "gid://shopify/Product/1",
      resourceUpdatedAt: new Date("2026-10-01T14:00:00Z"),
      processedAt: null,
    });
    expect(JSON.parse(rows[0].payload)).toEqual(payload);
  });

  it("keys a delete by the product GID and orders it by the time Shopify triggered it", async () => {
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/delete", payload: { id: 7 }, triggeredAt: "2026-10-03T08:00:00Z" });
    const row = await shopDb.webhookEvent.findFirstOrThrow();
    expect(row).toMatchObject({ topic: "products/delete", resourceId: "gid://shopify/Product/7", resourceUpdatedAt: new Date("2026-10-03T08:00:00Z") });
  });

  it("keeps shops apart", async () => {
    await storeWebhookEvent(forShop(OTHER_SHOP), { webhookId: hookId(), topic: "products/update", payload: product(1, "2026-10-01T00:00:00Z") });
    expect(await webhookBatch(shopDb, integration, "en")).toBeNull();
    await db.webhookEvent.deleteMany({ where: { shop: OTHER_SHOP } });
  });

  it("normalizes topic spellings", () => {
    expect(normalizeTopic("PRODUCTS_CREATE")).toBe("products/create");
    expect(normalizeTopic("products/delete")).toBe("products/delete");
    expect(normalizeTopic("BULK_OPERATIONS_FINISH")).toBe("bulk_operations/finish");
  });
});

describe("coalescing", () => {
  const at = (iso: string) => new Date(iso);
  const row = (id: string, topic: string, resourceId: string, updated: string, received = "2026-10-05T00:00:00Z", triggered: string | null = null) => ({
    id,
    topic,
    resourceId,
    resourceUpdatedAt: at(updated),
    triggeredAt: triggered ? at(triggered) : null,
    receivedAt: at(received),
  });

  it("keeps the newest update per product, whatever the delivery order", () => {
    const c = coalesceProductEvents([
      row("b", "products/update", "P1", "2026-10-01T12:00:00Z", "2026-10-05T00:00:01Z"),
      row("a", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:02Z"),
      row("c", "products/create", "P2", "2026-10-01T09:00:00Z"),
    ]);
    expect(c.updates.map((u) => u.id).sort()).toEqual(["b", "c"]);
    expect(c.deletedIds).toEqual([]);
    expect(c.eventIds).toEqual(["b", "a", "c"]);
  });

  it("a delete after an update wins; an update newer than a delete re-creates", () => {
    const deleted = coalesceProductEvents([row("u", "products/update", "P1", "2026-10-01T10:00:00Z"), row("d", "products/delete", "P1", "2026-10-01T11:00:00Z")]);
    expect(deleted).toMatchObject({ updates: [], deletedIds: ["P1"] });
    const recreated = coalesceProductEvents([row("d", "products/delete", "P1", "2026-10-01T11:00:00Z"), row("u", "products/update", "P1", "2026-10-01T12:00:00Z")]);
    expect(recreated.updates.map((u) => u.id)).toEqual(["u"]);
    expect(recreated.deletedIds).toEqual([]);
    // Same second: the delete wins.
    const tie = coalesceProductEvents([row("d", "products/delete", "P1", "2026-10-01T11:00:00Z"), row("u", "products/update", "P1", "2026-10-01T11:00:00Z")]);
    expect(tie.deletedIds).toEqual(["P1"]);
  });

  it("orders two updates of the same second by when Shopify triggered them, not by delivery", () => {
    const c = coalesceProductEvents([
      row("edit", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:01Z", "2026-10-01T10:00:00.800Z"),
      row("earlier", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:02Z", "2026-10-01T10:00:00.200Z"),
    ]);
    expect(c.updates.map((u) => u.id)).toEqual(["edit"]);
  });

  it("drops an update older than an event already synced: a delete, or an update of the same second triggered later", () => {
    const afterDelete = coalesceProductEvents(
      [row("late", "products/update", "P1", "2026-10-01T10:00:00Z")],
      new Map([["P1", row("d", "products/delete", "P1", "2026-10-01T11:00:00Z")]]),
    );
    expect(afterDelete.updates).toEqual([]);
    expect(afterDelete.eventIds).toEqual(["late"]);
    const synced = row("edit", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:01Z", "2026-10-01T10:00:00.800Z");
    const stale = row("earlier", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:02Z", "2026-10-01T10:00:00.200Z");
    expect(coalesceProductEvents([stale], new Map([["P1", synced]])).updates).toEqual([]);
    const newer = row("next", "products/update", "P1", "2026-10-01T10:00:00Z", "2026-10-05T00:00:03Z", "2026-10-01T10:00:00.900Z");
    expect(coalesceProductEvents([newer], new Map([["P1", synced]])).updates.map((u) => u.id)).toEqual(["next"]);
  });
});

describe("webhookBatch", () => {
  it("is a partial batch of the coalesced products, with deletions, that marks exactly its events processed", async () => {
    const p1old = hookId();
    const p1new = hookId();
    const p2 = hookId();
    const p3del = hookId();
    // Delivered out of order and twice.
    await storeWebhookEvent(shopDb, { webhookId: p1new, topic: "products/update", payload: product(1, "2026-10-01T12:00:00Z", "New title") });
    await storeWebhookEvent(shopDb, { webhookId: p1old, topic: "products/update", payload: product(1, "2026-10-01T10:00:00Z", "Old title") });
    await storeWebhookEvent(shopDb, { webhookId: p1new, topic: "products/update", payload: product(1, "2026-10-01T12:00:00Z", "New title") });
    await storeWebhookEvent(shopDb, { webhookId: p2, topic: "products/create", payload: product(2, "2026-10-01T09:00:00Z") });
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(3, "2026-10-01T08:00:00Z") });
    await storeWebhookEvent(shopDb, { webhookId: p3del, topic: "products/delete", payload: { id: 3 }, triggeredAt: "2026-10-01T09:00:00Z" });

    const batch = (await webhookBatch(shopDb, integration, "en"))!;
    expect(batch.scope).toBe("partial");
    expect(batch.deletedExternalIds).toEqual(["gid://shopify/Product/3"]);
    expect(batch.total).toBe(2);
    const rs = await records(batch.records);
    expect(rs.map((r) => [r.externalId, r.fields.title])).toEqual(
      expect.arrayContaining([
        ["gid://shopify/Product/1", { en: "New title" }],
        ["gid://shopify/Product/2", { en: "Product 2" }],
      ]),
    );
    expect(rs).toHaveLength(2);

    // An event arriving while the run works stays for the next run.
    const during = hookId();
    await storeWebhookEvent(shopDb, { webhookId: during, topic: "products/update", payload: product(4, "2026-10-01T13:00:00Z") });
    await shopDb.$transaction((tx) => batch.onCommit!(tx));
    const pending = await shopDb.webhookEvent.findMany({ where: { processedAt: null } });
    expect(pending.map((e) => e.id)).toEqual([during]);

    const next = (await webhookBatch(shopDb, integration, "en"))!;
    expect((await records(next.records)).map((r) => r.externalId)).toEqual(["gid://shopify/Product/4"]);
  });

  it("ignores a late update of a product whose delete was already synced", async () => {
    const del = hookId();
    await storeWebhookEvent(shopDb, { webhookId: del, topic: "products/delete", payload: { id: 5 }, triggeredAt: "2026-10-02T00:00:00Z" });
    const first = (await webhookBatch(shopDb, integration, "en"))!;
    await shopDb.$transaction((tx) => first.onCommit!(tx));
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(5, "2026-10-01T23:00:00Z") });
    const late = (await webhookBatch(shopDb, integration, "en"))!;
    expect(await records(late.records)).toEqual([]);
    expect(late.eventCount).toBe(1);
  });

  it("ignores an update delivered after a later one of the same second was synced (Shopify's updated_at has seconds)", async () => {
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(6, "2026-10-01T10:00:00Z", "Edited"), triggeredAt: "2026-10-01T10:00:00.800Z" });
    const first = (await webhookBatch(shopDb, integration, "en"))!;
    expect((await records(first.records)).map((r) => r.fields.title)).toEqual([{ en: "Edited" }]);
    await shopDb.$transaction((tx) => first.onCommit!(tx));
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(6, "2026-10-01T10:00:00Z", "Before the edit"), triggeredAt: "2026-10-01T10:00:00.200Z" });
    const late = (await webhookBatch(shopDb, integration, "en"))!;
    expect(await records(late.records)).toEqual([]);
    expect(late.eventCount).toBe(1);
  });

  it("with a test subset, only updates products the subset already brought in", async () => {
    await shopDb.integration.update({ where: { id: integration.id }, data: { settings: JSON.stringify({ subset: { query: "tag:dpp-pilot" } }) } });
    const row = await shopDb.integration.findUniqueOrThrow({ where: { id: integration.id } });
    await shopDb.externalLink.create({ data: { shop: TEST_SHOP, integrationId: integration.id, entityType: "product", externalId: "gid://shopify/Product/1", entityId: "p1" } });
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(1, "2026-10-01T00:00:00Z") });
    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/create", payload: product(2, "2026-10-01T00:00:00Z") });
    const batch = (await webhookBatch(shopDb, row, "en"))!;
    expect((await records(batch.records)).map((r) => r.externalId)).toEqual(["gid://shopify/Product/1"]);
    expect(batch.eventCount).toBe(2);
  });

  it("shopifySource answers a partial request with the webhook batch, or an empty partial batch", async () => {
    const empty = await shopifySource(shopDb, integration, { scope: "partial" });
    expect(empty.scope).toBe("partial");
    expect(await records(empty.records)).toEqual([]);
    expect(empty.onCommit).toBeUndefined();

    await storeWebhookEvent(shopDb, { webhookId: hookId(), topic: "products/update", payload: product(8, "2026-10-01T00:00:00Z") });
    const batch = await shopifySource(shopDb, integration, { scope: "partial" });
    expect((await records(batch.records)).map((r) => r.externalId)).toEqual(["gid://shopify/Product/8"]);
    expect(batch.onCommit).toBeTypeOf("function");
  });
});
