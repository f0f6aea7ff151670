// Writes back to Shopify.
//
// (a) Passport links as app-owned metafields (namespace `$app`, type `url`): on every variant
//     `passport_url` and, when it has a GTIN, `digital_link_url`; on every product `passport_url`,
//     the passport of its first variant. metafieldsSet takes at most 25 metafields per call and is
//     atomic per call. A metafield is written only when its URL differs from the last one written
//     (Passport.publishedUrls keeps what was written, updated after Shopify accepted it), so a run
//     that changes no URL makes no call. A Digital Link that disappears (GTIN removed) is deleted,
//     and so is every link of a passport that is no longer published (held back, or a draft
//     product): the storefront must not show a link that answers 404. Published again, the
//     passport's links are written again.
//
// (b) Opt-in push of values another integration owns (SKU, barcode, weight) to Shopify's variants:
//     productVariantsBulkUpdate per product (SKU and weight live on the variant's inventoryItem in
//     2026-10), partial updates allowed, errors reported per variant. A barcode goes in its
//     shortest standard form (shopifyBarcode), and not at all when Shopify has the same GTIN.
//
// Our own writes do not come back as changes. Both cause a products/update webhook:
// - metafields: the webhook payload carries no `$app` metafields and Shopify's product fields did not
//   change, so the record built from it equals the last one synced (same hash: nothing to merge);
// - pushed values: they are the catalog's own values (that is what is pushed), so the record built
//   from the webhook holds exactly what the catalog holds for SKU, barcode and weight (barcodes compare
//   as GTIN-14, weights in grams), and merging it writes nothing; the only difference from the
//   previous record is those values, which the merge compares with the catalog, not with the record.
//   writeback.test.ts checks this on the records.
import type { ShopDb } from "../../db/scoped.server";
import { normalizeGtin } from "../../passports/gs1";
import { DELETE_PASSPORT_METAFIELDS, PUSH_VARIANT_FIELDS, SET_PASSPORT_METAFIELDS, VARIANT_BARCODES } from "./documents";
import type { ShopifyGraphqlClient, UserError } from "./graphql-client.server";
import type { InventoryItemInput, ProductVariantsBulkInput, WeightUnit } from "./types/admin.types";

export const METAFIELD_NAMESPACE = "$app";
export const PASSPORT_URL_KEY = "passport_url";
export const DIGITAL_LINK_URL_KEY = "digital_link_url";
/** metafieldsSet accepts at most 25 metafields per call. */
export const METAFIELDS_PER_CALL = 25;

export interface PassportLinks {
  /** Our variant id. */
  variantId: string;
  /** The passport's public page; null when the passport is not published: its links are removed. */
  passportUrl: string | null;
  /** GS1 Digital Link URL, when the variant has a GTIN. */
  digitalLinkUrl?: string | null;
}

export interface PublishResult {
  /** Metafields written (set) and deleted. */
  written: number;
  deleted: number;
  /** Variants whose URLs were all already published. */
  unchanged: number;
  /** Variants not written: not linked to a Shopify variant, or without a passport yet. */
  skipped: { variantId: string; reason: string }[];
  failed: { variantId: string; message: string }[];
  /** metafieldsSet / metafieldsDelete calls made. */
  calls: number;
}

interface Entry {
  ownerId: string;
  key: string;
  value: string;
}

const entryKey = (ownerId: string, key: string) => `${ownerId}|${key}`;

