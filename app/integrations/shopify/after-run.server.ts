// After the catalog changed (a sync, an upload, a manual edit, a product held back): write the
// passport links of the touched variants to Shopify (only where a URL changed; removed where the
// passport is not published: held back, or a draft product), and push opt-in values that another
// integration owns (SKU, barcode, weight) to the Shopify variants. A failure here never undoes the
// catalog change: it is reported on the run and retried with the next change or "Sync now" (a
// Shopify run compares the pushed fields of the variants it read with the catalog, and pushes
// again where Shopify does not have the catalog's value).
import { canonicalJson, parseFieldValue } from "../../catalog/fields";
import type { ShopDb } from "../../db/scoped.server";
import { merchantMessage } from "../../errors";
import { ownerOf } from "../../ownership/ownership";
import { loadOwnership } from "../../ownership/ownership.server";
import { addAffectedEntities, noAffectedEntities, type AffectedEntities } from "../../passports/passports.server";
import { digitalLinkGtins, passportUrls } from "../../passports/public.server";
import { inShopAndJsonList, queryRows, sqlParam } from "../../sync/bulk-insert.server";
import type { ChangeSet, FieldWrite } from "../../sync/merge";
import type { SourceBatch, SourceRecord } from "../../sync/records";
import { chunks } from "../../sync/slice.server";
import { integrationSettings, type IntegrationRow } from "../integrations.server";
import { adminClientForShop } from "./admin-client.server";
import { weightInGrams } from "./records";
import { ShopifyGraphqlClient, throttleBucketFor } from "./graphql-client.server";
import { parseShopifySettings } from "./settings";
import { publishPassportMetafields, pushVariantFields, type PassportLinks, type VariantPush } from "./writeback.server";

/** Fields a merchant may choose to push from their owner to Shopify. */
export const PUSHABLE_FIELDS = ["sku", "barcode", "weight"] as const;
type PushableField = (typeof PUSHABLE_FIELDS)[number];

/**
 * A Shopify variant as a Shopify run's records showed it: its product's GID, and its own value of
 * each pushed field in the catalog's stored form (canonical JSON), null where Shopify has none or
 * one the catalog could not take; a field the record did not carry is left out (unknown).
 */
interface ShopifyVariantValues {
  productId: string;
  values: Partial<Record<PushableField, string | null>>;
}

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
   * A Shopify run's values of the pushed fields, by variant GID, as its records carried them
   * (watchRecords): after the run, catalog values another integration owns that Shopify does not
   * have are pushed (again: a push that failed is retried by the next Shopify sync).
   */
  readonly shopifyVariants = new Map<string, ShopifyVariantValues>();
  /** The fields whose values shopifyVariants holds (reconciledFields, as the run began). */
  reconciled: readonly PushableField[] = [];
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

  /**
   * The run's batch, its records watched for Shopify's own values of the fields pushed to it (a run
   * of the Shopify integration while it has some: see reconciledFields), as they stream past: the
   * records are not held. Any other batch is returned as it is.
   */
  async watchRecords(db: ShopDb, integration: IntegrationRow, batch: SourceBatch): Promise<SourceBatch> {
    if (integration.kind !== "shopify") return batch;
    const fields = await reconciledFields(db, integration);
    if (fields.length === 0) return batch;
    this.reconciled = fields;
    const { records } = batch;
    const seen = this.shopifyVariants;
    async function* watched(): AsyncGenerator<SourceRecord> {
      for await (const record of records) {
        for (const variant of record.variants) {
          const values: ShopifyVariantValues["values"] = {};
          let any = false;
          for (const field of fields) {
            const raw = variant.fields[field];
            if (raw === undefined && !variant.emptyFields?.includes(field)) continue;
            const parsed = raw === undefined ? null : parseFieldValue(field, raw);
            values[field] = parsed?.ok ? canonicalJson(parsed.value) : null;
            any = true;
          }
          if (any) seen.set(variant.externalId, { productId: record.externalId, values });
        }
        yield record;
      }
    }
    return { ...batch, records: watched() };
  }
}

const isPushable = (field: string): field is PushableField => (PUSHABLE_FIELDS as readonly string[]).includes(field);

/** The pushable fields the merchant chose to push to Shopify (the Shopify integration's pushFields). */
function pushedFields(shopify: Pick<IntegrationRow, "settings">): PushableField[] {
  const { pushFields } = integrationSettings(shopify);
  return PUSHABLE_FIELDS.filter((f) => Array.isArray(pushFields) && pushFields.includes(f));
}

