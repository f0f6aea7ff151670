// Loads the part of the catalog a run can touch (the merge's CatalogSlice), batch by batch.
// Values are loaded only for records that need a look: a primary's record whose hash is unchanged
// since the last run costs one link lookup and no value reads.
import type { ShopDb, ShopTx } from "../db/scoped.server";
import {
  identifierOf,
  recordHash,
  valueKey,
  type CatalogProduct,
  type CatalogSlice,
  type CatalogVariant,
  type LinkState,
  type MergeIntegration,
} from "./merge";
import type { SourceRecord } from "./records";

/** Splits a list for `IN (…)` queries, keeping under the database's parameter limits. */
export function chunks<T>(items: readonly T[], size = 5000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toLink(l: { entityId: string; hash: string | null; sourceUpdatedAt: Date | null }): LinkState {
  return { entityId: l.entityId, hash: l.hash, sourceUpdatedAt: l.sourceUpdatedAt };
}

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
    const handles = await this.db.product.findMany({ select: { handle: true } });
    for (const h of handles) this.slice.takenHandles.add(h.handle);
    if (this.scope !== "full") return;
    const links = await this.db.externalLink.findMany({
      where: { integrationId: this.integration.id },
      select: { entityType: true, externalId: true, entityId: true, hash: true, sourceUpdatedAt: true },
    });
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

    // Records to look at in detail (secondaries always match afresh; see merge.ts).
    const needed = records.filter((r) => {
      if (this.integration.role !== "primary") return true;
      const link = slice.productLinks.get(r.externalId);
      const product = link && slice.products.get(link.entityId);
      return !(link && product && !product.archived && link.hash === recordHash(r));
    });
    if (needed.length === 0) return;

    const identifiers = new Set<string>();
    for (const r of needed) {
      for (const v of r.variants) {
        const id = identifierOf(v.fields, this.integration.matchBy);
        if (id && !this.identifiersLoaded.has(id)) identifiers.add(id);
      }
    }
    await this.loadByIdentifiers([...identifiers]);

    const detailProducts = new Set<string>();
    for (const r of needed) {
      const l = slice.productLinks.get(r.externalId);
      if (l) detailProducts.add(l.entityId);
      for (const v of r.variants) {
        const vl = slice.variantLinks.get(v.externalId);
        const variant = vl && slice.variants.get(vl.entityId);
        if (variant) detailProducts.add(variant.productId);
        const id = identifierOf(v.fields, this.integration.matchBy);
        for (const vid of (id && slice.variantsByIdentifier.get(id)) || []) detailProducts.add(slice.variants.get(vid)!.productId);
      }
    }
    await this.loadProductsWithVariants([...detailProducts]);
    await this.loadDetails([...detailProducts, ...[...detailProducts].flatMap((p) => slice.variantIdsByProduct.get(p) ?? [])]);
  }

  /** Products the source reported deleted, with their variants (to archive them). */
  async loadDeleted(externalIds: readonly string[]): Promise<void> {
    if (externalIds.length === 0) return;
    await this.loadLinks(externalIds.map((externalId) => ({ externalId, fields: {}, variants: [] })));
    const productIds = externalIds.map((id) => this.slice.productLinks.get(id)?.entityId).filter((id): id is string => !!id);
    await this.loadProductsWithVariants(productIds);
    await this.loadDetails(productIds.flatMap((p) => [p, ...(this.slice.variantIdsByProduct.get(p) ?? [])]));
  }

  private async loadLinks(records: readonly SourceRecord[]): Promise<void> {
    const productExt = records.map((r) => r.externalId).filter((id) => !this.slice.productLinks.has(id));
    const variantExt = records.flatMap((r) => r.variants.map((v) => v.externalId)).filter((id) => !this.slice.variantLinks.has(id));
    for (const [type, ids, target] of [
      ["product", productExt, this.slice.productLinks],
      ["variant", variantExt, this.slice.variantLinks],
    ] as const) {
      for (const part of chunks(ids)) {
        const links = await this.db.externalLink.findMany({
          where: { integrationId: this.integration.id, entityType: type, externalId: { in: part } },
          select: { externalId: true, entityId: true, hash: true, sourceUpdatedAt: true },
        });
        for (const l of links) target.set(l.externalId, toLink(l));
      }
    }
  }

  /** Product and variant rows (no values yet). */
  private async loadRows(productIds: string[], variantIds: string[]): Promise<void> {
    const { slice } = this;
    for (const part of chunks(productIds.filter((id) => !slice.products.has(id)))) {
      const rows = await this.db.product.findMany({ where: { id: { in: part } }, select: { id: true, handle: true, archivedAt: true, originId: true } });
      for (const p of rows) slice.products.set(p.id, this.product(p));
    }
    // Archiving a product archives its variants: a full run needs to know them all. (Loaded with
    // their products first, so the variants by id below are usually all there already.)
    const withoutVariants = [...slice.products.keys()].filter((id) => !slice.variantIdsByProduct.has(id));
    if (withoutVariants.length) await this.loadProductsWithVariants(withoutVariants);
    for (const part of chunks(variantIds.filter((id) => !slice.variants.has(id)))) {
      const rows = await this.db.variant.findMany({
        where: { id: { in: part } },
        select: { id: true, productId: true, position: true, archivedAt: true, originId: true },
      });
      for (const v of rows) this.addVariant(v);
    }
  }

  private async loadProductsWithVariants(productIds: string[]): Promise<void> {
    const { slice } = this;
    const todo = productIds.filter((id) => !slice.variantIdsByProduct.has(id));
    for (const part of chunks(todo.filter((id) => !slice.products.has(id)))) {
      const rows = await this.db.product.findMany({ where: { id: { in: part } }, select: { id: true, handle: true, archivedAt: true, originId: true } });
      for (const p of rows) slice.products.set(p.id, this.product(p));
    }
    for (const id of todo) slice.variantIdsByProduct.set(id, []);
    for (const part of chunks(todo)) {
      const rows = await this.db.variant.findMany({
        where: { productId: { in: part } },
        select: { id: true, productId: true, position: true, archivedAt: true, originId: true },
      });
      for (const v of rows) this.addVariant(v);
    }
  }

  private async loadByIdentifiers(identifiers: string[]): Promise<void> {
    const column = this.integration.matchBy === "sku" ? "sku" : "gtin";
    for (const part of chunks(identifiers)) {
      const rows = await this.db.variant.findMany({
        where: { [column]: { in: part } },
        select: { id: true, productId: true, position: true, archivedAt: true, originId: true, sku: true, gtin: true },
      });
      for (const v of rows) this.addVariant(v);
    }
    for (const id of identifiers) this.identifiersLoaded.add(id);
  }

  /** Values and cross-integration links of entities, for the ownership rules and the diff. */
  private async loadDetails(entityIds: string[]): Promise<void> {
    const { slice } = this;
    const todo = entityIds.filter((id) => !this.detailed.has(id));
    for (const part of chunks(todo)) {
      const [values, links] = await Promise.all([
        this.db.fieldValue.findMany({ where: { entityId: { in: part } }, select: { entityId: true, field: true, locale: true, value: true, sourceId: true } }),
        this.db.externalLink.findMany({ where: { entityId: { in: part } }, select: { entityId: true, integrationId: true } }),
      ]);
      for (const v of values) {
        const entity = slice.products.get(v.entityId) ?? slice.variants.get(v.entityId);
        entity?.values.set(valueKey(v.field, v.locale), { value: v.value, sourceId: v.sourceId });
      }
      for (const l of links) {
        const entity = slice.products.get(l.entityId) ?? slice.variants.get(l.entityId);
        (entity?.linkedIntegrationIds as Set<string> | undefined)?.add(l.integrationId);
      }
    }
    for (const id of todo) this.detailed.add(id);
  }

  private product(p: { id: string; handle: string; archivedAt: Date | null; originId: string | null }): CatalogProduct {
    return { id: p.id, handle: p.handle, archived: p.archivedAt !== null, originId: p.originId, linkedIntegrationIds: new Set(), values: new Map() };
  }

  private addVariant(v: {
    id: string;
    productId: string;
    position: number;
    archivedAt: Date | null;
    originId: string | null;
    sku?: string | null;
    gtin?: string | null;
  }): void {
    const { slice } = this;
    let variant = slice.variants.get(v.id);
    if (!variant) {
      variant = { id: v.id, productId: v.productId, position: v.position, archived: v.archivedAt !== null, originId: v.originId, linkedIntegrationIds: new Set(), values: new Map() } satisfies CatalogVariant;
      slice.variants.set(v.id, variant);
    }
    const siblings = slice.variantIdsByProduct.get(v.productId);
    if (siblings && !siblings.includes(v.id)) siblings.push(v.id);
    const identifier = this.integration.matchBy === "sku" ? v.sku : v.gtin;
    if (identifier) {
      const list = slice.variantsByIdentifier.get(identifier) ?? [];
      if (!list.includes(v.id)) slice.variantsByIdentifier.set(identifier, [...list, v.id]);
    }
  }
}
