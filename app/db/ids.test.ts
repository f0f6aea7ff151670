import { describe, expect, it } from "vitest";
import { newPublicId, newRowId, rowIdAt } from "./ids";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newRowId", () => {
  it("is a UUID version 7 that starts with the time in milliseconds", () => {
    const now = Date.now() + 3_600_000; // later than any id made before in this process
    const id = newRowId(now);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it("gives ids that sort in the order they were made, also many within one millisecond", () => {
    const now = Date.now() + 7_200_000; // later than any id made before in this process
    const ids = Array.from({ length: 10_000 }, () => newRowId(now));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    // A clock that steps back does not break the order.
    const after = newRowId(now - 5_000);
    expect(after > ids[ids.length - 1]).toBe(true);
  });
});

describe("newPublicId", () => {
  it("is 128 random bits in 22 URL-safe characters, never the same twice", () => {
    // More ids than the random pool holds at once, so it is refilled (also between an id's halves).
    const ids = Array.from({ length: 40_000 }, () => newPublicId());
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Every bit varies: no byte of the 16 is the same in all ids.
    const bytes = ids.slice(0, 64).map((id) => Buffer.from(id, "base64url"));
    for (let i = 0; i < 16; i++) expect(new Set(bytes.map((b) => b[i])).size).toBeGreaterThan(1);
  });
});

describe("rowIdAt", () => {
  it("is the same for the same millisecond and seed, and sorts before the ids made in that millisecond", () => {
    const ms = Date.now() + 10_800_000; // later than any id made before in this process
    const first = rowIdAt(ms, "p1|title|en");
    expect(first).toMatch(UUID_V7);
    expect(parseInt(first.slice(0, 8) + first.slice(9, 13), 16)).toBe(ms);
    expect(rowIdAt(ms, "p1|title|en")).toBe(first);
    expect(rowIdAt(ms, "p1|title|de")).not.toBe(first);
    const later = Array.from({ length: 100 }, () => newRowId(ms));
    expect(later.every((id) => id > first)).toBe(true);
  });
});
