// Resets the test database's catalog between tests: every shop's products, variants, values and
// their history, links, passports, runs, ownership, integrations and webhook events.
import { db } from "../../app/db.server";
import type { SourceRecord } from "../../app/sync/records";

export async function clearCatalog(): Promise<void> {
  await db.$transaction([
    db.webhookEvent.deleteMany(),
    db.fieldChange.deleteMany(),
    db.fieldValue.deleteMany(),
    db.externalLink.deleteMany(),
    db.passportVersion.deleteMany(),
    db.passport.deleteMany(),
    db.variant.deleteMany(),
    db.product.deleteMany(),
    db.syncRun.deleteMany(),
    db.fieldOwnership.deleteMany(),
    db.integration.deleteMany(),
  ]);
}

/** Shopify's product tee-<n> with variants S and M (SKUs TEE-<n>-S, TEE-<n>-M). */
export function shopifyTee(n: number): SourceRecord {
  return {
    externalId: `gid://shopify/Product/${n}`,
    handle: `tee-${n}`,
    fields: { title: { en: `Tee ${n}` }, vendor: "Acme" },
    variants: ["S", "M"].map((size, i) => ({
      externalId: `gid://shopify/ProductVariant/${n}${i}`,
      position: i + 1,
      fields: { sku: `TEE-${n}-${size}`, options: [{ name: "Size", value: size }] },
    })),
  };
}
