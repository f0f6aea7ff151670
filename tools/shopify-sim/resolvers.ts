// Resolvers of the implemented part of the Admin API. The keys of RESOLVERS are the contract:
// a field that has no resolver here is rejected before execution with a clear error
// (see notImplementedErrors in graphql.ts), so nothing silently returns made-up data.
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from "graphql";
import {
  Connection,
  compareKeys,
  encodeCursor,
  validatePageArgs,
  type KeyCompare,
  type PageArgs,
  type SortKey,
} from "./connection.ts";
import type { Args, FieldResolver, ResolverContext, TypeResolvers } from "./context.ts";
import { compareDigestOf, jsonValueOf, resolveNamespace } from "./metafields.ts";
import {
  gid,
  parseGid,
  stripHtml,
  type ImageRecord,
  type MetafieldRecord,
  type OptionRecord,
  type OptionValueRecord,
  type ProductRecord,
  type VariantRecord,
} from "./model.ts";
import { MUTATION_RESOLVERS, inputLimit } from "./mutations.ts";
import { compileProductSearch, compileVariantSearch } from "./search.ts";
import type { ShopState } from "./store.ts";

// ---------------------------------------------------------------------------------------------
// Small wrappers for types that have no record of their own

interface ShopNode {
  kind: "Shop";
  shop: ShopState;
}
interface DomainNode {
  kind: "Domain";
  shop: ShopState;
}
interface InventoryItemNode {
  kind: "InventoryItem";
  variant: VariantRecord;
}
interface MeasurementNode {
  kind: "InventoryItemMeasurement";
  variant: VariantRecord;
}
interface EdgeNode {
  kind: "Edge";
  connection: Connection<unknown>;
  node: unknown;
}

function invalidGlobalId(value: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${value}'`, {
    extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" },
  });
}

function requireGid(value: unknown): { type: string; id: number } {
  const parsed = typeof value === "string" ? parseGid(value) : null;
  if (!parsed) throw invalidGlobalId(String(value));
  return parsed;
}

function connection<T>(
  ctx: ResolverContext,
  items: T[],
  args: Args,
  keyOf: (item: T) => SortKey,
  compare: KeyCompare = compareKeys,
): Connection<T> {
  if (ctx.bulk) return new Connection(items, {}, keyOf, compare);
  const pageArgs = args as PageArgs;
  validatePageArgs(pageArgs);
  return new Connection(items, pageArgs, keyOf, compare);
}

function sortWith<T>(items: T[], keyOf: (item: T) => SortKey, reverse: boolean): { items: T[]; compare: KeyCompare } {
  const compare: KeyCompare = reverse ? (a, b) => -compareKeys(a, b) : compareKeys;
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  keyed.sort((a, b) => compare(a.key, b.key));
  return { items: keyed.map((k) => k.item), compare };
}

function dateValue(iso: string | null): number | null {
  return iso ? Date.parse(iso) : null;
}

const PRODUCT_SORT: Record<string, (p: ProductRecord) => string | number | null> = {
  ID: () => null,
  RELEVANCE: () => null,
  TITLE: (p) => p.title.toLowerCase(),
  VENDOR: (p) => p.vendor.toLowerCase(),
  PRODUCT_TYPE: (p) => p.productType.toLowerCase(),
  CREATED_AT: (p) => dateValue(p.createdAt),
  UPDATED_AT: (p) => dateValue(p.updatedAt),
  PUBLISHED_AT: (p) => dateValue(p.publishedAt),
  INVENTORY_TOTAL: (p) => p.variants.reduce((s, v) => s + v.inventoryQuantity, 0),
};

const VARIANT_SORT: Record<string, (v: VariantRecord, p: ProductRecord | undefined) => string | number | null> = {
  POSITION: (v) => v.position,
  ID: () => null,
  RELEVANCE: () => null,
  SKU: (v) => (v.sku ?? "").toLowerCase(),
  TITLE: (v) => v.title.toLowerCase(),
  NAME: (v, p) => `${p?.title ?? ""} - ${v.title}`.toLowerCase(),
  FULL_TITLE: (v, p) => `${p?.title ?? ""} - ${v.title}`.toLowerCase(),
  INVENTORY_QUANTITY: (v) => v.inventoryQuantity,
  INVENTORY_LEVELS_AVAILABLE: (v) => v.inventoryQuantity,
  INVENTORY_POLICY: (v) => v.inventoryPolicy,
  INVENTORY_MANAGEMENT: () => null,
  POPULAR: () => null,
};

