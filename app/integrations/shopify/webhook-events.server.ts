// Product webhooks: stored first (the route answers Shopify within its 5 s), synced later as a
// partial batch. Shopify delivers at least once, in any order, and retries for hours, so:
// - the event id is X-Shopify-Webhook-Id: a second delivery of the same event is ignored;
// - events of one product are coalesced, newest first by the product's updated_at (deletes,
//   which carry no updated_at, by the time Shopify triggered them), and within one second of
//   updated_at (its resolution) by the time Shopify triggered them: a delete after an update
//   wins, an update newer than a delete re-creates (the engine unarchives), an update older than
//   an event already synced (a late delivery) is dropped;
// - a batch marks exactly the events it was made of as processed, in the run's transaction;
//   events arriving meanwhile stay for the next run.
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb, ShopTx } from "../../db/scoped.server";
import type { SourceBatch, SourceRecord } from "../../sync/records";
import type { IntegrationRow } from "../integrations.server";
import { productGid, recordFromWebhook, type MappingContext, type ProductWebhookPayload, type RecordWarning } from "./records";
import { parseShopifySettings } from "./settings";

export const PRODUCT_TOPICS = ["products/create", "products/update", "products/delete"] as const;
export type ProductTopic = (typeof PRODUCT_TOPICS)[number];

/** "PRODUCTS_UPDATE" (shopify-app-remix) or "products/update" (the header) → "products/update". */
export function normalizeTopic(topic: string): string {
  const t = topic.trim();
  const upper: Record<string, string> = {
    PRODUCTS_CREATE: "products/create",
    PRODUCTS_UPDATE: "products/update",
    PRODUCTS_DELETE: "products/delete",
    BULK_OPERATIONS_FINISH: "bulk_operations/finish",
  };
  return upper[t] ?? t.toLowerCase();
}

const isProductTopic = (topic: string): topic is ProductTopic => (PRODUCT_TOPICS as readonly string[]).includes(topic);

export interface IncomingWebhook {
  /** X-Shopify-Webhook-Id (the same on every delivery of one event). */
  webhookId: string;
  topic: string;
  payload: unknown;
  /** X-Shopify-Triggered-At, when known: orders events of the same product. */
  triggeredAt?: Date | string | null;
}

function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== "string" || !value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function resourceOf(topic: string, payload: unknown): { resourceId: string | null; resourceUpdatedAt: Date | null } {
  const p = (payload ?? {}) as { id?: unknown; admin_graphql_api_id?: unknown; updated_at?: unknown };
  if (!isProductTopic(topic)) return { resourceId: typeof p.admin_graphql_api_id === "string" ? p.admin_graphql_api_id : null, resourceUpdatedAt: dateOf(p.updated_at) };
  const resourceId =
    typeof p.admin_graphql_api_id === "string" ? p.admin_graphql_api_id : typeof p.id === "number" || typeof p.id === "string" ? productGid(p.id) : null;
  return { resourceId, resourceUpdatedAt: dateOf(p.updated_at) };
}

