import { describe, expect, it } from "vitest";
import { likeRegExp } from "./sqlite-like";

const like = (pattern: string, value: string) => likeRegExp(pattern).test(value);

describe("SQLite's LIKE as the app's connections have it", () => {
  it("matches % and _ as LIKE does, and any letter in any case", () => {
    expect(like("%über%", "Die ÜBER Jacke")).toBe(true);
    expect(like("été%", "ÉTÉ 2026")).toBe(true);
    expect(like("tee_", "TEE-")).toBe(true);
    expect(like("a%%b", "a\nx\nb")).toBe(true); // % spans lines
    expect(like("tee", "tee-1")).toBe(false);
  });

  it("takes the character after a backslash literally, as PostgreSQL does", () => {
    expect(like("TEE\\_%", "TEE_1")).toBe(true);
    expect(like("TEE\\_%", "TEE-1")).toBe(false);
    expect(like("100\\%", "100%")).toBe(true);
    expect(like("100\\%", "1000")).toBe(false);
    expect(like("a\\\\b", "a\\b")).toBe(true);
    expect(like("(.*)+[x]", "(.*)+[x]")).toBe(true); // RegExp characters are plain text
  });
});