function productConnection(ctx: ResolverContext, args: Args, info?: GraphQLResolveInfo): Connection<ProductRecord> {
  const query = (args["query"] as string | null | undefined) ?? null;
  const search = compileProductSearch(query);
  if (search.warnings.length && query) ctx.searchWarnings.push({ path: responsePathAsArray(info?.path), query, warnings: search.warnings });
  const all = [...ctx.shop.products.values()].filter(search.matches);
  const sortKey = (args["sortKey"] as string | undefined) ?? "ID";
  const value = PRODUCT_SORT[sortKey] ?? PRODUCT_SORT["ID"]!;
  const keyOf = (p: ProductRecord): SortKey => ({ id: p.id, value: value(p) });
  const { items, compare } = sortWith(all, keyOf, args["reverse"] === true);
  return connection(ctx, items, args, keyOf, compare);
}

function variantConnection(
  ctx: ResolverContext,
  variants: VariantRecord[],
  args: Args,
  defaultSort: string,
): Connection<VariantRecord> {
  const sortKey = (args["sortKey"] as string | undefined) ?? defaultSort;
  const value = VARIANT_SORT[sortKey] ?? VARIANT_SORT["ID"]!;
  const keyOf = (v: VariantRecord): SortKey => ({ id: v.id, value: value(v, ctx.shop.products.get(v.productId)) });
  const { items, compare } = sortWith(variants, keyOf, args["reverse"] === true);
  return connection(ctx, items, args, keyOf, compare);
}

function byPosition<T extends { id: number; position: number }>(ctx: ResolverContext, items: T[], args: Args) {
  const keyOf = (x: T): SortKey => ({ id: x.id, value: x.position });
  const { items: sorted, compare } = sortWith(items, keyOf, args["reverse"] === true);
  return connection(ctx, sorted, args, keyOf, compare);
}

// ---------------------------------------------------------------------------------------------
// Metafields on owners

function splitKey(namespace: unknown, key: string, appId: number): { namespace: string; key: string } {
  if (typeof namespace === "string") return { namespace: resolveNamespace(namespace, appId), key };
  const dot = key.indexOf(".");
  if (dot > 0) return { namespace: resolveNamespace(key.slice(0, dot), appId), key: key.slice(dot + 1) };
  return { namespace: resolveNamespace(null, appId), key };
}

const metafieldField: FieldResolver<{ metafields: MetafieldRecord[] }> = (owner, args, ctx) => {
  const { namespace, key } = splitKey(args["namespace"], String(args["key"]), ctx.services.appId);
  return owner.metafields.find((m) => m.namespace === namespace && m.key === key) ?? null;
};

const metafieldsField: FieldResolver<{ metafields: MetafieldRecord[] }> = (owner, args, ctx) => {
  let list = owner.metafields;
  if (typeof args["namespace"] === "string") {
    const ns = resolveNamespace(args["namespace"], ctx.services.appId);
    list = list.filter((m) => m.namespace === ns);
  }
  if (Array.isArray(args["keys"])) {
    const wanted = (args["keys"] as string[]).map((k) => {
      const s = splitKey(undefined, k, ctx.services.appId);
      return `${s.namespace}.${s.key}`;
    });
    list = list.filter((m) => wanted.includes(`${m.namespace}.${m.key}`));
  }
  const keyOf = (m: MetafieldRecord): SortKey => ({ id: m.id, value: null });
  const { items, compare } = sortWith(list, keyOf, args["reverse"] === true);
  return connection(ctx, items, args, keyOf, compare);
};

// ---------------------------------------------------------------------------------------------
// Node lookup