function parsePublished(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Plan {
  variantId: string;
  passportId: string;
  desired: Entry[];
  sets: Entry[];
  deletes: Entry[];
  failed: string | null;
}

/** Publishes passport links to Shopify metafields where they changed since the last write. */
export async function publishPassportMetafields(db: ShopDb, client: ShopifyGraphqlClient, items: PassportLinks[]): Promise<PublishResult> {
  const result: PublishResult = { written: 0, deleted: 0, unchanged: 0, skipped: [], failed: [], calls: 0 };
  const byVariant = new Map(items.map((i) => [i.variantId, i]));
  if (byVariant.size === 0) return result;
  const variantIds = [...byVariant.keys()];

  const integration = await db.integration.findFirst({ where: { kind: "shopify" }, select: { id: true } });
  if (!integration) {
    for (const id of variantIds) result.skipped.push({ variantId: id, reason: "Shopify is not connected" });
    return result;
  }

  const variants = new Map<string, { productId: string }>();
  const passports = new Map<string, { id: string; publishedUrls: string | null }>();
  const variantGids = new Map<string, string>();
  for (const part of chunks(variantIds, 500)) {
    const [vs, ps, links] = await Promise.all([
      db.variant.findMany({ where: { id: { in: part } }, select: { id: true, productId: true } }),
      db.passport.findMany({ where: { variantId: { in: part } }, select: { id: true, variantId: true, publishedUrls: true } }),
      db.externalLink.findMany({ where: { integrationId: integration.id, entityType: "variant", entityId: { in: part } }, select: { entityId: true, externalId: true } }),
    ]);
    for (const v of vs) variants.set(v.id, { productId: v.productId });
    for (const p of ps) passports.set(p.variantId, { id: p.id, publishedUrls: p.publishedUrls });
    for (const l of links) variantGids.set(l.entityId, l.externalId);
  }
  const productIds = [...new Set([...variants.values()].map((v) => v.productId))];
  const productGids = new Map<string, string>();
  const firstVariant = new Map<string, string>();
  for (const part of chunks(productIds, 500)) {
    const [links, siblings] = await Promise.all([
      db.externalLink.findMany({ where: { integrationId: integration.id, entityType: "product", entityId: { in: part } }, select: { entityId: true, externalId: true } }),
      db.variant.findMany({
        where: { productId: { in: part }, archivedAt: null },
        select: { id: true, productId: true },
        orderBy: [{ position: "asc" }, { id: "asc" }],
      }),
    ]);
    for (const l of links) productGids.set(l.entityId, l.externalId);
    for (const s of siblings) if (!firstVariant.has(s.productId)) firstVariant.set(s.productId, s.id);
  }

  const plans: Plan[] = [];
  for (const [variantId, item] of byVariant) {
    const variant = variants.get(variantId);
    const passport = passports.get(variantId);
    const variantGid = variantGids.get(variantId);
    if (!variant || !variantGid) {
      result.skipped.push({ variantId, reason: "not a Shopify variant" });
      continue;
    }
    if (!passport) {
      result.skipped.push({ variantId, reason: "no passport yet" });
      continue;
    }
    const desired: Entry[] = [];
    if (item.passportUrl !== null) {
      desired.push({ ownerId: variantGid, key: PASSPORT_URL_KEY, value: item.passportUrl });
      if (item.digitalLinkUrl) desired.push({ ownerId: variantGid, key: DIGITAL_LINK_URL_KEY, value: item.digitalLinkUrl });
      const productGid = productGids.get(variant.productId);
      if (productGid && firstVariant.get(variant.productId) === variantId) desired.push({ ownerId: productGid, key: PASSPORT_URL_KEY, value: item.passportUrl });
    }

    const published = parsePublished(passport.publishedUrls);
    const sets = desired.filter((e) => published[entryKey(e.ownerId, e.key)] !== e.value);
    const wanted = new Set(desired.map((e) => entryKey(e.ownerId, e.key)));
    // Unpublished: every link this passport wrote goes (the product's too, when it was the first
    // variant's). Published: only a Digital Link that is no longer wanted.
    const deletes = Object.entries(published)
      .map(([k, value]) => {
        const cut = k.lastIndexOf("|");
        return { ownerId: k.slice(0, cut), key: k.slice(cut + 1), value };
      })
      .filter((e) => !wanted.has(entryKey(e.ownerId, e.key)) && (item.passportUrl === null || (e.ownerId === variantGid && e.key === DIGITAL_LINK_URL_KEY)));
    if (sets.length === 0 && deletes.length === 0) {
      result.unchanged++;
      continue;
    }
    plans.push({ variantId, passportId: passport.id, desired, sets, deletes, failed: null });
  }

  await setMetafields(client, plans, result);
  await deleteMetafields(client, plans, result);

  // Remember what Shopify now holds, for the variants whose writes all succeeded.
  const done = plans.filter((p) => p.failed === null);
  for (const part of chunks(done, 100)) {
    await db.$transaction(async (tx) => {
      for (const p of part) {
        const published = Object.fromEntries(p.desired.map((e) => [entryKey(e.ownerId, e.key), e.value]));
        await tx.passport.update({ where: { id: p.passportId }, data: { publishedUrls: JSON.stringify(published) } });
      }
    });
  }
  for (const p of plans) if (p.failed !== null) result.failed.push({ variantId: p.variantId, message: p.failed });
  return result;
}

function userErrorText(e: UserError): string {
  return e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message;
}

async function setMetafields(client: ShopifyGraphqlClient, plans: Plan[], result: PublishResult): Promise<void> {
  const all = plans.flatMap((plan) => plan.sets.map((entry) => ({ plan, entry })));
  for (const chunk of chunks(all, METAFIELDS_PER_CALL)) {
    // metafieldsSet is atomic: when some inputs are refused nothing of the call is written, so the
    // call is sent once more without the refused ones (and without their variants' other links).
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const data = await client.request(SET_PASSPORT_METAFIELDS, {
        metafields: pending.map(({ entry }) => ({ ownerId: entry.ownerId, namespace: METAFIELD_NAMESPACE, key: entry.key, type: "url", value: entry.value })),
      });
      result.calls++;
      const errors = data.metafieldsSet?.userErrors ?? [];
      if (errors.length === 0) {
        result.written += pending.length;
        break;
      }
      let callError: string | null = null;
      for (const e of errors) {
        const index = e.elementIndex ?? (e.field?.[0] === "metafields" ? Number(e.field[1]) : NaN);
        const target = Number.isInteger(index) ? pending[index] : undefined;
        if (target) target.plan.failed ??= `Shopify refused the passport link: ${userErrorText(e)}`;
        else callError ??= userErrorText(e);
      }
      if (callError !== null || attempt >= 1) {
        const message = callError !== null ? `Shopify refused the passport links: ${callError}` : "Shopify did not accept the passport links";
        for (const c of pending) c.plan.failed ??= message;
        break;
      }
      pending = pending.filter((c) => c.plan.failed === null);
    }
  }
}

