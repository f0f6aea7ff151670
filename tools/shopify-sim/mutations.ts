// Mutations: metafieldsSet, metafieldsDelete, productVariantsBulkUpdate, bulkOperationRunQuery,
// bulkOperationCancel — with Shopify's userErrors and atomicity.
import { GraphQLError } from "graphql";
import type { ResolverContext, TypeResolvers } from "./context.ts";
import {
  METAFIELDS_SET_LIMIT,
  compareDigestOf,
  isKnownType,
  resolveNamespace,
  validateIdentifier,
  validateMetafieldValue,
} from "./metafields.ts";
import { gid, isoSeconds, parseGid, variantTitle, type MetafieldRecord, type ProductRecord, type VariantRecord, type WeightUnit } from "./model.ts";
import { assignIfChanged, makeMetafield, syncOptionValues } from "./store.ts";

function notImplemented(what: string): GraphQLError {
  return new GraphQLError(`${what} is not implemented by the Shopify simulator (tools/shopify-sim).`, {
    extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR" },
  });
}

export function inputLimit(size: number, max = 250): void {
  if (size > max) {
    throw new GraphQLError(`The input array size of ${size} is greater than the maximum allowed of ${max}.`, {
      extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
    });
  }
}

interface Owner {
  product: ProductRecord | null;
  variant: VariantRecord | null;
  record: { metafields: MetafieldRecord[] };
  ownerType: MetafieldRecord["ownerType"];
  id: number;
}

function findOwner(ctx: ResolverContext, ownerId: string): Owner | null | "unsupported" {
  const parsed = parseGid(ownerId);
  if (!parsed) return null;
  if (parsed.type === "Product") {
    const product = ctx.shop.products.get(parsed.id);
    return product ? { product, variant: null, record: product, ownerType: "PRODUCT", id: product.id } : null;
  }
  if (parsed.type === "ProductVariant") {
    const variant = ctx.shop.variants.get(parsed.id);
    const product = variant ? ctx.shop.products.get(variant.productId) : undefined;
    return variant && product ? { product, variant, record: variant, ownerType: "PRODUCTVARIANT", id: variant.id } : null;
  }
  if (parsed.type === "Shop") {
    return parsed.id === ctx.shop.id ? { product: null, variant: null, record: ctx.shop, ownerType: "SHOP", id: ctx.shop.id } : null;
  }
  return "unsupported";
}

function now(ctx: ResolverContext): string {
  return isoSeconds(ctx.services.store.clock.now());
}

function touch(ctx: ResolverContext, owner: Owner, at: string): void {
  if (!ctx.services.metafieldChangesTouchProduct || !owner.product) return;
  owner.product.updatedAt = at;
  if (owner.variant) owner.variant.updatedAt = at;
  ctx.changed.add(owner.product);
}

interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

interface SetUserError {
  field: string[] | null;
  message: string;
  code: string;
  elementIndex: number | null;
}