function findNode(ctx: ResolverContext, id: string): unknown {
  const { type, id: n } = requireGid(id);
  const shop = ctx.shop;
  switch (type) {
    case "Product":
      return shop.products.get(n) ?? null;
    case "ProductVariant":
      return shop.variants.get(n) ?? null;
    case "InventoryItem": {
      for (const v of shop.variants.values()) if (v.inventoryItemId === n) return { kind: "InventoryItem", variant: v };
      return null;
    }
    case "MediaImage": {
      for (const p of shop.products.values()) {
        const img = p.images.find((i) => i.id === n);
        if (img) return img;
      }
      return null;
    }
    case "Metafield": {
      const own = shop.metafields.find((x) => x.id === n);
      if (own) return own;
      for (const p of shop.products.values()) {
        const m = p.metafields.find((x) => x.id === n) ?? p.variants.flatMap((v) => v.metafields).find((x) => x.id === n);
        if (m) return m;
      }
      return null;
    }
    case "ProductOption": {
      for (const p of shop.products.values()) {
        const o = p.options.find((x) => x.id === n);
        if (o) return o;
      }
      return null;
    }
    case "BulkOperation":
      return ctx.services.bulk.get(shop, n) ?? null;
    case "Shop":
      return n === shop.id ? { kind: "Shop", shop } : null;
    default:
      return null;
  }
}

function metafieldOwner(ctx: ResolverContext, m: MetafieldRecord): unknown {
  if (m.ownerType === "SHOP") return { kind: "Shop", shop: ctx.shop };
  return m.ownerType === "PRODUCT" ? ctx.shop.products.get(m.ownerId) : ctx.shop.variants.get(m.ownerId);
}

function money(amount: string, ctx: ResolverContext) {
  return { amount, currencyCode: ctx.shop.currencyCode };
}

function count(n: number, limit?: unknown) {
  const max = typeof limit === "number" ? limit : null;
  if (max !== null && n > max) return { count: max, precision: "AT_LEAST" };
  return { count: n, precision: "EXACT" };
}

function isDefaultOnly(p: ProductRecord): boolean {
  return p.options.length === 1 && p.options[0]!.name === "Title" && p.variants.length === 1;
}

// ---------------------------------------------------------------------------------------------
// Resolvers by type

const plain = (...fields: string[]): TypeResolvers =>
  Object.fromEntries(fields.map((f) => [f, (src: Record<string, unknown>) => src[f] ?? null]));

function connectionResolvers(connectionType: string, edgeType: string): Record<string, TypeResolvers> {
  return {
    [connectionType]: {
      edges: (c: Connection<unknown>): EdgeNode[] =>
        c.page().items.map((node) => ({ kind: "Edge", connection: c, node })),
      nodes: (c: Connection<unknown>) => c.page().items,
      pageInfo: (c: Connection<unknown>) => c.pageInfo,
    },
    [edgeType]: {
      cursor: (e: EdgeNode) => e.connection.cursorOf(e.node),
      node: (e: EdgeNode) => e.node,
    },
  };
}

