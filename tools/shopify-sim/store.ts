// Per-shop catalog state and the operations that change it (seeding, control-API edits).
// Everything here is synchronous and side-effect free apart from the records it changes; the
// simulator (sim.ts) adds webhooks and statistics on top.
import {
  PLACEHOLDER_ORIGIN,
  gramsToWeight,
  isoSeconds,
  parseGid,
  parseTags,
  resolveCategory,
  slugify,
  variantTitle,
  weightToGrams,
  type ImageRecord,
  type MetafieldRecord,
  type OptionRecord,
  type ProductRecord,
  type ProductStatus,
  type SeedProduct,
  type SeedVariant,
  type VariantRecord,
  type Weight,
  type WeightUnit,
} from "./model.ts";

export class SimInputError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = "SimInputError";
  }
}

/** Id counters; start values look like real Shopify ids (and exceed 32 bits, as Shopify's do). */
export class IdGenerator {
  private counters: Record<string, number> = {
    Product: 7_400_000_000_000,
    ProductVariant: 42_800_000_000_000,
    InventoryItem: 44_900_000_000_000,
    MediaImage: 31_500_000_000_000,
    ProductImage: 38_200_000_000_000,
    Metafield: 26_100_000_000_000,
    ProductOption: 9_300_000_000,
    ProductOptionValue: 4_100_000_000,
    BulkOperation: 5_200_000_000,
    Shop: 61_000_000_000,
  };
  next(type: string): number {
    const n = (this.counters[type] ?? 1_000_000) + 1;
    this.counters[type] = n;
    return n;
  }
}

export interface ShopStats {
  graphqlRequests: number;
  throttled: number;
  maxCostExceeded: number;
  requestedCost: number;
  actualCost: number;
  bulkOperations: number;
  tokenExchanges: number;
  tokenRefreshes: number;
  unauthorized: number;
  webhooksSent: number;
}

export interface ShopState {
  domain: string;
  id: number;
  name: string;
  email: string;
  currencyCode: string;
  createdAt: string;
  installed: boolean;
  installedAt: string | null;
  uninstalledAt: string | null;
  products: Map<number, ProductRecord>;
  variants: Map<number, VariantRecord>;
  handles: Map<string, number>;
  /** Shop-owned metafields. */
  metafields: MetafieldRecord[];
  bucket: { available: number; at: number };
  stats: ShopStats;
}

export function newStats(): ShopStats {
  return {
    graphqlRequests: 0,
    throttled: 0,
    maxCostExceeded: 0,
    requestedCost: 0,
    actualCost: 0,
    bulkOperations: 0,
    tokenExchanges: 0,
    tokenRefreshes: 0,
    unauthorized: 0,
    webhooksSent: 0,
  };
}

