import { describe, expect, it } from "vitest";
import { db } from "../db.server";
import { forShop } from "../db/scoped.server";
import { loadOwnership, setFieldOwner } from "../ownership/ownership.server";
import {
  connectIntegration,
  disconnectIntegration,
  integrationCredentials,
  restoreAfterReinstall,
  setPaused,
  setSyncInterval,
  stopForUninstall,
} from "./integrations.server";
import { enqueueDueSyncs } from "../jobs/sync-jobs.server";
import { executeSync } from "../sync/engine.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

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

  it("does not disconnect the primary while another integration is connected, and says what to do", async () => {
    const shop = forShop(TEST_SHOP);
    const excel = await shop.integration.findFirstOrThrow({ where: { kind: "excel" } });
    const shopify = await shop.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    expect(excel.primaryOfShop).toBe(TEST_SHOP);
    await expect(disconnectIntegration(shop, excel.id, "Disconnected by the merchant.")).rejects.toThrow(
      /Excel is the primary integration, so it cannot be disconnected while Shopify is connected\. Make another integration primary first/,
    );
    expect((await shop.integration.findUniqueOrThrow({ where: { id: excel.id } })).status).not.toBe("disconnected");
    // A secondary goes; then the primary may too.
    await disconnectIntegration(shop, shopify.id, "Disconnected by the merchant.");
    await disconnectIntegration(shop, excel.id, "Disconnected by the merchant.");
    expect((await shop.integration.findUniqueOrThrow({ where: { id: excel.id } })).status).toBe("disconnected");
  });
});

describe("integrations stopped by an uninstall", () => {
  const uninstalled = "The app was uninstalled from Shopify. Reinstall it to sync again.";

  it("come back as they were on reinstall: status, message, role and fields, none claimed by another", async () => {
    const shop = forShop(OTHER_SHOP);
    const excel = (await connectIntegration(shop, "excel")).integration; // the primary
    const shopify = (await connectIntegration(shop, "shopify")).integration;
    await setFieldOwner(shop, "title", null, "merchant"); // switched off: edited by hand
    await setPaused(shop, shopify.id, true);
    await shop.integration.update({ where: { id: excel.id }, data: { status: "error", statusMessage: "Row 4: the barcode is not a GTIN." } });
    const ownership = await loadOwnership(shop);

    for (const id of [excel.id, shopify.id]) await stopForUninstall(shop, id, uninstalled);
    expect(await shop.integration.findMany({ select: { status: true, statusMessage: true } })).toEqual([
      { status: "disconnected", statusMessage: uninstalled },
      { status: "disconnected", statusMessage: uninstalled },
    ]);
    expect(await loadOwnership(shop)).toEqual(ownership);

    // Shopify reconnects first on a reinstall; the others follow.
    await connectIntegration(shop, "shopify");
    await restoreAfterReinstall(shop);
    const rows = await shop.integration.findMany({ orderBy: { kind: "asc" } });
    expect(rows.map((r) => [r.kind, r.status, r.statusMessage, r.primaryOfShop])).toEqual([
      ["excel", "error", "Row 4: the barcode is not a GTIN.", OTHER_SHOP],
      ["shopify", "paused", null, null],
    ]);
    expect(rows.every((r) => r.statusBeforeUninstall === null)).toBe(true);
    expect(await loadOwnership(shop)).toEqual(ownership);
    expect(await restoreAfterReinstall(shop)).toEqual([]);
  });

  it("can still be disconnected by the merchant, and then stay disconnected after a reinstall", async () => {
    const shop = forShop(OTHER_SHOP);
    const excel = await shop.integration.findFirstOrThrow({ where: { kind: "excel" } });
    // An uninstall stops every integration (the primary, Excel, could not go while Shopify runs).
    for (const row of await shop.integration.findMany()) await stopForUninstall(shop, row.id, uninstalled);
    await disconnectIntegration(shop, excel.id, "Disconnected by the merchant. Its data stays in the catalog.");
    expect((await restoreAfterReinstall(shop)).map((r) => r.kind)).toEqual(["shopify"]);
    expect(await shop.integration.findUniqueOrThrow({ where: { id: excel.id } })).toMatchObject({ status: "disconnected", statusBeforeUninstall: null });
    expect(await shop.fieldOwnership.count({ where: { integrationId: excel.id } })).toBe(0);
  });
});

describe("the schedule of an integration that syncs on one", () => {
  const SHOP = "schedule-test.myshopify.com";
  const queue = { backend: "database" as const, sent: 0, send: async () => void queue.sent++, work: async () => undefined, forgetShop: async () => undefined, stop: async () => undefined };

  it("is due at once when it is connected again after a disconnect", async () => {
    const shop = forShop(SHOP);
    const { integration } = await connectIntegration(shop, "shopify");
    await disconnectIntegration(shop, integration.id, "test");
    const again = await connectIntegration(shop, "shopify");
    expect(again.integration.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await enqueueDueSyncs(queue, db)).toBeGreaterThanOrEqual(1);
    expect((await shop.integration.findUniqueOrThrow({ where: { id: integration.id } })).pendingScope).toBe("full");
  });

  it("gets a next sync time when its first sync fails, so the schedule tries again", async () => {
    const FIRST = "first-sync-test.myshopify.com";
    const shop = forShop(FIRST);
    const { integration } = await connectIntegration(shop, "shopify");
    expect(integration.nextSyncAt).toBeNull();
    const failing = () => Promise.reject(new Error("Shopify did not answer"));
    await expect(executeSync({ shop: FIRST, integrationId: integration.id, trigger: "manual", source: failing })).rejects.toThrow("Shopify did not answer");
    const after = await shop.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(after.nextSyncAt!.getTime()).toBeGreaterThan(Date.now());
    expect(after.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now() + after.syncIntervalMinutes * 60_000);
  });
});