const QueryRoot: TypeResolvers = {
  shop: (_s, _a, ctx): ShopNode => ({ kind: "Shop", shop: ctx.shop }),
  shopLocales: (_s, args) => {
    const locales = [
      { locale: "en", name: "English", primary: true, published: true },
      { locale: "de", name: "German", primary: false, published: true },
      { locale: "fr", name: "French", primary: false, published: false },
    ];
    return args["published"] === true ? locales.filter((l) => l.published) : locales;
  },
  products: (_s, args, ctx, info) => productConnection(ctx, args, info),
  productsCount: (_s, args, ctx, info) => {
    const query = (args["query"] as string | null | undefined) ?? null;
    const search = compileProductSearch(query);
    let n = 0;
    for (const p of ctx.shop.products.values()) if (search.matches(p)) n++;
    if (search.warnings.length && query) ctx.searchWarnings.push({ path: responsePathAsArray(info?.path), query, warnings: search.warnings });
    return count(n, args["limit"]);
  },
  product: (_s, args, ctx) => {
    const { type, id } = requireGid(args["id"]);
    return type === "Product" ? (ctx.shop.products.get(id) ?? null) : null;
  },
  productByHandle: (_s, args, ctx) => {
    const id = ctx.shop.handles.get(String(args["handle"]));
    return id === undefined ? null : (ctx.shop.products.get(id) ?? null);
  },
  productByIdentifier: (_s, args, ctx) => {
    const identifier = (args["identifier"] ?? {}) as { id?: string; handle?: string; customId?: unknown };
    if (identifier.customId !== undefined) {
      throw new GraphQLError("ProductIdentifierInput.customId is not implemented by the Shopify simulator.", {
        extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR" },
      });
    }
    if (identifier.id) {
      const { type, id } = requireGid(identifier.id);
      return type === "Product" ? (ctx.shop.products.get(id) ?? null) : null;
    }
    if (identifier.handle) {
      const id = ctx.shop.handles.get(identifier.handle);
      return id === undefined ? null : (ctx.shop.products.get(id) ?? null);
    }
    throw new GraphQLError("One of `id`, `handle` or `customId` is required.");
  },
  productVariant: (_s, args, ctx) => {
    const { type, id } = requireGid(args["id"]);
    return type === "ProductVariant" ? (ctx.shop.variants.get(id) ?? null) : null;
  },
  productVariants: (_s, args, ctx, info) => {
    const query = (args["query"] as string | null | undefined) ?? null;
    const search = compileVariantSearch(query);
    if (search.warnings.length && query) ctx.searchWarnings.push({ path: responsePathAsArray(info?.path), query, warnings: search.warnings });
    const all: VariantRecord[] = [];
    for (const p of ctx.shop.products.values()) {
      for (const v of p.variants) if (search.matches({ product: p, variant: v })) all.push(v);
    }
    return variantConnection(ctx, all, args, "ID");
  },
  productVariantsCount: (_s, args, ctx) => {
    const search = compileVariantSearch((args["query"] as string | null | undefined) ?? null);
    let n = 0;
    for (const p of ctx.shop.products.values()) for (const v of p.variants) if (search.matches({ product: p, variant: v })) n++;
    return count(n, args["limit"]);
  },
  node: (_s, args, ctx) => findNode(ctx, String(args["id"])),
  nodes: (_s, args, ctx) => {
    const ids = args["ids"] as string[];
    inputLimit(ids.length);
    return ids.map((id) => findNode(ctx, id));
  },
  currentBulkOperation: (_s, args, ctx) => {
    if (args["type"] === "MUTATION") return null;
    const ops = ctx.services.bulk.list(ctx.shop);
    return ops[ops.length - 1] ?? null;
  },
  bulkOperation: (_s, args, ctx) => {
    const { type, id } = requireGid(args["id"]);
    return type === "BulkOperation" ? (ctx.services.bulk.get(ctx.shop, id) ?? null) : null;
  },
};

const Shop: TypeResolvers = {
  id: (s: ShopNode) => gid("Shop", s.shop.id),
  name: (s: ShopNode) => s.shop.name,
  email: (s: ShopNode) => s.shop.email,
  contactEmail: (s: ShopNode) => s.shop.email,
  myshopifyDomain: (s: ShopNode) => s.shop.domain,
  url: (s: ShopNode) => `https://${s.shop.domain}`,
  currencyCode: (s: ShopNode) => s.shop.currencyCode,
  enabledPresentmentCurrencies: (s: ShopNode) => [s.shop.currencyCode],
  primaryDomain: (s: ShopNode): DomainNode => ({ kind: "Domain", shop: s.shop }),
  ianaTimezone: () => "UTC",
  timezoneAbbreviation: () => "UTC",
  timezoneOffset: () => "+0000",
  weightUnit: () => "KILOGRAMS",
  unitSystem: () => "METRIC_SYSTEM",
  shopOwnerName: (s: ShopNode) => `${s.shop.name} Owner`,
  description: () => null,
  metafield: (s: ShopNode, args, ctx) => metafieldField(s.shop, args, ctx),
  metafields: (s: ShopNode, args, ctx) => metafieldsField(s.shop, args, ctx),
};

const Domain: TypeResolvers = {
  id: (d: DomainNode) => gid("Domain", d.shop.id),
  host: (d: DomainNode) => d.shop.domain,
  url: (d: DomainNode) => `https://${d.shop.domain}`,
  sslEnabled: () => true,
};

