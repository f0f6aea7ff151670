// After the catalog changed (a sync, an upload, a manual edit, a product held back): write the
// passport links of the touched variants to Shopify (only where a URL changed; removed where the
// passport is not published: held back, or a draft product), and push opt-in values that another
// integration owns (SKU, barcode, weight) to the Shopify variants. A failure here never undoes the
// catalog change: it is reported on the run and retried with the next change or "Sync now".
import type { ShopDb } from "../../db/scoped.server";
import { merchantMessage } from "../../errors";
import { addAffectedEntities, noAffectedEntities, type AffectedEntities } from "../../passports/passports.server";
import { digitalLinkGtins, passportUrls } from "../../passports/public.server";
import type { ChangeSet, FieldWrite } from "../../sync/merge";
import { chunks } from "../../sync/slice.server";
import { integrationSettings } from "../integrations.server";
import { adminClientForShop } from "./admin-client.server";
import { ShopifyGraphqlClient, throttleBucketFor } from "./graphql-client.server";
import { publishPassportMetafields, pushVariantFields, type PassportLinks, type VariantPush } from "./writeback.server";

/** Fields a merchant may choose to push from their owner to Shopify. */
export const PUSHABLE_FIELDS = ["sku", "barcode", "weight"] as const;

/** A write that sets a value (not a clear). */
type PushableWrite = FieldWrite & { newValue: string };
const isValueWrite = (w: FieldWrite): w is PushableWrite => w.newValue !== null;

/**
 * What the write-back needs from a catalog change, gathered part by part as a run applies its
 * changes (`executeSync`'s onChanges), so a large run is not held in memory: the touched entities,
 * and values written to pushable fields of variants that existed before the run (a variant the run
 * created is not linked to a Shopify variant yet, so there is nothing to push to). A cleared value
 * is never pushed: the write-back sets values in Shopify, it does not erase them there.
 */
export class CatalogChanges {
  readonly affected = noAffectedEntities();
  readonly pushableWrites: PushableWrite[] = [];
  /**
   * Every passport's links are checked, not only those of what changed: after a full run, so that
   * links written in an older form (another PASSPORT_BASE_URL, a Digital Link without the shop)
   * are brought up to date even where nothing in the catalog changed. Links still equal to what was
   * written cost no call.
   */
  everyPassport = false;

  /** The changes of a sync run: a full run checks every passport's links (everyPassport). */
  static forRun(scope: "full" | "partial"): CatalogChanges {
    const changes = new CatalogChanges();
    changes.everyPassport = scope === "full";
    return changes;
  }

  /** Products whose passports may have changed as a whole (held back or published again). */
  addProducts(productIds: Iterable<string>): this {
    for (const id of productIds) this.affected.productIds.add(id);
    return this;
  }

  add(changes: Pick<ChangeSet, "newVariants" | "variantMoves" | "writes" | "archive" | "unarchive">): this {
    addAffectedEntities(this.affected, changes);
    const created = new Set(changes.newVariants.map((v) => v.id));
    for (const w of changes.writes) {
      if (w.entityType === "variant" && isPushable(w.field) && !created.has(w.entityId) && isValueWrite(w)) this.pushableWrites.push(w);
    }
    return this;
  }
}

const isPushable = (field: string): field is (typeof PUSHABLE_FIELDS)[number] => (PUSHABLE_FIELDS as readonly string[]).includes(field);

export interface AfterRunResult {
  published: number;
  pushed: number;
  problems: string[];
}