async function deleteMetafields(client: ShopifyGraphqlClient, plans: Plan[], result: PublishResult): Promise<void> {
  const all = plans.filter((p) => p.failed === null).flatMap((plan) => plan.deletes.map((entry) => ({ plan, entry })));
  for (const chunk of chunks(all, METAFIELDS_PER_CALL)) {
    const data = await client.request(DELETE_PASSPORT_METAFIELDS, {
      metafields: chunk.map(({ entry }) => ({ ownerId: entry.ownerId, namespace: METAFIELD_NAMESPACE, key: entry.key })),
    });
    result.calls++;
    const errors = data.metafieldsDelete?.userErrors ?? [];
    if (errors.length) {
      for (const c of chunk) c.plan.failed ??= `Shopify did not remove a passport link that is no longer wanted: ${errors.map(userErrorText).join("; ")}`;
    } else result.deleted += chunk.length;
  }
}

// ---------------------------------------------------------------------------------------------
// (b) Pushing owned values to Shopify variants

export interface VariantPush {
  /** Shopify product GID of the variant. */
  productId: string;
  /** Shopify variant GID. */
  variantId: string;
  /** undefined: leave as it is; null: clear. */
  sku?: string | null;
  barcode?: string | null;
  /** Grams; null clears (Shopify's 0). */
  weightGrams?: number | null;
}

export interface PushResult {
  updated: string[];
  errors: { variantId: string; message: string }[];
  calls: number;
}

/** Variants per productVariantsBulkUpdate call. */
export const VARIANTS_PER_CALL = 250;

/** Weights go to Shopify in grams, the catalog's unit: they come back exactly as they were. */
const GRAMS = "GRAMS" as WeightUnit;

function variantInput(p: VariantPush): ProductVariantsBulkInput {
  const input: ProductVariantsBulkInput = { id: p.variantId };
  if (p.barcode !== undefined) input.barcode = p.barcode;
  const inventoryItem: InventoryItemInput = {};
  if (p.sku !== undefined) inventoryItem.sku = p.sku;
  if (p.weightGrams !== undefined) inventoryItem.measurement = { weight: { unit: GRAMS, value: p.weightGrams ?? 0 } };
  if (Object.keys(inventoryItem).length) input.inventoryItem = inventoryItem;
  return input;
}