const Product: TypeResolvers = {
  id: (p: ProductRecord) => gid("Product", p.id),
  legacyResourceId: (p: ProductRecord) => String(p.id),
  title: (p: ProductRecord) => p.title,
  handle: (p: ProductRecord) => p.handle,
  descriptionHtml: (p: ProductRecord) => p.descriptionHtml,
  description: (p: ProductRecord, args) => {
    const text = stripHtml(p.descriptionHtml);
    const max = args["truncateAt"];
    return typeof max === "number" && text.length > max ? text.slice(0, Math.max(0, max - 3)) + "..." : text;
  },
  vendor: (p: ProductRecord) => p.vendor,
  productType: (p: ProductRecord) => p.productType,
  tags: (p: ProductRecord) => p.tags,
  status: (p: ProductRecord) => p.status,
  createdAt: (p: ProductRecord) => p.createdAt,
  updatedAt: (p: ProductRecord) => p.updatedAt,
  publishedAt: (p: ProductRecord) => p.publishedAt,
  templateSuffix: () => null,
  isGiftCard: () => false,
  requiresSellingPlan: () => false,
  tracksInventory: () => true,
  hasOnlyDefaultVariant: (p: ProductRecord) => isDefaultOnly(p),
  hasOutOfStockVariants: (p: ProductRecord) => p.variants.some((v) => v.inventoryQuantity <= 0),
  totalInventory: (p: ProductRecord) => p.variants.reduce((s, v) => s + v.inventoryQuantity, 0),
  onlineStoreUrl: (p: ProductRecord, _a, ctx) => (p.status === "ACTIVE" ? `https://${ctx.shop.domain}/products/${p.handle}` : null),
  defaultCursor: (p: ProductRecord) => encodeCursor({ id: p.id, value: null }),
  category: (p: ProductRecord) => (p.category ? { kind: "TaxonomyCategory", ...p.category } : null),
  seo: (p: ProductRecord) => ({ title: p.seoTitle, description: p.seoDescription }),
  priceRangeV2: (p: ProductRecord, _a, ctx) => {
    const prices = p.variants.map((v) => Number(v.price));
    return {
      minVariantPrice: money(Math.min(...prices).toFixed(2), ctx),
      maxVariantPrice: money(Math.max(...prices).toFixed(2), ctx),
    };
  },
  options: (p: ProductRecord, args) => (typeof args["first"] === "number" ? p.options.slice(0, args["first"]) : p.options),
  variants: (p: ProductRecord, args, ctx) => variantConnection(ctx, p.variants, args, "POSITION"),
  variantsCount: (p: ProductRecord) => count(p.variants.length),
  media: (p: ProductRecord, args, ctx) => {
    if (typeof args["query"] === "string" && args["query"].trim()) {
      throw new GraphQLError("Product.media(query:) is not implemented by the Shopify simulator.", {
        extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR" },
      });
    }
    return byPosition(ctx, p.images, args);
  },
  mediaCount: (p: ProductRecord) => count(p.images.length),
  featuredMedia: (p: ProductRecord) => p.images[0] ?? null,
  images: (p: ProductRecord, args, ctx) => byPosition(ctx, p.images, args),
  featuredImage: (p: ProductRecord) => p.images[0] ?? null,
  metafield: metafieldField,
  metafields: metafieldsField,
};

const ProductVariant: TypeResolvers = {
  id: (v: VariantRecord) => gid("ProductVariant", v.id),
  legacyResourceId: (v: VariantRecord) => String(v.id),
  title: (v: VariantRecord) => v.title,
  displayName: (v: VariantRecord, _a, ctx) => `${ctx.shop.products.get(v.productId)?.title ?? ""} - ${v.title}`,
  sku: (v: VariantRecord) => v.sku,
  barcode: (v: VariantRecord) => v.barcode,
  position: (v: VariantRecord) => v.position,
  price: (v: VariantRecord) => v.price,
  compareAtPrice: (v: VariantRecord) => v.compareAtPrice,
  taxable: (v: VariantRecord) => v.taxable,
  inventoryQuantity: (v: VariantRecord) => v.inventoryQuantity,
  inventoryPolicy: (v: VariantRecord) => v.inventoryPolicy,
  availableForSale: (v: VariantRecord) => v.inventoryQuantity > 0 || v.inventoryPolicy === "CONTINUE",
  sellableOnlineQuantity: (v: VariantRecord) => Math.max(0, v.inventoryQuantity),
  requiresComponents: () => false,
  showUnitPrice: () => false,
  createdAt: (v: VariantRecord) => v.createdAt,
  updatedAt: (v: VariantRecord) => v.updatedAt,
  defaultCursor: (v: VariantRecord) => encodeCursor({ id: v.id, value: null }),
  product: (v: VariantRecord, _a, ctx) => ctx.shop.products.get(v.productId),
  selectedOptions: (v: VariantRecord, _a, ctx) => {
    const product = ctx.shop.products.get(v.productId);
    return (product?.options ?? []).map((o, i) => ({
      name: o.name,
      value: v.optionValues[i] ?? "",
      optionValue: o.values.find((ov) => ov.name === v.optionValues[i]) ?? { kind: "ProductOptionValue", id: 0, name: v.optionValues[i] ?? "" },
    }));
  },
  inventoryItem: (v: VariantRecord): InventoryItemNode => ({ kind: "InventoryItem", variant: v }),
  media: (v: VariantRecord, args, ctx) => {
    const product = ctx.shop.products.get(v.productId);
    const images = v.imageId ? (product?.images.filter((i) => i.id === v.imageId) ?? []) : [];
    return byPosition(ctx, images, args);
  },
  metafield: metafieldField,
  metafields: metafieldsField,
};