export async function afterCatalogChange(db: ShopDb, changes: CatalogChanges, writerId: string | null): Promise<AfterRunResult> {
  const result: AfterRunResult = { published: 0, pushed: 0, problems: [] };
  const shopify = await db.integration.findFirst({ where: { kind: "shopify", status: { in: ["active", "error"] } } });
  if (!shopify) return result;
  const { affected } = changes;
  const pushes = writerId !== shopify.id ? await plannedPushes(db, changes.pushableWrites, shopify.id, integrationSettings(shopify).pushFields) : [];
  if (!changes.everyPassport && affected.variantIds.size === 0 && affected.productIds.size === 0 && pushes.length === 0) return result;
  try {
    const client = new ShopifyGraphqlClient(await adminClientForShop(db.shopDomain), { bucket: throttleBucketFor(db.shopDomain) });
    const published = await publishPassportMetafields(db, client, await passportLinks(db, changes.everyPassport ? null : affected));
    result.published = published.written;
    for (const f of published.failed) result.problems.push(`Passport link of a variant not written to Shopify: ${f.message}`);
    if (pushes.length) {
      const pushed = await pushVariantFields(client, pushes);
      result.pushed = pushed.updated.length;
      for (const e of pushed.errors) result.problems.push(`Shopify refused a pushed value: ${e.message}`);
    }
  } catch (error) {
    result.problems.push(`Passport links could not be written to Shopify: ${merchantMessage(error)}`);
  }
  return result;
}

/** The links the passports of the affected entities should have in Shopify (null: every passport of the shop). */
async function passportLinks(db: ShopDb, affected: AffectedEntities | null): Promise<PassportLinks[]> {
  const select = { variantId: true, publicId: true, gtin: true, held: true } as const;
  let passports: { variantId: string; publicId: string; gtin: string | null; held: boolean }[] = [];
  if (affected === null) passports = await db.passport.findMany({ select });
  else {
    const variantIds = new Set(affected.variantIds);
    for (const part of chunks([...affected.productIds])) {
      for (const v of await db.variant.findMany({ where: { productId: { in: part } }, select: { id: true } })) variantIds.add(v.id);
    }
    for (const part of chunks([...variantIds])) passports.push(...(await db.passport.findMany({ where: { variantId: { in: part } }, select })));
  }
  const linkGtins = await digitalLinkGtins(db.shopDomain, passports);
  return passports.map((p) => {
    // Not published (held back, a draft product): its links come off the storefront.
    if (p.held) return { variantId: p.variantId, passportUrl: null };
    const urls = passportUrls(db.shopDomain, p.publicId, linkGtins.get(p.publicId) ?? null);
    return { variantId: p.variantId, passportUrl: urls.url, digitalLinkUrl: urls.digitalLinkUrl };
  });
}

/** Values written by another integration to fields the merchant chose to push to Shopify. */
async function plannedPushes(db: ShopDb, pushableWrites: readonly PushableWrite[], shopifyId: string, pushFields: unknown): Promise<VariantPush[]> {
  const fields = new Set((Array.isArray(pushFields) ? pushFields : []).filter((f): f is string => typeof f === "string" && isPushable(f)));
  const writes = pushableWrites.filter((w) => fields.has(w.field));
  if (writes.length === 0) return [];
  const variantIds = [...new Set(writes.map((w) => w.entityId))];
  const links = await db.externalLink.findMany({ where: { integrationId: shopifyId, entityType: "variant", entityId: { in: variantIds } }, select: { entityId: true, externalId: true } });
  const variants = await db.variant.findMany({ where: { id: { in: variantIds } }, select: { id: true, productId: true } });
  const productLinks = await db.externalLink.findMany({
    where: { integrationId: shopifyId, entityType: "product", entityId: { in: variants.map((v) => v.productId) } },
    select: { entityId: true, externalId: true },
  });
  const variantGid = new Map(links.map((l) => [l.entityId, l.externalId]));
  const productOf = new Map(variants.map((v) => [v.id, v.productId]));
  const productGid = new Map(productLinks.map((l) => [l.entityId, l.externalId]));
  const pushes = new Map<string, VariantPush>();
  for (const w of writes) {
    const gid = variantGid.get(w.entityId);
    const productId = productGid.get(productOf.get(w.entityId) ?? "");
    if (!gid || !productId) continue; // not a Shopify variant
    const push = pushes.get(gid) ?? { productId, variantId: gid };
    const value = JSON.parse(w.newValue) as unknown;
    if (w.field === "sku") push.sku = String(value);
    if (w.field === "barcode") push.barcode = String(value);
    if (w.field === "weight") push.weightGrams = Number(value);
    pushes.set(gid, push);
  }
  return [...pushes.values()];
}