/** Stores a received webhook. Returns false for a duplicate delivery (already stored). */
export async function storeWebhookEvent(db: ShopDb, event: IncomingWebhook): Promise<{ stored: boolean }> {
  const topic = normalizeTopic(event.topic);
  const { resourceId, resourceUpdatedAt } = resourceOf(topic, event.payload);
  const triggeredAt = dateOf(event.triggeredAt ?? null);
  const existing = await db.webhookEvent.findFirst({ where: { id: event.webhookId }, select: { id: true } });
  if (existing) return { stored: false };
  try {
    await db.webhookEvent.create({
      data: {
        id: event.webhookId,
        shop: db.shopDomain,
        topic,
        resourceId,
        // A delete has no updated_at: the time Shopify triggered it orders it against updates.
        resourceUpdatedAt: resourceUpdatedAt ?? (topic === "products/delete" ? (triggeredAt ?? new Date()) : null),
        triggeredAt,
        payload: JSON.stringify(event.payload ?? null),
      },
    });
    return { stored: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { stored: false };
    throw error;
  }
}

interface EventRow {
  id: string;
  topic: string;
  resourceId: string | null;
  resourceUpdatedAt: Date | null;
  triggeredAt: Date | null;
  receivedAt: Date;
}

type EventTimes = Pick<EventRow, "resourceUpdatedAt" | "triggeredAt" | "receivedAt">;

export interface CoalescedEvents {
  /** Event ids whose payload becomes a record (one per product: the newest update). */
  updates: EventRow[];
  /** Products whose newest event is a delete. */
  deletedIds: string[];
  /** Every event id taken into account (marked processed when the batch commits). */
  eventIds: string[];
}

/** Which of two events of one product is newer: > 0 when `a` is (updated_at, then when triggered). */
export function compareEventTimes(a: EventTimes, b: EventTimes): number {
  const time = (e: EventTimes) => (e.resourceUpdatedAt ?? e.receivedAt).getTime();
  const triggered = (e: EventTimes) => (e.triggeredAt ?? e.receivedAt).getTime();
  return time(a) - time(b) || triggered(a) - triggered(b);
}

/**
 * Coalesces a shop's pending product events per product (pure). `synced` holds, per product, the
 * newest event already processed: an update older than that (a late delivery) is dropped.
 */
export function coalesceProductEvents(events: EventRow[], synced: Map<string, EventTimes> = new Map()): CoalescedEvents {
  const byProduct = new Map<string, EventRow>();
  for (const e of events) {
    if (!e.resourceId) continue;
    const best = byProduct.get(e.resourceId);
    if (!best) {
      byProduct.set(e.resourceId, e);
      continue;
    }
    const order = compareEventTimes(e, best);
    const isDelete = e.topic === "products/delete";
    const bestIsDelete = best.topic === "products/delete";
    // Newer wins; at the same time a delete wins over an update, and the later delivery otherwise.
    if (order > 0 || (order === 0 && (isDelete || !bestIsDelete))) byProduct.set(e.resourceId, e);
  }
  const updates: EventRow[] = [];
  const deletedIds: string[] = [];
  for (const [id, e] of byProduct) {
    if (e.topic === "products/delete") deletedIds.push(id);
    else {
      const newestSynced = synced.get(id);
      if (!newestSynced || compareEventTimes(e, newestSynced) > 0) updates.push(e);
    }
  }
  return { updates, deletedIds, eventIds: events.map((e) => e.id) };
}

export interface WebhookBatch extends SourceBatch {
  scope: "partial";
  deletedExternalIds: string[];
  /** Values left out of records (mapped metafields that do not fit), and skipped events. */
  warnings: RecordWarning[];
  /** Stored events this batch consumes. */
  eventCount: number;
}

const CHUNK = 200;

function chunked<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The pending product webhooks of the shop as one partial batch, or null when none is pending.
 * Payloads are read lazily, a chunk at a time, as the engine iterates the records.
 */
export async function webhookBatch(db: ShopDb, integration: Pick<IntegrationRow, "id" | "settings">, primaryLocale: string): Promise<WebhookBatch | null> {
  const events: EventRow[] = await db.webhookEvent.findMany({
    where: { processedAt: null, topic: { in: [...PRODUCT_TOPICS] } },
    select: { id: true, topic: true, resourceId: true, resourceUpdatedAt: true, triggeredAt: true, receivedAt: true },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
  });
  if (events.length === 0) return null;

  const productIds = [...new Set(events.map((e) => e.resourceId).filter((id): id is string => id !== null))];
  const synced = new Map<string, EventTimes>();
  for (const part of chunked(productIds)) {
    const rows = await db.webhookEvent.findMany({
      where: { topic: { in: [...PRODUCT_TOPICS] }, processedAt: { not: null }, resourceId: { in: part } },
      select: { resourceId: true, resourceUpdatedAt: true, triggeredAt: true, receivedAt: true },
    });
    for (const r of rows) {
      const newest = r.resourceId ? synced.get(r.resourceId) : undefined;
      if (r.resourceId && (!newest || compareEventTimes(r, newest) > 0)) synced.set(r.resourceId, r);
    }
  }
  const coalesced = coalesceProductEvents(events, synced);
  const { settings, warnings: settingsWarnings } = parseShopifySettings(integration.settings);
  const warnings: RecordWarning[] = settingsWarnings.map((message) => ({ externalId: integration.id, message }));

  // A test subset is synced by its query; webhooks only update the products it already brought in.
  let updates = coalesced.updates;
  if (settings.subset) {
    const linked = new Set<string>();
    for (const part of chunked(updates.map((u) => u.resourceId!))) {
      const rows = await db.externalLink.findMany({
        where: { integrationId: integration.id, entityType: "product", externalId: { in: part } },
        select: { externalId: true },
      });
      for (const r of rows) linked.add(r.externalId);
    }
    updates = updates.filter((u) => linked.has(u.resourceId!));
  }

  const ctx: MappingContext = { primaryLocale, metafieldMap: settings.metafieldMap };
  const updateIds = updates.map((u) => u.id);
  async function* records(): AsyncGenerator<SourceRecord> {
    for (const part of chunked(updateIds)) {
      const rows = await db.webhookEvent.findMany({ where: { id: { in: part } }, select: { id: true, payload: true } });
      const byId = new Map(rows.map((r) => [r.id, r.payload]));
      for (const id of part) {
        let payload: ProductWebhookPayload;
        try {
          payload = JSON.parse(byId.get(id) ?? "null") as ProductWebhookPayload;
        } catch {
          payload = null as unknown as ProductWebhookPayload;
        }
        if (!payload || typeof payload !== "object" || !payload.handle) {
          warnings.push({ externalId: id, message: `Webhook ${id} does not hold a product; it was skipped.` });
          continue;
        }
        const mapped = recordFromWebhook(payload, ctx);
        warnings.push(...mapped.warnings);
        yield mapped.record;
      }
    }
  }

  const eventIds = coalesced.eventIds;
  return {
    scope: "partial",
    records: records(),
    deletedExternalIds: coalesced.deletedIds,
    total: updates.length,
    warnings,
    eventCount: eventIds.length,
    onCommit: (tx: ShopTx) => markProcessed(tx, eventIds),
  };
}

/** Marks events processed (inside the run's transaction). */
export async function markProcessed(tx: ShopTx | ShopDb, eventIds: string[], at = new Date()): Promise<void> {
  for (const part of chunked(eventIds, 500)) {
    await tx.webhookEvent.updateMany({ where: { id: { in: part }, processedAt: null }, data: { processedAt: at } });
  }
}

/**
 * A full export started at `startedAt` supersedes the product events received before it: marks
 * them processed when the full run commits.
 */
export async function markProductEventsBefore(tx: ShopTx | ShopDb, startedAt: Date, at = new Date()): Promise<void> {
  await tx.webhookEvent.updateMany({
    where: { processedAt: null, topic: { in: [...PRODUCT_TOPICS] }, receivedAt: { lte: startedAt } },
    data: { processedAt: at },
  });
}

/** Deletes processed events older than the given date (housekeeping). */
export async function pruneWebhookEvents(db: ShopDb, processedBefore: Date): Promise<number> {
  const result = await db.webhookEvent.deleteMany({ where: { processedAt: { lt: processedBefore } } });
  return result.count;
}