const SelectedOption = plain("name", "value", "optionValue");

const InventoryItem: TypeResolvers = {
  id: (i: InventoryItemNode) => gid("InventoryItem", i.variant.inventoryItemId),
  legacyResourceId: (i: InventoryItemNode) => String(i.variant.inventoryItemId),
  sku: (i: InventoryItemNode) => i.variant.sku,
  tracked: (i: InventoryItemNode) => i.variant.tracked,
  requiresShipping: () => true,
  countryCodeOfOrigin: (i: InventoryItemNode) => i.variant.countryCodeOfOrigin,
  harmonizedSystemCode: (i: InventoryItemNode) => i.variant.harmonizedSystemCode,
  createdAt: (i: InventoryItemNode) => i.variant.createdAt,
  updatedAt: (i: InventoryItemNode) => i.variant.updatedAt,
  measurement: (i: InventoryItemNode): MeasurementNode => ({ kind: "InventoryItemMeasurement", variant: i.variant }),
};

const InventoryItemMeasurement: TypeResolvers = {
  id: (m: MeasurementNode) => gid("InventoryItemMeasurement", m.variant.inventoryItemId),
  weight: (m: MeasurementNode) => (m.variant.weight ? { value: m.variant.weight.value, unit: m.variant.weight.unit } : null),
};

const ProductOption: TypeResolvers = {
  id: (o: OptionRecord) => gid("ProductOption", o.id),
  name: (o: OptionRecord) => o.name,
  position: (o: OptionRecord) => o.position,
  values: (o: OptionRecord) => o.values.map((v) => v.name),
  optionValues: (o: OptionRecord) => o.values,
};

const ProductOptionValue: TypeResolvers = {
  id: (v: OptionValueRecord) => gid("ProductOptionValue", v.id),
  name: (v: OptionValueRecord) => v.name,
  hasVariants: () => true,
};

const TaxonomyCategory: TypeResolvers = {
  id: (c: { id: string }) => c.id,
  name: (c: { name: string }) => c.name,
  fullName: (c: { fullName: string }) => c.fullName,
  isArchived: () => false,
  level: (c: { fullName: string }) => c.fullName.split(" > ").length,
  isRoot: (c: { fullName: string }) => !c.fullName.includes(" > "),
};

const MediaImage: TypeResolvers = {
  id: (m: ImageRecord) => gid("MediaImage", m.id),
  alt: (m: ImageRecord) => m.altText,
  mediaContentType: () => "IMAGE",
  status: () => "READY",
  fileStatus: () => "READY",
  mediaErrors: () => [],
  mediaWarnings: () => [],
  fileErrors: () => [],
  image: (m: ImageRecord) => m,
  preview: (m: ImageRecord) => ({ image: m, status: "READY" }),
  mimeType: (m: ImageRecord) => (m.url.endsWith(".svg") ? "image/svg+xml" : m.url.match(/\.png(\?|$)/) ? "image/png" : "image/jpeg"),
  createdAt: (m: ImageRecord) => m.createdAt,
  updatedAt: (m: ImageRecord) => m.updatedAt,
};

const Image: TypeResolvers = {
  id: (m: ImageRecord) => gid("ProductImage", m.imageId),
  url: (m: ImageRecord) => m.url,
  altText: (m: ImageRecord) => m.altText,
  width: (m: ImageRecord) => m.width,
  height: (m: ImageRecord) => m.height,
};

