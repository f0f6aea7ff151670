// A shop's own settings the catalog and passports need (its name and primary locale).
import type { ShopDb, ShopTx } from "./db/scoped.server";
import { shopHandle } from "./shop-handle";

export interface ShopSettings {
  name: string;
  primaryLocale: string;
}

export async function shopSettings(db: ShopDb | ShopTx): Promise<ShopSettings> {
  const row = await db.shop.findUnique({ where: { shop: db.shopDomain } });
  return { name: row?.name || shopHandle(db.shopDomain), primaryLocale: row?.primaryLocale ?? "en" };
}
