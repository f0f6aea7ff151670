import { describe, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop } from "../db/scoped.server";
import { connectIntegration, integrationCredentials, setSyncInterval } from "./integrations.server";
import { TEST_SHOP } from "../../test/support/constants";

describe("integrations", () => {
  it("stores an integration's credentials encrypted and gives them back to its adapter", async () => {
    const shop = forShop(TEST_SHOP);
    const { integration } = await connectIntegration(shop, "excel", { credentials: "pim-api-key-123" });
    const row = await db.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(row.credentials).not.toContain("pim-api-key-123");
    expect(integrationCredentials(row)).toBe("pim-api-key-123");
  });

  it("keeps the first integration as the one primary, and intervals between 1 hour and 7 days", async () => {
    const shop = forShop(TEST_SHOP);
    const { integration } = await connectIntegration(shop, "shopify");
    const primaries = await db.integration.findMany({ where: { shop: TEST_SHOP, primaryOfShop: { not: null } } });
    expect(primaries.map((p) => p.kind)).toEqual(["excel"]);
    expect(integration.primaryOfShop).toBeNull();
    await expect(setSyncInterval(shop, integration.id, 30)).rejects.toThrow(/1 hour and 7 days/);
    await expect(setSyncInterval(shop, integration.id, 8 * 24 * 60)).rejects.toThrow(/1 hour and 7 days/);
    expect((await setSyncInterval(shop, integration.id, 6 * 60)).syncIntervalMinutes).toBe(360);
  });
});
