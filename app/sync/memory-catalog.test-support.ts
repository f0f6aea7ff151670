// An in-memory catalog for testing the merge rules without a database: it builds slices the way
// the database loader does and applies change sets the way apply.server.ts does.
import type { FieldKey } from "../catalog/fields";
import type { OwnershipMap } from "../ownership/ownership";
import {
  emptyChangeSet,
  finishRun,
  identifierOf,
  mergeRecords,
  newRunState,
  valueKey,
  type CatalogSlice,
  type ChangeSet,
  type EntityType,
  type MatchBy,
  type MergeIntegration,
  type StoredValue,
} from "./merge";
import type { SourceRecord } from "./records";

interface Entity {
  id: string;
  archived: boolean;
  originId: string | null;
  values: Map<string, StoredValue>;
}

export class MemoryCatalog {
  products = new Map<string, Entity & { handle: string }>();
  variants = new Map<string, Entity & { productId: string; position: number; sourceSku: string | null; sourceGtin: string | null }>();
  /** integrationId → entityType → externalId → link */
  links = new Map<string, Map<EntityType, Map<string, { entityId: string; hash: string | null; sourceUpdatedAt: Date | null }>>>();
  ownership = new Map<FieldKey, string | null>();
  primaryId: string | null = null;
  private seq = 0;

  own(field: FieldKey, integrationId: string | null): this {
    this.ownership.set(field, integrationId);
    return this;
  }

  value(entityId: string, field: FieldKey, locale = ""): unknown {
    const entity = this.products.get(entityId) ?? this.variants.get(entityId);
    const stored = entity?.values.get(valueKey(field, locale));
    return stored ? JSON.parse(stored.value) : undefined;
  }

  source(entityId: string, field: FieldKey, locale = ""): string | null | undefined {
    const entity = this.products.get(entityId) ?? this.variants.get(entityId);
    return entity?.values.get(valueKey(field, locale))?.sourceId;
  }

  /** A manual edit, as the product page makes it. */
  edit(entityId: string, field: FieldKey, value: unknown, locale = ""): void {
    const entity = this.products.get(entityId) ?? this.variants.get(entityId);
    entity!.values.set(valueKey(field, locale), { value: JSON.stringify(value), sourceId: null });
  }

  variantBySku(sku: string) {
    return [...this.variants.values()].find((v) => this.value(v.id, "sku") === sku);
  }

  linkOf(integrationId: string, type: EntityType) {
    let byType = this.links.get(integrationId);
    if (!byType) this.links.set(integrationId, (byType = new Map()));
    let byId = byType.get(type);
    if (!byId) byType.set(type, (byId = new Map()));
    return byId;
  }

  slice(integration: MergeIntegration): CatalogSlice {
    const linked = (entityId: string) => {
      const ids = new Set<string>();
      for (const [integrationId, byType] of this.links) {
        for (const byId of byType.values()) for (const l of byId.values()) if (l.entityId === entityId) ids.add(integrationId);
      }
      return ids;
    };
    const variantsByIdentifier = new Map<string, string[]>();
    const variantIdsByProduct = new Map<string, string[]>();
    for (const v of this.variants.values()) {
      const raw = Object.fromEntries([...v.values].filter(([k]) => k.endsWith("|")).map(([k, sv]) => [k.slice(0, -1), JSON.parse(sv.value)]));
      const id = identifierOf(raw, integration.matchBy) ?? (integration.matchBy === "sku" ? v.sourceSku : v.sourceGtin);
      if (id) variantsByIdentifier.set(id, [...(variantsByIdentifier.get(id) ?? []), v.id]);
      variantIdsByProduct.set(v.productId, [...(variantIdsByProduct.get(v.productId) ?? []), v.id]);
    }
    return {
      products: new Map([...this.products].map(([id, p]) => [id, { ...p, values: new Map(p.values), linkedIntegrationIds: linked(id) }])),
      variants: new Map([...this.variants].map(([id, v]) => [id, { ...v, values: new Map(v.values), linkedIntegrationIds: linked(id) }])),
      productLinks: new Map(this.linkOf(integration.id, "product")),
      variantLinks: new Map(this.linkOf(integration.id, "variant")),
      variantsByIdentifier,
      variantIdsByProduct,
      takenHandles: new Set([...this.products.values()].map((p) => p.handle)),
    };
  }

  apply(changes: ChangeSet, integrationId: string): void {
    for (const p of changes.newProducts) this.products.set(p.id, { id: p.id, handle: p.handle, archived: false, originId: p.originId, values: new Map() });
    for (const v of changes.newVariants) {
      this.variants.set(v.id, { id: v.id, productId: v.productId, position: v.position, archived: false, originId: v.originId, values: new Map(), sourceSku: null, sourceGtin: null });
    }
    for (const s of changes.sourceIdentifiers) Object.assign(this.variants.get(s.variantId)!, { sourceSku: s.sku, sourceGtin: s.gtin });
    for (const m of changes.variantMoves) Object.assign(this.variants.get(m.id)!, { productId: m.productId, position: m.position });
    for (const a of changes.archive) (a.entityType === "product" ? this.products : this.variants).get(a.id)!.archived = true;
    for (const a of changes.unarchive) (a.entityType === "product" ? this.products : this.variants).get(a.id)!.archived = false;
    for (const w of changes.writes) {
      const entity = w.entityType === "product" ? this.products.get(w.entityId) : this.variants.get(w.entityId);
      if (w.newValue === null) entity!.values.delete(valueKey(w.field, w.locale));
      else entity!.values.set(valueKey(w.field, w.locale), { value: w.newValue, sourceId: integrationId });
    }
    for (const l of changes.links) this.linkOf(integrationId, l.entityType).set(l.externalId, { entityId: l.entityId, hash: l.hash, sourceUpdatedAt: l.sourceUpdatedAt });
    for (const u of changes.unlinks) this.linkOf(integrationId, u.entityType).delete(u.externalId);
  }

  /** One sync run: merge every record, finish, apply. */
  run(
    integration: { id: string; role: "primary" | "secondary"; matchBy?: MatchBy; createUnmatched?: boolean },
    records: SourceRecord[],
    options: { scope?: "full" | "partial"; deleted?: string[] } = {},
  ): ChangeSet {
    const full: MergeIntegration = { matchBy: "sku", createUnmatched: false, ...integration };
    const ctx = { integration: full, primaryId: this.primaryId, ownership: this.ownership as OwnershipMap, newId: () => `id${++this.seq}` };
    const slice = this.slice(full);
    const state = newRunState(options.scope ?? "full");
    const out = mergeRecords(records, ctx, slice, state, emptyChangeSet());
    finishRun(ctx, slice, state, out, options.deleted);
    this.apply(out, full.id);
    return out;
  }
}
