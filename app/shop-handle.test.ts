import { describe, expect, it } from "vitest";
import { shopFromHandle, shopHandle } from "./shop-handle";

describe("shop handles", () => {
  it("name a myshopify shop by its handle, and the handle names the shop again", () => {
    expect(shopHandle("brand.myshopify.com")).toBe("brand");
    expect(shopFromHandle("brand")).toBe("brand.myshopify.com");
    expect(shopFromHandle("Brand")).toBe("brand.myshopify.com");
  });

  it("keep a domain that is not a myshopify one whole", () => {
    expect(shopHandle("shop.example.com")).toBe("shop.example.com");
    expect(shopFromHandle("shop.example.com")).toBe("shop.example.com");
  });

  it("refuse path segments that cannot name a shop", () => {
    for (const segment of ["", "-brand", "brand/../x", "br and", "brand%2F", "a".repeat(256)]) expect(shopFromHandle(segment)).toBeNull();
  });
});
