import { describe, expect, it } from "vitest";
import { CrossShopWriteError, forShop } from "../db/scoped.server";
import { insertRows } from "./bulk-insert.server";
import { OTHER_SHOP, TEST_SHOP } from "../../test/support/constants";

describe("insertRows", () => {
  it("inserts many rows in few statements, with dates and booleans read back by Prisma", async () => {
    const db = forShop(TEST_SHOP);
    const now = new Date("2026-11-27T10:11:12.345Z");
    const earlier = new Date("2025-01-02T03:04:05.006Z");
    const rows = Array.from({ length: 4500 }, (_, i) => ({
      id: `p${i}`,
      shop: TEST_SHOP,
      handle: `h${i}`,
      title: `T${i}`,
      vendor: "",
      archivedAt: i % 2 ? now : null,
      passportHeld: i % 3 === 0,
      originId: null,
      completeness: 0,
      createdAt: i % 5 ? now : earlier,
      updatedAt: now,
    }));
    await db.$transaction((tx) => insertRows(tx, "Product", rows));
    expect(await db.product.count()).toBe(4500);
    const p = await db.product.findUniqueOrThrow({ where: { id: "p3" } });
    expect(p).toMatchObject({ passportHeld: true, createdAt: now, archivedAt: now });
    // Dates that change from row to row (each is written as its own).
    expect(await db.product.findUniqueOrThrow({ where: { id: "p5" } })).toMatchObject({ createdAt: earlier, updatedAt: now, archivedAt: now });
    expect(await db.product.count({ where: { createdAt: earlier } })).toBe(900);
    expect(await db.product.count({ where: { createdAt: { lt: new Date("2026-11-27T10:11:12.346Z") } } })).toBe(4500);
  });

  it("refuses a row of another shop", async () => {
    const db = forShop(TEST_SHOP);
    await expect(db.$transaction((tx) => insertRows(tx, "Shop", [{ shop: OTHER_SHOP }]))).rejects.toBeInstanceOf(CrossShopWriteError);
  });
});