/**
 * The pushed fields a Shopify run compares with the catalog: those another integration owns (a
 * field Shopify owns takes Shopify's value; one nobody owns is pushed only as it is edited by hand), and
 * that Shopify's records take from the variant itself (a field read from a mapped metafield is
 * not what a push writes, and would never look pushed).
 */
async function reconciledFields(db: ShopDb, shopify: IntegrationRow): Promise<PushableField[]> {
  const fields = pushedFields(shopify);
  if (fields.length === 0) return [];
  const ownership = await loadOwnership(db);
  const { metafieldMap } = parseShopifySettings(shopify.settings).settings;
  return fields.filter((f) => !metafieldMap[f] && ownerOf(ownership, f) !== null && ownerOf(ownership, f) !== shopify.id);
}

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
  const pushes =
    writerId !== shopify.id ? await plannedPushes(db, changes.pushableWrites, shopify.id, pushedFields(shopify)) : await reconciledPushes(db, changes, shopify.id);
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
async function plannedPushes(db: ShopDb, pushableWrites: readonly PushableWrite[], shopifyId: string, pushFields: readonly PushableField[]): Promise<VariantPush[]> {
  const fields = new Set<string>(pushFields);
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
    setPushedValue(push, w.field, w.newValue);
    pushes.set(gid, push);
  }
  return [...pushes.values()];
}

/**
 * A catalog value (canonical JSON) as a Shopify record would give it back once pushed: a weight is
 * read to 0.01 g, and 0 as none (records.ts weightInGrams). Compared as stored, 300.125 g would
 * never match the 300.13 Shopify's records say, and be pushed again on every Shopify run.
 */
function asShopifyReadsIt(field: string, json: string): string | null {
  if (field !== "weight") return json;
  const grams = JSON.parse(json) as unknown;
  const read = weightInGrams(typeof grams === "number" ? grams : null, "GRAMS");
  return read === null ? null : canonicalJson(read);
}

/** A catalog value (canonical JSON) of a pushable field, in the push. */
function setPushedValue(push: VariantPush, field: string, json: string): void {
  const value = JSON.parse(json) as unknown;
  if (field === "sku") push.sku = String(value);
  if (field === "barcode") push.barcode = String(value);
  if (field === "weight") push.weightGrams = Number(value);
}

/**
 * After a Shopify run: the catalog's values of the pushed fields (reconciledFields, kept by
 * watchRecords) of the variants the run read, where Shopify has another value. Read from the
 * state, not from what a run wrote: a value whose push failed is pushed again, and a value Shopify
 * has already is never pushed (the products/update webhook a push causes brings the same values:
 * no loop). Two reads per 5,000 variants (their links, their values of those fields), never one
 * per variant.
 */
async function reconciledPushes(db: ShopDb, { shopifyVariants, reconciled: fields }: CatalogChanges, shopifyId: string): Promise<VariantPush[]> {
  if (shopifyVariants.size === 0 || fields.length === 0) return [];
  const pushes: VariantPush[] = [];
  for (const part of chunks([...shopifyVariants.keys()])) {
    const links = await queryRows<{ externalId: string; entityId: string }>(
      db,
      `SELECT "externalId", "entityId" FROM "ExternalLink" WHERE ${inShopAndJsonList(`"externalId"`)} AND "integrationId" = ${sqlParam(3)} AND "entityType" = 'variant'`,
      db.shopDomain,
      JSON.stringify(part),
      shopifyId,
    );
    if (links.length === 0) continue;
    const gidOf = new Map(links.map((l) => [l.entityId, l.externalId]));
    const values = await queryRows<{ entityId: string; field: string; value: string }>(
      db,
      `SELECT "entityId", "field", "value" FROM "FieldValue" WHERE ${inShopAndJsonList(`"entityId"`)} AND "locale" = '' AND "field" IN (${fields.map((_, i) => sqlParam(3 + i)).join(", ")})`,
      db.shopDomain,
      JSON.stringify([...gidOf.keys()]),
      ...fields,
    );
    const byGid = new Map<string, VariantPush>();
    for (const v of values) {
      const gid = gidOf.get(v.entityId)!;
      const shopifyVariant = shopifyVariants.get(gid)!;
      const theirs = shopifyVariant.values[v.field as PushableField];
      if (theirs === undefined || theirs === asShopifyReadsIt(v.field, v.value)) continue; // not read, or Shopify has it
      const push = byGid.get(gid) ?? { productId: shopifyVariant.productId, variantId: gid };
      setPushedValue(push, v.field, v.value);
      byGid.set(gid, push);
    }
    pushes.push(...byGid.values());
  }
  return pushes;
}