export function shopNameFromDomain(domain: string): string {
  const sub = domain.replace(/\.myshopify\.com$/i, "").split(".")[0] ?? domain;
  return sub
    .split(/[-_]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

const SHOP_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.(com|io)$/;

export function validShopDomain(domain: string): boolean {
  return SHOP_DOMAIN.test(domain);
}

export interface Clock {
  now(): number;
}

export interface StoreContext {
  ids: IdGenerator;
  clock: Clock;
  /** The simulator's public origin (placeholder image URLs are rewritten to it). */
  origin: string;
}

function rewriteUrl(src: string, origin: string): string {
  return src.startsWith(PLACEHOLDER_ORIGIN + "/") ? origin + src.slice(PLACEHOLDER_ORIGIN.length) : src;
}

function uniqueHandle(shop: ShopState, wanted: string, ownId?: number): string {
  const base = slugify(wanted);
  let handle = base;
  let n = 1;
  for (;;) {
    const owner = shop.handles.get(handle);
    if (owner === undefined || owner === ownId) return handle;
    handle = `${base}-${n++}`;
  }
}

function buildOptions(ctx: StoreContext, names: string[], variants: Array<{ optionValues: string[] }>): OptionRecord[] {
  return names.map((name, i) => {
    const values: string[] = [];
    for (const v of variants) {
      const value = v.optionValues[i];
      if (value !== undefined && !values.includes(value)) values.push(value);
    }
    return {
      kind: "ProductOption",
      id: ctx.ids.next("ProductOption"),
      name,
      position: i + 1,
      values: values.map((value) => ({ kind: "ProductOptionValue", id: ctx.ids.next("ProductOptionValue"), name: value })),
    };
  });
}

/** Re-derives option values from the variants, keeping ids of values that still exist. */
function syncOptionValues(ctx: StoreContext, product: ProductRecord): void {
  product.options.forEach((option, i) => {
    const used: string[] = [];
    for (const v of product.variants) {
      const value = v.optionValues[i];
      if (value !== undefined && !used.includes(value)) used.push(value);
    }
    const kept = option.values.filter((ov) => used.includes(ov.name));
    for (const name of used) {
      if (!kept.some((ov) => ov.name === name)) kept.push({ kind: "ProductOptionValue", id: ctx.ids.next("ProductOptionValue"), name });
    }
    option.values = kept;
  });
}

function makeMetafield(
  ctx: StoreContext,
  ownerType: MetafieldRecord["ownerType"],
  ownerId: number,
  m: { namespace: string; key: string; type: string; value: string },
  at: string,
): MetafieldRecord {
  return {
    kind: "Metafield",
    id: ctx.ids.next("Metafield"),
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
    createdAt: at,
    updatedAt: at,
    ownerType,
    ownerId,
  };
}

function makeVariant(
  ctx: StoreContext,
  productId: number,
  seed: SeedVariant,
  position: number,
  at: string,
  images: ImageRecord[],
): VariantRecord {
  const id = ctx.ids.next("ProductVariant");
  const imageSrc = seed.imageSrc ? rewriteUrl(seed.imageSrc, ctx.origin) : null;
  const variant: VariantRecord = {
    kind: "ProductVariant",
    id,
    productId,
    inventoryItemId: ctx.ids.next("InventoryItem"),
    title: variantTitle(seed.options),
    sku: seed.sku,
    barcode: seed.barcode,
    position,
    price: seed.price,
    compareAtPrice: seed.compareAtPrice,
    taxable: seed.taxable,
    inventoryQuantity: seed.inventoryQuantity,
    inventoryPolicy: "DENY",
    tracked: true,
    countryCodeOfOrigin: seed.countryCodeOfOrigin ?? null,
    harmonizedSystemCode: seed.harmonizedSystemCode ?? null,
    optionValues: [...seed.options],
    weight: seed.grams == null ? null : gramsToWeight(seed.grams, seed.weightUnit),
    imageId: imageSrc ? (images.find((i) => i.url === imageSrc)?.id ?? null) : null,
    createdAt: at,
    updatedAt: at,
    metafields: [],
  };
  variant.metafields = seed.metafields.map((m) => makeMetafield(ctx, "PRODUCTVARIANT", id, m, at));
  return variant;
}

function makeImages(ctx: StoreContext, productId: number, images: SeedProduct["images"], at: string): ImageRecord[] {
  return images.map((img, i) => {
    const url = rewriteUrl(img.src, ctx.origin);
    const generated = url !== img.src;
    return {
      kind: "MediaImage",
      id: ctx.ids.next("MediaImage"),
      imageId: ctx.ids.next("ProductImage"),
      productId,
      url,
      altText: img.alt,
      width: generated ? 800 : null,
      height: generated ? 1000 : null,
      position: i + 1,
      createdAt: at,
      updatedAt: at,
    };
  });
}

function indexProduct(shop: ShopState, product: ProductRecord): void {
  shop.products.set(product.id, product);
  shop.handles.set(product.handle, product.id);
  for (const v of product.variants) shop.variants.set(v.id, v);
}

/** Creates the records of one seed product in a shop. `createdMs`/`updatedMs` date them. */
function addSeedProduct(
  shop: ShopState,
  ctx: StoreContext,
  seed: SeedProduct,
  createdMs: number,
  updatedMs: number,
): ProductRecord {
  const created = isoSeconds(createdMs);
  const updated = isoSeconds(updatedMs);
  const id = ctx.ids.next("Product");
  const images = makeImages(ctx, id, seed.images, created);
  const variants = seed.variants.map((v, i) => makeVariant(ctx, id, v, i + 1, created, images));
  for (const v of variants) v.updatedAt = updated;
  const product: ProductRecord = {
    kind: "Product",
    id,
    title: seed.title,
    handle: uniqueHandle(shop, seed.handle),
    descriptionHtml: seed.descriptionHtml,
    vendor: seed.vendor,
    productType: seed.productType,
    tags: [...seed.tags],
    status: seed.status,
    category: seed.category ? { ...seed.category } : null,
    options: buildOptions(ctx, seed.optionNames, variants),
    variants,
    images,
    metafields: [],
    seoTitle: seed.seoTitle,
    seoDescription: seed.seoDescription,
    createdAt: created,
    updatedAt: updated,
    publishedAt: seed.status === "ACTIVE" ? created : null,
  };
  product.metafields = seed.metafields.map((m) => makeMetafield(ctx, "PRODUCT", id, m, created));
  indexProduct(shop, product);
  return product;
}

/** Copies a seed catalog into a freshly installed shop, dated in the past so it looks lived-in. */
export function seedShop(shop: ShopState, ctx: StoreContext, seed: SeedProduct[]): void {
  const now = ctx.clock.now();
  const base = Date.UTC(2025, 0, 15, 9, 0, 0);
  seed.forEach((p, i) => {
    const created = Math.min(base + i * 3_600_000, now - 60_000);
    const updated = Math.min(created + 86_400_000, now - 1000);
    addSeedProduct(shop, ctx, p, created, updated);
  });
}

// ---------------------------------------------------------------------------------------------
// Control-API inputs

export interface VariantInput {
  options?: string[];
  sku?: string | null;
  barcode?: string | null;
  price?: string | number;
  compareAtPrice?: string | number | null;
  grams?: number | null;
  weight?: Weight | null;
  weightUnit?: WeightUnit;
  inventoryQuantity?: number;
  taxable?: boolean;
  /** ISO 3166-1 alpha-2 country code of origin (inventory item). */
  countryCodeOfOrigin?: string | null;
  harmonizedSystemCode?: string | null;
}

export interface VariantSelector {
  /** Numeric id or gid. */
  id?: number | string;
  position?: number;
  /** Selects the variant whose current SKU is this. */
  matchSku?: string;
}

export type VariantPatch = VariantInput & VariantSelector;

export interface ProductInput {
  title: string;
  handle?: string;
  descriptionHtml?: string;
  vendor?: string;
  productType?: string;
  tags?: string[] | string;
  status?: string;
  /** Category full name ("Apparel & Accessories > …"), taxonomy id or gid; null clears it. */
  category?: string | null;
  /** Option names; default `["Title"]` (single default variant). */
  options?: string[];
  variants?: VariantInput[];
  images?: Array<{ src: string; alt?: string | null }>;
}

export interface ProductPatch {
  title?: string;
  handle?: string;
  descriptionHtml?: string;
  vendor?: string;
  productType?: string;
  tags?: string[] | string;
  status?: string;
  category?: string | null;
  /** Replaces the product's images. */
  images?: Array<{ src: string; alt?: string | null }>;
  /** Changes existing variants (selected by id, position or current SKU). */
  variants?: VariantPatch[];
  addVariants?: VariantInput[];
  removeVariants?: VariantSelector[];
}

function parseStatus(status: string): ProductStatus {
  const s = status.toUpperCase();
  if (s === "ACTIVE" || s === "DRAFT" || s === "ARCHIVED" || s === "UNLISTED") return s;
  throw new SimInputError(`Unknown status "${status}" (ACTIVE, DRAFT, ARCHIVED or UNLISTED).`);
}

function parseMoney(value: string | number, field: string): string {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new SimInputError(`${field} must be a non-negative amount.`);
  return n.toFixed(2);
}

const WEIGHT_UNITS: WeightUnit[] = ["GRAMS", "KILOGRAMS", "OUNCES", "POUNDS"];

function weightFromInput(input: VariantInput, current: Weight | null): Weight | null {
  if (input.weight !== undefined) {
    if (input.weight === null) return null;
    if (!WEIGHT_UNITS.includes(input.weight.unit) || !Number.isFinite(input.weight.value) || input.weight.value < 0) {
      throw new SimInputError("weight must be {value: number >= 0, unit: GRAMS|KILOGRAMS|OUNCES|POUNDS}.");
    }
    return { value: input.weight.value, unit: input.weight.unit };
  }
  if (input.grams !== undefined) {
    if (input.grams === null) return null;
    if (!Number.isFinite(input.grams) || input.grams < 0) throw new SimInputError("grams must be a number >= 0.");
    return gramsToWeight(input.grams, input.weightUnit ?? current?.unit ?? "GRAMS");
  }
  if (input.weightUnit && current) return gramsToWeight(weightToGrams(current), input.weightUnit);
  return current;
}

function seedVariantFromInput(input: VariantInput, optionCount: number, defaultOnly: boolean): SeedVariant {
  const options = defaultOnly ? ["Default Title"] : (input.options ?? []);
  if (!defaultOnly && options.length !== optionCount) {
    throw new SimInputError(`Each variant needs ${optionCount} option value(s), got ${JSON.stringify(input.options ?? [])}.`);
  }
  const weight = weightFromInput(input, null);
  return {
    options: options.map(String),
    sku: input.sku ?? null,
    barcode: input.barcode ?? null,
    grams: weight ? weightToGrams(weight) : null,
    weightUnit: weight?.unit ?? input.weightUnit ?? "GRAMS",
    price: input.price !== undefined ? parseMoney(input.price, "price") : "0.00",
    compareAtPrice: input.compareAtPrice != null ? parseMoney(input.compareAtPrice, "compareAtPrice") : null,
    inventoryQuantity: input.inventoryQuantity ?? 0,
    taxable: input.taxable ?? true,
    imageSrc: null,
    metafields: [],
    countryCodeOfOrigin: input.countryCodeOfOrigin ?? null,
    harmonizedSystemCode: input.harmonizedSystemCode ?? null,
  };
}

function checkUniqueCombos(variants: Array<{ optionValues: string[] }>): void {
  const seen = new Set<string>();
  for (const v of variants) {
    const key = v.optionValues.join("\u0000").toLowerCase();
    if (seen.has(key)) throw new SimInputError(`Two variants would have the same options "${variantTitle(v.optionValues)}".`);
    seen.add(key);
  }
}

export function createProduct(shop: ShopState, ctx: StoreContext, input: ProductInput): ProductRecord {
  if (!input || typeof input.title !== "string" || !input.title.trim()) throw new SimInputError("title is required.");
  const optionNames = input.options?.length ? input.options.map(String) : ["Title"];
  if (optionNames.length > 3) throw new SimInputError("A product has at most 3 options.");
  const defaultOnly = optionNames.length === 1 && optionNames[0] === "Title";
  const variantInputs = input.variants?.length ? input.variants : [{}];
  if (defaultOnly && variantInputs.length > 1) throw new SimInputError("Give option names to create more than one variant.");
  const seedVariants = variantInputs.map((v) => seedVariantFromInput(v, optionNames.length, defaultOnly));
  checkUniqueCombos(seedVariants.map((v) => ({ optionValues: v.options })));
  const seed: SeedProduct = {
    handle: input.handle ? slugify(input.handle) : slugify(input.title),
    title: input.title.trim(),
    descriptionHtml: input.descriptionHtml ?? "",
    vendor: input.vendor ?? "",
    productType: input.productType ?? "",
    category: input.category ? resolveCategory(input.category) : null,
    tags: input.tags ? parseTags(input.tags) : [],
    status: input.status ? parseStatus(input.status) : "ACTIVE",
    optionNames,
    variants: seedVariants,
    images: (input.images ?? []).map((img, i) => ({ src: img.src, alt: img.alt ?? null, position: i + 1 })),
    metafields: [],
    seoTitle: null,
    seoDescription: null,
  };
  if (input.handle && shop.handles.has(seed.handle)) {
    throw new SimInputError(`Handle "${seed.handle}" is already taken.`, 409);
  }
  const now = ctx.clock.now();
  return addSeedProduct(shop, ctx, seed, now, now);
}

function findVariant(product: ProductRecord, selector: VariantSelector): VariantRecord | undefined {
  if (selector.id !== undefined) {
    const id = typeof selector.id === "number" ? selector.id : (parseGid(selector.id)?.id ?? Number(selector.id));
    return product.variants.find((v) => v.id === id);
  }
  if (selector.position !== undefined) return product.variants.find((v) => v.position === selector.position);
  if (selector.matchSku !== undefined) return product.variants.find((v) => v.sku === selector.matchSku);
  return undefined;
}

/** Sets `target[key]` unless it already holds an equal value (compared as JSON); true when it changed. */
export function assignIfChanged<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): boolean {
  if (JSON.stringify(target[key]) === JSON.stringify(value)) return false;
  target[key] = value;
  return true;
}

function describeSelector(s: VariantSelector): string {
  if (s.id !== undefined) return `id ${s.id}`;
  if (s.position !== undefined) return `position ${s.position}`;
  if (s.matchSku !== undefined) return `SKU "${s.matchSku}"`;
  return "no selector (give id, position or matchSku)";
}

/**
 * Applies a control-API patch. Returns true when something changed (then `updatedAt` of the
 * product and of changed variants is set to now). Throws SimInputError before changing anything
 * when the patch is invalid.
 */
export function editProduct(shop: ShopState, ctx: StoreContext, product: ProductRecord, patch: ProductPatch): boolean {
  const now = isoSeconds(ctx.clock.now());
  // Validate everything first (all or nothing).
  const variantChanges = (patch.variants ?? []).map((vp) => {
    const variant = findVariant(product, vp);
    if (!variant) throw new SimInputError(`No variant with ${describeSelector(vp)} in product "${product.handle}".`, 404);
    return { variant, vp, weight: weightFromInput(vp, variant.weight) };
  });
  const removals = (patch.removeVariants ?? []).map((sel) => {
    const variant = findVariant(product, sel);
    if (!variant) throw new SimInputError(`No variant with ${describeSelector(sel)} in product "${product.handle}".`, 404);
    return variant;
  });
  const defaultOnly = product.options.length === 1 && product.options[0]!.name === "Title";
  const additions = (patch.addVariants ?? []).map((v) => {
    if (defaultOnly) throw new SimInputError("This product only has the default variant; it has no options to add variants with.");
    return seedVariantFromInput(v, product.options.length, false);
  });
  if (removals.length && removals.length >= product.variants.length && additions.length === 0) {
    throw new SimInputError("A product keeps at least one variant.");
  }
  const projected = product.variants
    .filter((v) => !removals.includes(v))
    .map((v) => {
      const change = variantChanges.find((c) => c.variant === v);
      return { optionValues: change?.vp.options ? change.vp.options.map(String) : v.optionValues };
    })
    .concat(additions.map((a) => ({ optionValues: a.options })));
  for (const c of variantChanges) {
    if (c.vp.options && defaultOnly) throw new SimInputError("This product only has the default variant; it has no options to change.");
    if (c.vp.options && c.vp.options.length !== product.options.length) {
      throw new SimInputError(`Variant ${describeSelector(c.vp)} needs ${product.options.length} option value(s).`);
    }
  }
  checkUniqueCombos(projected);
  const newHandle = patch.handle !== undefined ? slugify(patch.handle) : undefined;
  if (newHandle !== undefined && newHandle !== product.handle && shop.handles.has(newHandle)) {
    throw new SimInputError(`Handle "${newHandle}" is already taken.`, 409);
  }
  const status = patch.status !== undefined ? parseStatus(patch.status) : undefined;
  const price = (v: VariantPatch) => (v.price !== undefined ? parseMoney(v.price, "price") : undefined);

  let changed = false;
  const set = <K extends keyof ProductRecord>(key: K, value: ProductRecord[K]) => {
    if (assignIfChanged(product, key, value)) changed = true;
  };
  if (patch.title !== undefined) set("title", patch.title);
  if (newHandle !== undefined && newHandle !== product.handle) {
    shop.handles.delete(product.handle);
    product.handle = newHandle;
    shop.handles.set(newHandle, product.id);
    changed = true;
  }
  if (patch.descriptionHtml !== undefined) set("descriptionHtml", patch.descriptionHtml);
  if (patch.vendor !== undefined) set("vendor", patch.vendor);
  if (patch.productType !== undefined) set("productType", patch.productType);
  if (patch.tags !== undefined) set("tags", parseTags(patch.tags));
  if (status !== undefined) {
    if (status !== product.status && status === "ACTIVE" && !product.publishedAt) product.publishedAt = now;
    set("status", status);
  }
  if (patch.category !== undefined) set("category", patch.category ? resolveCategory(patch.category) : null);
  if (patch.images !== undefined) {
    const images = makeImages(
      ctx,
      product.id,
      patch.images.map((img, i) => ({ src: img.src, alt: img.alt ?? null, position: i + 1 })),
      now,
    );
    const same =
      images.length === product.images.length &&
      images.every((img, i) => img.url === product.images[i]!.url && img.altText === product.images[i]!.altText);
    if (!same) {
      product.images = images;
      for (const v of product.variants) if (v.imageId && !images.some((i) => i.id === v.imageId)) v.imageId = null;
      changed = true;
    }
  }

  for (const { variant, vp, weight } of variantChanges) {
    let variantChanged = false;
    const assign = <K extends keyof VariantRecord>(key: K, value: VariantRecord[K]) => {
      if (assignIfChanged(variant, key, value)) variantChanged = true;
    };
    if (vp.sku !== undefined) assign("sku", vp.sku);
    if (vp.barcode !== undefined) assign("barcode", vp.barcode);
    const p = price(vp);
    if (p !== undefined) assign("price", p);
    if (vp.compareAtPrice !== undefined) {
      assign("compareAtPrice", vp.compareAtPrice === null ? null : parseMoney(vp.compareAtPrice, "compareAtPrice"));
    }
    if (vp.inventoryQuantity !== undefined) assign("inventoryQuantity", Math.trunc(vp.inventoryQuantity));
    if (vp.taxable !== undefined) assign("taxable", vp.taxable);
    if (vp.countryCodeOfOrigin !== undefined) assign("countryCodeOfOrigin", vp.countryCodeOfOrigin?.toUpperCase() ?? null);
    if (vp.harmonizedSystemCode !== undefined) assign("harmonizedSystemCode", vp.harmonizedSystemCode);
    assign("weight", weight);
    if (vp.options && !defaultOnly) {
      assign("optionValues", vp.options.map(String));
      assign("title", variantTitle(variant.optionValues));
    }
    if (variantChanged) {
      variant.updatedAt = now;
      changed = true;
    }
  }
  if (removals.length) {
    product.variants = product.variants.filter((v) => !removals.includes(v));
    for (const v of removals) shop.variants.delete(v.id);
    changed = true;
  }
  for (const seed of additions) {
    const v = makeVariant(ctx, product.id, seed, 0, now, product.images);
    product.variants.push(v);
    shop.variants.set(v.id, v);
    changed = true;
  }
  if (removals.length || additions.length) product.variants.forEach((v, i) => (v.position = i + 1));
  if (changed) {
    syncOptionValues(ctx, product);
    product.updatedAt = now;
  }
  return changed;
}

export function deleteProduct(shop: ShopState, product: ProductRecord): void {
  shop.products.delete(product.id);
  if (shop.handles.get(product.handle) === product.id) shop.handles.delete(product.handle);
  for (const v of product.variants) shop.variants.delete(v.id);
}

/** Finds a product by numeric id, gid or handle. */
export function findProduct(shop: ShopState, ref: string | number): ProductRecord | undefined {
  if (typeof ref === "number") return shop.products.get(ref);
  const parsed = parseGid(ref);
  if (parsed) return parsed.type === "Product" ? shop.products.get(parsed.id) : undefined;
  if (/^\d+$/.test(ref)) {
    const byId = shop.products.get(Number(ref));
    if (byId) return byId;
  }
  const id = shop.handles.get(ref);
  return id === undefined ? undefined : shop.products.get(id);
}

export { syncOptionValues, makeMetafield };
