// The kinds of integration Passport offers. The sync engine knows none of them: each kind is an
// adapter that yields normalized records (sources.server.ts); this is what the rest of the app
// needs to know about a kind.
import { FIELD_KEYS, type FieldKey } from "../catalog/fields";

export interface IntegrationKind {
  kind: string;
  label: string;
  description: string;
  /** Fields the kind can deliver (it claims the unassigned ones on connect). */
  provides: readonly FieldKey[];
  canBePrimary: boolean;
  /** Synced on a schedule and by "Sync now" (Excel is synced by uploads only). */
  syncsOnSchedule: boolean;
}

export const INTEGRATION_KINDS: readonly IntegrationKind[] = [
  {
    kind: "shopify",
    label: "Shopify",
    description: "Your Shopify products, synced both ways.",
    provides: ["title", "description", "images", "vendor", "productType", "category", "tags", "status", "weight", "sku", "barcode", "options"],
    canBePrimary: true,
    syncsOnSchedule: true,
  },
  {
    kind: "excel",
    label: "Excel",
    description: "Import and export products with Excel files: migrations, passport data, products Shopify does not have.",
    provides: FIELD_KEYS,
    canBePrimary: true,
    syncsOnSchedule: false,
  },
];

export function integrationKind(kind: string): IntegrationKind | undefined {
  return INTEGRATION_KINDS.find((k) => k.kind === kind);
}

/** How the app names an integration of this kind ("Excel"); the kind itself for one it no longer knows. */
export function kindLabel(kind: string): string {
  return integrationKind(kind)?.label ?? kind;
}

