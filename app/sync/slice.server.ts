// Loads the part of the catalog a run can touch (the merge's CatalogSlice), batch by batch.
// Values are loaded only for records that need a look: a primary's record whose hash is unchanged
// since the last run costs one link lookup and no value reads. Reads by id lists are raw SQL with
// the list as one JSON parameter (see bulk-insert.server.ts): through Prisma, every id of a list
// and every value read back costs a mapping step, which made up a tenth of a large import.
import type { ShopDb, ShopTx } from "../db/scoped.server";
import { inShopAndJsonList, isSet, queryRows, sqlParam, type SqlFlag } from "./bulk-insert.server";
import {
  identifierOf,
  NO_LINKS,
  NO_VALUES,
  recordHash,
  valueKey,
  type CatalogProduct,
  type CatalogSlice,
  type CatalogVariant,
  type LinkState,
  type MergeIntegration,
  type StoredValue,
} from "./merge";
import type { SourceRecord } from "./records";

/** Splits a list for `IN (…)` queries, keeping under the database's parameter limits. */
export function chunks<T>(items: readonly T[], size = 5000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toLink(l: { entityId: string; hash: string | null; sourceUpdatedAt: Date | string | null }): LinkState {
  // Raw reads give SQLite's dates as text.
  const at = l.sourceUpdatedAt;
  return { entityId: l.entityId, hash: l.hash, sourceUpdatedAt: at === null ? null : at instanceof Date ? at : new Date(at) };
}

/** A product or variant row as the slice reads it (archivedAt as a flag). */
interface EntityRow {
  id: string;
  archived: SqlFlag;
  originId: string | null;
}
type ProductRow = EntityRow & { handle: string };
type VariantRow = EntityRow & { productId: string; position: number; sourceSku: string | null; sourceGtin: string | null };

const PRODUCT_COLUMNS = `"id", "handle", "archivedAt" IS NOT NULL AS "archived", "originId"`;
const VARIANT_COLUMNS = `"id", "productId", "position", "archivedAt" IS NOT NULL AS "archived", "originId", "sourceSku", "sourceGtin"`;

export class SliceLoader {
  readonly slice: CatalogSlice = {
    products: new Map(),
    variants: new Map(),
    productLinks: new Map(),
    variantLinks: new Map(),
    variantsByIdentifier: new Map(),
    variantIdsByProduct: new Map(),
    takenHandles: new Set(),
  };
  /** Entities whose values (and links from every integration) are loaded. */
  private readonly detailed = new Set<string>();
  private readonly identifiersLoaded = new Set<string>();

  constructor(
    private readonly db: ShopDb | ShopTx,
    private readonly integration: MergeIntegration,
    private readonly scope: "full" | "partial",
  ) {}

  /** Run start: handles, and for a full run every link of the integration with its entities. */
  async start(): Promise<void> {
    const shop = this.db.shopDomain;
    const handles = await queryRows<{ handle: string }>(this.db, `SELECT "handle" FROM "Product" WHERE "shop" = ${sqlParam(1)}`, shop);
    for (const h of handles) this.slice.takenHandles.add(h.handle);
    if (this.scope !== "full") return;
    const links = await queryRows<{ entityType: string; externalId: string; entityId: string; hash: string | null; sourceUpdatedAt: Date | string | null }>(
      this.db,
      `SELECT "entityType", "externalId", "entityId", "hash", "sourceUpdatedAt" FROM "ExternalLink" WHERE "shop" = ${sqlParam(1)} AND "integrationId" = ${sqlParam(2)}`,
      shop,
      this.integration.id,
    );
    for (const l of links) (l.entityType === "product" ? this.slice.productLinks : this.slice.variantLinks).set(l.externalId, toLink(l));
    await this.loadRows(
      links.filter((l) => l.entityType === "product").map((l) => l.entityId),
      links.filter((l) => l.entityType === "variant").map((l) => l.entityId),
    );
  }

  /** Everything the merge needs for this batch of records. */
  async load(records: readonly SourceRecord[]): Promise<void> {
    const { slice } = this;
    if (this.scope === "partial") await this.loadLinks(records);

    const productIds = new Set<string>();
    const variantIds = new Set<string>();
    for (const r of records) {
      const l = slice.productLinks.get(r.externalId);
      if (l) productIds.add(l.entityId);
      for (const v of r.variants) {
        const vl = slice.variantLinks.get(v.externalId);
        if (vl) variantIds.add(vl.entityId);
      }
    }
    await this.loadRows([...productIds], [...variantIds]);

    // Records to look at in detail (secondaries always match afresh; see merge.ts). A record is
    // hashed only where its link has a hash to compare with, as the merge does.
    const needed = records.filter((r) => {
      if (this.integration.role !== "primary") return true;
      const link = slice.productLinks.get(r.externalId);
      const product = link && slice.products.get(link.entityId);
      return !(link && product && !product.archived && link.hash !== null && link.hash === recordHash(r));
    });
    if (needed.length === 0) return;

    // Their variants' identifiers, in order (a barcode is checked once).
    const variantIdentifiers: (string | null)[] = [];
    const identifiers = new Set<string>();
    for (const r of needed) {
      for (const v of r.variants) {
        const id = identifierOf(v.fields, this.integration.matchBy);
        variantIdentifiers.push(id);
        if (id && !this.identifiersLoaded.has(id)) identifiers.add(id);
      }
    }
    await this.loadByIdentifiers([...identifiers]);

    const detailProducts = new Set<string>();
    let n = 0;
    for (const r of needed) {
      const l = slice.productLinks.get(r.externalId);
      if (l) detailProducts.add(l.entityId);
      for (const v of r.variants) {
        const vl = slice.variantLinks.get(v.externalId);
        const variant = vl && slice.variants.get(vl.entityId);
        if (variant) detailProducts.add(variant.productId);
        const id = variantIdentifiers[n++];
        for (const vid of (id && slice.variantsByIdentifier.get(id)) || []) detailProducts.add(slice.variants.get(vid)!.productId);
      }
    }
    await this.loadProductsWithVariants([...detailProducts]);
    await this.loadDetails([...detailProducts, ...[...detailProducts].flatMap((p) => slice.variantIdsByProduct.get(p) ?? [])]);
  }

  /** Products the source reported deleted, with their variants (to archive them) and this integration's links to those (to drop them). */
  async loadDeleted(externalIds: readonly string[]): Promise<void> {
    if (externalIds.length === 0) return;
    await this.loadLinks(externalIds.map((externalId) => ({ externalId, fields: {}, variants: [] })));
    const productIds = externalIds.map((id) => this.slice.productLinks.get(id)?.entityId).filter((id): id is string => !!id);
    await this.loadProductsWithVariants(productIds);
    const variantIds = productIds.flatMap((p) => this.slice.variantIdsByProduct.get(p) ?? []);
    await this.loadDetails([...productIds, ...variantIds]);
    for (const part of chunks(variantIds)) {
      const links = await this.rowsIn<{ externalId: string; entityId: string; hash: string | null; sourceUpdatedAt: Date | string | null }>(
        `SELECT "externalId", "entityId", "hash", "sourceUpdatedAt" FROM "ExternalLink" WHERE ${inShopAndJsonList(`"entityId"`)} AND "integrationId" = ${sqlParam(3)} AND "entityType" = 'variant'`,
        part,
        this.integration.id,
      );
      for (const l of links) if (!this.slice.variantLinks.has(l.externalId)) this.slice.variantLinks.set(l.externalId, toLink(l));
    }
  }

  private async loadLinks(records: readonly SourceRecord[]): Promise<void> {
    const productExt = records.map((r) => r.externalId).filter((id) => !this.slice.productLinks.has(id));
    // (A record that lists only some of its product's variants names the rest: merge.ts needs their links.)
    const variantExt = records.flatMap((r) => [...r.variants.map((v) => v.externalId), ...(r.allVariantIds ?? [])]).filter((id) => !this.slice.variantLinks.has(id));
    for (const [type, ids, target] of [
      ["product", productExt, this.slice.productLinks],
      ["variant", variantExt, this.slice.variantLinks],
    ] as const) {
      for (const part of chunks(ids)) {
        const links = await this.rowsIn<{ externalId: string; entityId: string; hash: string | null; sourceUpdatedAt: Date | string | null }>(
          `SELECT "externalId", "entityId", "hash", "sourceUpdatedAt" FROM "ExternalLink" WHERE ${inShopAndJsonList(`"externalId"`)} AND "integrationId" = ${sqlParam(3)} AND "entityType" = ${sqlParam(4)}`,
          part,
          this.integration.id,
          type,
        );
        for (const l of links) target.set(l.externalId, toLink(l));
      }
    }
  }

  /** Product and variant rows (no values yet). */
  private async loadRows(productIds: string[], variantIds: string[]): Promise<void> {
    const { slice } = this;
    for (const part of chunks(productIds.filter((id) => !slice.products.has(id)))) {
      for (const p of await this.productsIn(part)) slice.products.set(p.id, this.product(p));
    }
    // Archiving a product archives its variants: a full run needs to know them all. (Loaded with
    // their products first, so the variants by id below are usually all there already.)
    const withoutVariants = [...slice.products.keys()].filter((id) => !slice.variantIdsByProduct.has(id));
    if (withoutVariants.length) await this.loadProductsWithVariants(withoutVariants);
    for (const part of chunks(variantIds.filter((id) => !slice.variants.has(id)))) {
      for (const v of await this.rowsIn<VariantRow>(`SELECT ${VARIANT_COLUMNS} FROM "Variant" WHERE ${inShopAndJsonList(`"id"`)}`, part)) this.addVariant(v);
    }
  }

  private async loadProductsWithVariants(productIds: string[]): Promise<void> {
    const { slice } = this;
    const todo = productIds.filter((id) => !slice.variantIdsByProduct.has(id));
    for (const part of chunks(todo.filter((id) => !slice.products.has(id)))) {
      for (const p of await this.productsIn(part)) slice.products.set(p.id, this.product(p));
    }
    for (const id of todo) slice.variantIdsByProduct.set(id, []);
    for (const part of chunks(todo)) {
      for (const v of await this.rowsIn<VariantRow>(`SELECT ${VARIANT_COLUMNS} FROM "Variant" WHERE ${inShopAndJsonList(`"productId"`)}`, part)) this.addVariant(v);
    }
  }

  /**
   * Variants by identifier: their own SKU (GTIN), or where they have none, the one their structural
   * source gave them (see schema.prisma). Two indexed lookups rather than one OR, which SQLite
   * would answer by reading the shop's variants.
   */
  private async loadByIdentifiers(identifiers: string[]): Promise<void> {
    const [own, source] = this.integration.matchBy === "sku" ? [`"sku"`, `"sourceSku"`] : [`"gtin"`, `"sourceGtin"`];
    for (const part of chunks(identifiers)) {
      const rows = [
        ...(await this.rowsIn<VariantRow & { identifier: string }>(`SELECT ${VARIANT_COLUMNS}, ${own} AS "identifier" FROM "Variant" WHERE ${inShopAndJsonList(own)}`, part)),
        ...(await this.rowsIn<VariantRow & { identifier: string }>(
          `SELECT ${VARIANT_COLUMNS}, ${source} AS "identifier" FROM "Variant" WHERE ${inShopAndJsonList(source)} AND ${own} IS NULL`,
          part,
        )),
      ];
      for (const v of rows) this.addVariant(v, v.identifier);
    }
    for (const id of identifiers) this.identifiersLoaded.add(id);
  }

  /** Values and cross-integration links of entities, for the ownership rules and the diff. */
  private async loadDetails(entityIds: string[]): Promise<void> {
    const { slice } = this;
    const todo = entityIds.filter((id) => !this.detailed.has(id));
    for (const part of chunks(todo)) {
      const [values, links] = await Promise.all([
        this.rowsIn<{ entityId: string; field: string; locale: string; value: string; sourceId: string | null }>(
          `SELECT "entityId", "field", "locale", "value", "sourceId" FROM "FieldValue" WHERE ${inShopAndJsonList(`"entityId"`)}`,
          part,
        ),
        this.rowsIn<{ entityId: string; integrationId: string }>(`SELECT "entityId", "integrationId" FROM "ExternalLink" WHERE ${inShopAndJsonList(`"entityId"`)}`, part),
      ]);
      // Added to what the entity has: the shared empties (NO_VALUES, NO_LINKS), as entities come
      // from the database and are detailed once; should that change, nothing it had is lost.
      const valuesOf = new Map<string, Map<string, StoredValue>>();
      for (const v of values) {
        let entityValues = valuesOf.get(v.entityId);
        if (!entityValues) valuesOf.set(v.entityId, (entityValues = new Map()));
        entityValues.set(valueKey(v.field, v.locale), { value: v.value, sourceId: v.sourceId });
      }
      const linksOf = new Map<string, Set<string>>();
      for (const l of links) {
        let entityLinks = linksOf.get(l.entityId);
        if (!entityLinks) linksOf.set(l.entityId, (entityLinks = new Set()));
        entityLinks.add(l.integrationId);
      }
      for (const id of part) {
        const entity = slice.products.get(id) ?? slice.variants.get(id);
        if (!entity) continue;
        const loadedValues = valuesOf.get(id);
        if (loadedValues) entity.values = entity.values.size ? new Map([...entity.values, ...loadedValues]) : loadedValues;
        const loadedLinks = linksOf.get(id);
        if (loadedLinks) entity.linkedIntegrationIds = entity.linkedIntegrationIds.size ? new Set([...entity.linkedIntegrationIds, ...loadedLinks]) : loadedLinks;
      }
    }
    for (const id of todo) this.detailed.add(id);
  }

  /** The shop's rows of a raw SELECT whose condition starts with inShopAndJsonList (parameters 1 and 2), then `more`. */
  private rowsIn<T>(sql: string, list: readonly string[], ...more: unknown[]): Promise<T[]> {
    return queryRows<T>(this.db, sql, this.db.shopDomain, JSON.stringify(list), ...more);
  }

  private productsIn(ids: readonly string[]): Promise<ProductRow[]> {
    return this.rowsIn<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM "Product" WHERE ${inShopAndJsonList(`"id"`)}`, ids);
  }

  private product(p: ProductRow): CatalogProduct {
    return { id: p.id, handle: p.handle, archived: isSet(p.archived), originId: p.originId, linkedIntegrationIds: NO_LINKS, values: NO_VALUES };
  }

  /** A variant row, and the identifier it matches by when it was loaded by one. */
  private addVariant(v: VariantRow, identifier?: string): void {
    const { slice } = this;
    let variant = slice.variants.get(v.id);
    if (!variant) {
      variant = {
        id: v.id,
        productId: v.productId,
        position: v.position,
        archived: isSet(v.archived),
        originId: v.originId,
        linkedIntegrationIds: NO_LINKS,
        values: NO_VALUES,
        sourceSku: v.sourceSku,
        sourceGtin: v.sourceGtin,
      } satisfies CatalogVariant;
      slice.variants.set(v.id, variant);
    }
    const siblings = slice.variantIdsByProduct.get(v.productId);
    if (siblings && !siblings.includes(v.id)) siblings.push(v.id);
    if (identifier) {
      const list = slice.variantsByIdentifier.get(identifier) ?? [];
      if (!list.includes(v.id)) slice.variantsByIdentifier.set(identifier, [...list, v.id]);
    }
  }
}