interface MetafieldPlan {
  owner: Owner;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** Validates one metafield write; pushes userErrors with the given field prefix. */
function planMetafield(
  ctx: ResolverContext,
  owner: Owner,
  input: { namespace?: string | null; key?: string | null; type?: string | null; value?: string | null; compareDigest?: string | null },
  fieldPrefix: string[],
  errors: SetUserError[],
  elementIndex: number | null,
): MetafieldPlan | null {
  const err = (field: string, message: string, code: string) =>
    errors.push({ field: [...fieldPrefix, field], message, code, elementIndex });
  const namespace = resolveNamespace(input.namespace, ctx.services.appId);
  const key = input.key ?? "";
  const idError = validateIdentifier(namespace, key);
  if (idError) {
    err(idError.field, idError.message, idError.code);
    return null;
  }
  const existing = owner.record.metafields.find((m) => m.namespace === namespace && m.key === key);
  const type = input.type ?? existing?.type ?? null;
  if (!type) {
    err("type", "Type can't be blank.", "BLANK");
    return null;
  }
  if (!isKnownType(type)) {
    err("type", `Type '${type}' is not a valid metafield type.`, "INVALID_TYPE");
    return null;
  }
  if (input.value == null) {
    err("value", "Value can't be blank.", "BLANK");
    return null;
  }
  const valueError = validateMetafieldValue(type, input.value);
  if (valueError) {
    err("value", valueError, "INVALID_VALUE");
    return null;
  }
  if (input.compareDigest != null && (!existing || compareDigestOf(existing) !== input.compareDigest)) {
    err(
      "compareDigest",
      "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
      "STALE_OBJECT",
    );
    return null;
  }
  return { owner, namespace, key, type, value: input.value };
}

function applyMetafield(ctx: ResolverContext, plan: MetafieldPlan, at: string): MetafieldRecord {
  const { owner } = plan;
  const existing = owner.record.metafields.find((m) => m.namespace === plan.namespace && m.key === plan.key);
  if (existing) {
    if (existing.value !== plan.value || existing.type !== plan.type) {
      existing.value = plan.value;
      existing.type = plan.type;
      existing.updatedAt = at;
      touch(ctx, owner, at);
    }
    return existing;
  }
  const created = makeMetafield(ctx.services.store, owner.ownerType, owner.id, plan, at);
  owner.record.metafields.push(created);
  touch(ctx, owner, at);
  return created;
}

const metafieldsSet = (_root: unknown, args: Record<string, unknown>, ctx: ResolverContext) => {
  const inputs = args["metafields"] as MetafieldsSetInput[];
  if (inputs.length > METAFIELDS_SET_LIMIT) {
    return {
      metafields: [],
      userErrors: [
        {
          field: ["metafields"],
          message: `Exceeded the maximum metafields input limit of ${METAFIELDS_SET_LIMIT}.`,
          code: "LESS_THAN_OR_EQUAL_TO",
          elementIndex: null,
        },
      ],
    };
  }
  const errors: SetUserError[] = [];
  const plans: MetafieldPlan[] = [];
  inputs.forEach((input, i) => {
    const owner = findOwner(ctx, input.ownerId);
    if (owner === "unsupported") throw notImplemented(`metafieldsSet on owner ${input.ownerId} (only Product, ProductVariant and Shop owners)`);
    if (!owner) {
      errors.push({ field: ["metafields", String(i), "ownerId"], message: "Owner does not exist.", code: "INVALID", elementIndex: i });
      return;
    }
    const plan = planMetafield(ctx, owner, input, ["metafields", String(i)], errors, i);
    if (plan) plans.push(plan);
  });
  // metafieldsSet is atomic: one error and nothing is written.
  if (errors.length) return { metafields: [], userErrors: errors };
  const at = now(ctx);
  return { metafields: plans.map((p) => applyMetafield(ctx, p, at)), userErrors: [] };
};

const metafieldsDelete = (_root: unknown, args: Record<string, unknown>, ctx: ResolverContext) => {
  const inputs = args["metafields"] as Array<{ ownerId: string; namespace: string; key: string }>;
  inputLimit(inputs.length);
  const at = now(ctx);
  const deleted = inputs.map((input) => {
    const owner = findOwner(ctx, input.ownerId);
    if (owner === "unsupported") throw notImplemented(`metafieldsDelete on owner ${input.ownerId}`);
    if (!owner) return null;
    const namespace = resolveNamespace(input.namespace, ctx.services.appId);
    const index = owner.record.metafields.findIndex((m) => m.namespace === namespace && m.key === input.key);
    if (index < 0) return null;
    owner.record.metafields.splice(index, 1);
    touch(ctx, owner, at);
    return { ownerId: input.ownerId, namespace, key: input.key };
  });
  return { deletedMetafields: deleted, userErrors: [] };
};

// ---------------------------------------------------------------------------------------------
// productVariantsBulkUpdate

interface VariantBulkInput {
  id?: string | null;
  barcode?: string | null;
  price?: string | null;
  compareAtPrice?: string | null;
  taxable?: boolean | null;
  inventoryPolicy?: "DENY" | "CONTINUE" | null;
  inventoryItem?: {
    sku?: string | null;
    tracked?: boolean | null;
    requiresShipping?: boolean | null;
    countryCodeOfOrigin?: string | null;
    harmonizedSystemCode?: string | null;
    measurement?: { weight?: { value: number; unit: WeightUnit } | null; shippingPackageId?: string | null } | null;
    [other: string]: unknown;
  } | null;
  optionValues?: Array<{ optionId?: string | null; optionName?: string | null; id?: string | null; name?: string | null; linkedMetafieldValue?: string | null }> | null;
  metafields?: Array<{ id?: string | null; namespace?: string | null; key?: string | null; type?: string | null; value?: string | null }> | null;
  inventoryQuantities?: unknown;
  [other: string]: unknown;
}

const SUPPORTED_VARIANT_INPUT = new Set([
  "id",
  "barcode",
  "price",
  "compareAtPrice",
  "taxable",
  "inventoryPolicy",
  "inventoryItem",
  "optionValues",
  "metafields",
  "inventoryQuantities",
]);
const SUPPORTED_INVENTORY_ITEM_INPUT = new Set([
  "sku",
  "tracked",
  "requiresShipping",
  "countryCodeOfOrigin",
  "harmonizedSystemCode",
  "measurement",
]);

interface BulkUserError {
  field: string[] | null;
  message: string;
  code: string;
}

interface VariantPlan {
  variant: VariantRecord;
  input: VariantBulkInput;
  optionValues: string[];
  metafields: MetafieldPlan[];
}

const productVariantsBulkUpdate = (_root: unknown, args: Record<string, unknown>, ctx: ResolverContext) => {
  if (args["media"] != null) throw notImplemented("productVariantsBulkUpdate(media:)");
  const inputs = args["variants"] as VariantBulkInput[];
  inputLimit(inputs.length);
  const allowPartial = args["allowPartialUpdates"] === true;
  const productGid = parseGid(String(args["productId"]));
  const product = productGid?.type === "Product" ? ctx.shop.products.get(productGid.id) : undefined;
  if (!product) {
    return {
      product: null,
      productVariants: null,
      userErrors: [{ field: ["productId"], message: "Product does not exist", code: "PRODUCT_DOES_NOT_EXIST" }],
    };
  }
  for (const input of inputs) {
    for (const key of Object.keys(input)) {
      if (!SUPPORTED_VARIANT_INPUT.has(key)) throw notImplemented(`ProductVariantsBulkInput.${key}`);
    }
    for (const key of Object.keys(input.inventoryItem ?? {})) {
      if (!SUPPORTED_INVENTORY_ITEM_INPUT.has(key)) throw notImplemented(`InventoryItemInput.${key}`);
    }
    if (input.inventoryItem?.requiresShipping === false) throw notImplemented("InventoryItemInput.requiresShipping: false");
    if (input.inventoryItem?.measurement?.shippingPackageId != null) throw notImplemented("InventoryItemMeasurementInput.shippingPackageId");
  }

  const errors: BulkUserError[] = [];
  const plans: VariantPlan[] = [];
  inputs.forEach((input, i) => {
    const at = (field?: string) => (field ? ["variants", String(i), field] : ["variants", String(i)]);
    const before = errors.length;
    if (!input.id) {
      errors.push({ field: at("id"), message: "Product variant is missing ID attribute", code: "PRODUCT_VARIANT_ID_MISSING" });
      return;
    }
    const vid = parseGid(input.id);
    const variant = vid?.type === "ProductVariant" ? product.variants.find((v) => v.id === vid.id) : undefined;
    if (!variant) {
      const exists = vid?.type === "ProductVariant" && ctx.shop.variants.has(vid.id);
      errors.push(
        exists
          ? { field: at("id"), message: "Product variant does not belong to this product", code: "MUST_BE_FOR_THIS_PRODUCT" }
          : { field: at("id"), message: "Product variant does not exist", code: "PRODUCT_VARIANT_DOES_NOT_EXIST" },
      );
      return;
    }
    if (input.inventoryQuantities != null) {
      errors.push({
        field: at("inventoryQuantities"),
        message: "Inventory quantities can only be provided during create. To update inventory for existing variants, use inventoryAdjustQuantities.",
        code: "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE",
      });
    }
    for (const [field, value] of [["price", input.price], ["compareAtPrice", input.compareAtPrice]] as const) {
      if (value != null && (!Number.isFinite(Number(value)) || Number(value) < 0)) {
        errors.push({ field: at(field), message: `${field === "price" ? "Price" : "Compare at price"} must be greater than or equal to 0`, code: "NEGATIVE_PRICE_VALUE" });
      }
    }
    const weight = input.inventoryItem?.measurement?.weight;
    if (weight && (!Number.isFinite(weight.value) || weight.value < 0)) {
      errors.push({ field: [...at("inventoryItem"), "measurement", "weight", "value"], message: "Weight must be greater than or equal to 0", code: "INVALID_INPUT" });
    }
    const country = input.inventoryItem?.countryCodeOfOrigin;
    if (country != null && !/^[A-Z]{2}$/.test(country)) {
      errors.push({ field: [...at("inventoryItem"), "countryCodeOfOrigin"], message: "Country code of origin is invalid", code: "INVALID_INPUT" });
    }
    // Option values
    const optionValues = [...variant.optionValues];
    for (const [j, ov] of (input.optionValues ?? []).entries()) {
      const optionIndex = product.options.findIndex((o) =>
        ov.optionId ? gid("ProductOption", o.id) === ov.optionId : o.name === ov.optionName,
      );
      if (optionIndex < 0) {
        errors.push({ field: [...at("optionValues"), String(j)], message: "Option does not exist", code: "OPTION_DOES_NOT_EXIST" });
        continue;
      }
      let name = ov.name ?? null;
      if (ov.id) {
        const found = product.options[optionIndex]!.values.find((v) => gid("ProductOptionValue", v.id) === ov.id);
        if (!found) {
          errors.push({ field: [...at("optionValues"), String(j)], message: "Option value does not exist", code: "OPTION_VALUE_DOES_NOT_EXIST" });
          continue;
        }
        name = found.name;
      }
      if (!name) {
        errors.push({ field: [...at("optionValues"), String(j), "name"], message: "Option value name can't be blank", code: "BLANK" });
        continue;
      }
      if (name.length > 255) {
        errors.push({ field: [...at("optionValues"), String(j), "name"], message: "Option value name is too long", code: "OPTION_VALUE_NAME_TOO_LONG" });
        continue;
      }
      optionValues[optionIndex] = name;
    }
    // Metafields on the variant
    const metafieldPlans: MetafieldPlan[] = [];
    const owner: Owner = { product, variant, record: variant, ownerType: "PRODUCTVARIANT", id: variant.id };
    const mfErrors: SetUserError[] = [];
    for (const [j, mf] of (input.metafields ?? []).entries()) {
      const plan = planMetafield(ctx, owner, mf, [...at("metafields"), String(j)], mfErrors, null);
      if (plan) metafieldPlans.push(plan);
    }
    for (const e of mfErrors) errors.push({ field: e.field, message: e.message, code: "INVALID_INPUT" });
    if (errors.length === before) plans.push({ variant, input, optionValues, metafields: metafieldPlans });
  });

  // Duplicate option combinations after the update.
  const combos = new Map<string, VariantRecord>();
  for (const v of product.variants) {
    const plan = plans.find((p) => p.variant === v);
    const values = plan ? plan.optionValues : v.optionValues;
    const key = values.join("\u0000").toLowerCase();
    const other = combos.get(key);
    if (other) {
      const index = inputs.findIndex((inp) => inp.id === gid("ProductVariant", (plan ? v : other).id));
      errors.push({
        field: index >= 0 ? ["variants", String(index), "optionValues"] : ["variants"],
        message: `The variant '${variantTitle(values)}' already exists.`,
        code: "VARIANT_ALREADY_EXISTS",
      });
      const bad = plans.findIndex((p) => p.variant === v || p.variant === other);
      if (bad >= 0) plans.splice(bad, 1);
    } else {
      combos.set(key, v);
    }
  }

  if (errors.length && !allowPartial) return { product, productVariants: [], userErrors: errors };

  const stamp = now(ctx);
  let productChanged = false;
  const updated: VariantRecord[] = [];
  for (const plan of plans) {
    const { variant, input } = plan;
    let changed = false;
    const assign = <K extends keyof VariantRecord>(key: K, value: VariantRecord[K]) => {
      if (assignIfChanged(variant, key, value)) changed = true;
    };
    if (input.barcode !== undefined) assign("barcode", input.barcode);
    if (input.price != null) assign("price", Number(input.price).toFixed(2));
    if (input.compareAtPrice !== undefined) assign("compareAtPrice", input.compareAtPrice == null ? null : Number(input.compareAtPrice).toFixed(2));
    if (input.taxable != null) assign("taxable", input.taxable);
    if (input.inventoryPolicy != null) assign("inventoryPolicy", input.inventoryPolicy);
    const item = input.inventoryItem;
    if (item) {
      if (item.sku !== undefined) assign("sku", item.sku);
      if (item.tracked != null) assign("tracked", item.tracked);
      if (item.countryCodeOfOrigin !== undefined) assign("countryCodeOfOrigin", item.countryCodeOfOrigin);
      if (item.harmonizedSystemCode !== undefined) assign("harmonizedSystemCode", item.harmonizedSystemCode);
      if (item.measurement?.weight !== undefined) {
        const w = item.measurement.weight;
        assign("weight", w ? { value: w.value, unit: w.unit } : null);
      }
    }
    if (input.optionValues) {
      assign("optionValues", plan.optionValues);
      assign("title", variantTitle(plan.optionValues));
    }
    for (const mp of plan.metafields) {
      const before = variant.updatedAt;
      applyMetafield(ctx, mp, stamp);
      if (variant.updatedAt !== before) productChanged = true;
    }
    if (changed) {
      variant.updatedAt = stamp;
      productChanged = true;
    }
    updated.push(variant);
  }
  if (productChanged) {
    syncOptionValues(ctx.services.store, product);
    product.updatedAt = stamp;
    ctx.changed.add(product);
  }
  return { product, productVariants: updated, userErrors: errors };
};

// ---------------------------------------------------------------------------------------------
// Bulk operations

const bulkOperationRunQuery = (_root: unknown, args: Record<string, unknown>, ctx: ResolverContext) => {
  const result = ctx.services.bulk.start(ctx.shop, String(args["query"]));
  if ("userErrors" in result) return { bulkOperation: null, userErrors: result.userErrors };
  return { bulkOperation: result.operation, userErrors: [] };
};

const bulkOperationCancel = (_root: unknown, args: Record<string, unknown>, ctx: ResolverContext) => {
  const parsed = parseGid(String(args["id"]));
  const op = parsed?.type === "BulkOperation" ? ctx.services.bulk.get(ctx.shop, parsed.id) : undefined;
  if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
  if (op.status !== "CREATED" && op.status !== "RUNNING") {
    return {
      bulkOperation: op,
      userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }],
    };
  }
  return { bulkOperation: ctx.services.bulk.cancel(ctx.shop, op.id) ?? op, userErrors: [] };
};

export const MUTATION_RESOLVERS: TypeResolvers = {
  metafieldsSet,
  metafieldsDelete,
  productVariantsBulkUpdate,
  bulkOperationRunQuery,
  bulkOperationCancel,
};
