// Every webhook the app subscribes to in shopify.app.toml has a route that receives it: Shopify
// would otherwise get a 404 for each delivery and eventually remove the subscription.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const toml = readFileSync("shopify.app.toml", "utf8");
const uris = [...toml.matchAll(/^\s*uri\s*=\s*"(\/webhooks\/[^"]+)"/gm)].map((m) => m[1]);

describe("webhook subscriptions", () => {
  it("are listed", () => {
    expect(uris).toContain("/webhooks/shop/update");
    expect(uris).toContain("/webhooks/products/update");
  });

  it.each(uris)("%s has its route", (uri) => {
    // Remix flat routes: /webhooks/shop/update → app/routes/webhooks.shop.update.tsx
    const file = `app/routes/${uri.slice(1).split("/").join(".")}.tsx`;
    expect(existsSync(file), file).toBe(true);
  });
});