/**
 * The barcode Shopify gets for a catalog GTIN: its shortest standard form, the number printed
 * under the bars on the goods. The catalog keeps every GTIN as GTIN-14, left-padded with zeros;
 * the zeros are dropped again as far as a shorter GTIN allows: six leading zeros → GTIN-8 (EAN-8),
 * two to five → GTIN-12 (UPC-A; an EAN-13 beginning with 0 is a UPC-A), one → GTIN-13 (EAN-13),
 * none → GTIN-14. Anything that is not a valid GTIN goes as it is.
 */
export function shopifyBarcode(gtin: string): string {
  const normalized = normalizeGtin(gtin);
  if (!normalized.ok) return gtin;
  const zeros = /^0*/.exec(normalized.gtin)![0].length;
  const length = zeros >= 6 ? 8 : zeros >= 2 ? 12 : zeros === 1 ? 13 : 14;
  return normalized.gtin.slice(14 - length);
}

/** Whether two barcodes are the same GTIN, written alike or not (EAN-13 and its GTIN-14 …). */
function sameGtin(a: string, b: string): boolean {
  const x = normalizeGtin(a);
  const y = normalizeGtin(b);
  return x.ok && y.ok ? x.gtin === y.gtin : a.trim() === b.trim();
}

/** Variant ids per nodes(ids:) call. */
const BARCODES_PER_CALL = 250;

/**
 * Leaves out barcodes Shopify already has: the same GTIN in whatever form the merchant wrote it
 * there stays as it is (only a different GTIN is written). Barcodes go in their shortest form.
 */
async function barcodesToWrite(client: ShopifyGraphqlClient, updates: VariantPush[], result: PushResult): Promise<VariantPush[]> {
  const withBarcode = updates.filter((u) => typeof u.barcode === "string");
  const current = new Map<string, string | null>();
  for (const part of chunks(withBarcode.map((u) => u.variantId), BARCODES_PER_CALL)) {
    const data = await client.request(VARIANT_BARCODES, { ids: part });
    result.calls++;
    for (const node of data.nodes) if (node?.id) current.set(node.id, node.barcode ?? null);
  }
  return updates.map((u) => {
    if (typeof u.barcode !== "string") return u;
    const shopify = current.get(u.variantId);
    if (shopify && sameGtin(shopify, u.barcode)) {
      const { barcode: _unchanged, ...rest } = u;
      return rest;
    }
    return { ...u, barcode: shopifyBarcode(u.barcode) };
  });
}

/**
 * Pushes SKU / barcode / weight to Shopify's variants, grouped per product; errors per variant.
 * Barcodes (GTIN-14 in the catalog) go in their shortest form, and not at all when Shopify has
 * the same GTIN already.
 */
export async function pushVariantFields(client: ShopifyGraphqlClient, pushes: VariantPush[]): Promise<PushResult> {
  const result: PushResult = { updated: [], errors: [], calls: 0 };
  const updates = await barcodesToWrite(client, pushes, result);
  const byProduct = new Map<string, VariantPush[]>();
  for (const u of updates) {
    if (u.sku === undefined && u.barcode === undefined && u.weightGrams === undefined) continue;
    const list = byProduct.get(u.productId) ?? [];
    list.push(u);
    byProduct.set(u.productId, list);
  }
  for (const [productId, list] of byProduct) {
    for (const part of chunks(list, VARIANTS_PER_CALL)) {
      const data = await client.request(PUSH_VARIANT_FIELDS, { productId, variants: part.map(variantInput) });
      result.calls++;
      const payload = data.productVariantsBulkUpdate;
      const failed = new Map<string, string>();
      for (const e of payload?.userErrors ?? []) {
        const index = e.field && e.field[0] === "variants" ? Number(e.field[1]) : NaN;
        const targets = Number.isInteger(index) && part[index] ? [part[index]] : part;
        for (const t of targets) if (!failed.has(t.variantId)) failed.set(t.variantId, userErrorText(e));
      }
      for (const p of part) {
        const message = failed.get(p.variantId);
        if (message) result.errors.push({ variantId: p.variantId, message });
        else result.updated.push(p.variantId);
      }
    }
  }
  return result;
}
