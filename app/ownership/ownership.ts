// Field ownership rules (GUIDE §2), pure. Every field has at most one owning integration; only the
// owner writes it. A field nobody owns (or that the merchant switched off) is edited by hand.
import { FIELDS, fieldDef, type FieldKey } from "../catalog/fields";

export type IntegrationRole = "primary" | "secondary";

/**
 * Current ownership of a shop: field → owning integration id, or null when the merchant switched
 * the field off. A field absent from the map has never been assigned.
 */
export type OwnershipMap = ReadonlyMap<FieldKey, string | null>;

export function ownerOf(ownership: OwnershipMap, field: FieldKey): string | null {
  return ownership.get(field) ?? null;
}

/** What an integration knows about one product or variant. */
export interface EntityProvenance {
  /** Integration that created the entity (null: created by hand). */
  originId: string | null;
  /** Integrations that feed this entity (have a link to it). */
  linkedIntegrationIds: ReadonlySet<string>;
}

/**
 * The integration whose values a field of this entity takes: normally the field's owner. One
 * exception: products that exist in no system but the one that created them (an Excel-only
 * product the primary, Shopify, has never seen). The primary can never provide their values, so
 * the fields the primary owns are written by the creating integration instead, while it is
 * connected: once disconnected it provides nothing any more, and those fields are edited by hand,
 * as the fields it owned are (disconnecting releases them). Fields owned by a secondary are never
 * written by anyone else. Null: nobody writes the field; it is edited by hand.
 *
 * `connected`: the shop's integrations that are not disconnected (paused and failing ones still are).
 */
export function effectiveWriter(
  ownership: OwnershipMap,
  field: FieldKey,
  entity: EntityProvenance,
  primaryId: string | null,
  connected: ReadonlySet<string>,
): string | null {
  const owner = ownerOf(ownership, field);
  if (owner === null || owner !== primaryId) return owner;
  if (entity.linkedIntegrationIds.has(owner) || entity.originId === owner || entity.originId === null) return owner;
  return connected.has(entity.originId) ? entity.originId : null;
}

/** The ids of the integrations effectiveWriter takes as connected, from the shop's integration rows. */
export function connectedIntegrationIds(integrations: readonly { id: string; status: string }[]): Set<string> {
  return new Set(integrations.filter((i) => i.status !== "disconnected").map((i) => i.id));
}

export interface ConnectPlan {
  /** Unassigned fields the integration takes. */
  claim: FieldKey[];
  /** Default fields of its role that another integration owns: the merchant chooses. */
  conflicts: { field: FieldKey; ownerId: string }[];
}

/**
 * Ownership when an integration connects. Defaults: the primary owns structure and core fields, a
 * secondary owns identifiers (SKU, barcode). Beyond its defaults, an integration takes the fields it
 * provides that nobody was ever given, so that every value a source has lands somewhere. Nothing is
 * taken from another integration silently, and switched-off fields stay off.
 */
export function planConnect(
  ownership: OwnershipMap,
  integrationId: string,
  role: IntegrationRole,
  provides: readonly FieldKey[],
): ConnectPlan {
  const claim: FieldKey[] = [];
  const conflicts: ConnectPlan["conflicts"] = [];
  for (const field of provides) {
    if (!ownership.has(field)) {
      claim.push(field);
      continue;
    }
    const owner = ownership.get(field);
    if (owner && owner !== integrationId && fieldDef(field).defaultOwner === role) conflicts.push({ field, ownerId: owner });
  }
  return { claim, conflicts };
}

export interface OwnershipRow {
  field: FieldKey;
  label: string;
  level: "product" | "variant";
  ownerId: string | null;
  /** "owned", "off" (switched off, edited by hand) or "unassigned". */
  state: "owned" | "off" | "unassigned";
  defaultOwner: IntegrationRole | null;
}

/** The ownership matrix of a shop, one row per field, in field order. */
export function ownershipMatrix(ownership: OwnershipMap): OwnershipRow[] {
  return FIELDS.map((f) => {
    const assigned = ownership.has(f.key);
    const ownerId = ownership.get(f.key) ?? null;
    return {
      field: f.key,
      label: f.label,
      level: f.level,
      ownerId,
      state: ownerId ? "owned" : assigned ? "off" : "unassigned",
      defaultOwner: "defaultOwner" in f ? (f.defaultOwner ?? null) : null,
    };
  });
}