const Metafield: TypeResolvers = {
  id: (m: MetafieldRecord) => gid("Metafield", m.id),
  legacyResourceId: (m: MetafieldRecord) => String(m.id),
  namespace: (m: MetafieldRecord) => m.namespace,
  key: (m: MetafieldRecord) => m.key,
  type: (m: MetafieldRecord) => m.type,
  value: (m: MetafieldRecord) => m.value,
  jsonValue: (m: MetafieldRecord) => jsonValueOf(m.type, m.value),
  createdAt: (m: MetafieldRecord) => m.createdAt,
  updatedAt: (m: MetafieldRecord) => m.updatedAt,
  ownerType: (m: MetafieldRecord) => m.ownerType,
  owner: (m: MetafieldRecord, _a, ctx) => metafieldOwner(ctx, m),
  compareDigest: (m: MetafieldRecord) => compareDigestOf(m),
  sizeInBytes: (m: MetafieldRecord) => Buffer.byteLength(m.value, "utf8"),
};

const BulkOperation: TypeResolvers = {
  id: (b: { id: number }) => gid("BulkOperation", b.id),
  status: (b: { status: string }) => b.status,
  type: (b: { type: string }) => b.type,
  errorCode: (b: { errorCode: string | null }) => b.errorCode,
  createdAt: (b: { createdAt: string }) => b.createdAt,
  completedAt: (b: { completedAt: string | null }) => b.completedAt,
  objectCount: (b: { objectCount: number }) => String(b.objectCount),
  rootObjectCount: (b: { rootObjectCount: number }) => String(b.rootObjectCount),
  fileSize: (b: { fileSize: number | null }) => (b.fileSize === null ? null : String(b.fileSize)),
  url: (b: { url: string | null }) => b.url,
  partialDataUrl: (b: { partialDataUrl: string | null }) => b.partialDataUrl,
  query: (b: { query: string }) => b.query,
};

export const RESOLVERS: Record<string, TypeResolvers> = {
  QueryRoot,
  Mutation: MUTATION_RESOLVERS,
  Shop,
  Domain,
  ShopLocale: plain("locale", "name", "primary", "published"),
  Count: plain("count", "precision"),
  Product,
  ProductVariant,
  SelectedOption,
  InventoryItem,
  InventoryItemMeasurement,
  Weight: plain("value", "unit"),
  ProductOption,
  ProductOptionValue,
  TaxonomyCategory,
  MediaImage,
  MediaPreviewImage: plain("image", "status"),
  Image,
  SEO: plain("title", "description"),
  MoneyV2: plain("amount", "currencyCode"),
  ProductPriceRangeV2: plain("minVariantPrice", "maxVariantPrice"),
  Metafield,
  BulkOperation,
  PageInfo: plain("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"),
  ...connectionResolvers("ProductConnection", "ProductEdge"),
  ...connectionResolvers("ProductVariantConnection", "ProductVariantEdge"),
  ...connectionResolvers("MediaConnection", "MediaEdge"),
  ...connectionResolvers("ImageConnection", "ImageEdge"),
  ...connectionResolvers("MetafieldConnection", "MetafieldEdge"),
  // Mutation payloads and errors
  MetafieldsSetPayload: plain("metafields", "userErrors"),
  MetafieldsSetUserError: plain("field", "message", "code", "elementIndex"),
  MetafieldsDeletePayload: plain("deletedMetafields", "userErrors"),
  MetafieldIdentifier: plain("ownerId", "namespace", "key"),
  UserError: plain("field", "message"),
  ProductVariantsBulkUpdatePayload: plain("product", "productVariants", "userErrors"),
  ProductVariantsBulkUpdateUserError: plain("field", "message", "code"),
  BulkOperationRunQueryPayload: plain("bulkOperation", "userErrors"),
  BulkOperationUserError: plain("field", "message", "code"),
  BulkOperationCancelPayload: plain("bulkOperation", "userErrors"),
};

/** Arguments accepted by the schema that the simulator does not implement (rejected up front). */
export const UNSUPPORTED_ARGUMENTS: Record<string, string[]> = {
  "QueryRoot.products": ["savedSearchId"],
  "QueryRoot.productsCount": ["savedSearchId"],
  "QueryRoot.productVariants": ["savedSearchId"],
  "Product.images": ["crop", "maxHeight", "maxWidth", "scale"],
  "Image.url": ["transform"],
};

/** Abstract type resolution: every record carries its GraphQL type name in `kind`. */
export function typeNameOf(value: unknown): string | undefined {
  if (value && typeof value === "object" && "kind" in value) return String((value as { kind: unknown }).kind);
  return undefined;
}
