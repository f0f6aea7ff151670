// shopify.app.toml's metafield definitions: the ones the app writes and the storefront block reads,
// under owner keys Shopify's CLI accepts (it refuses an unknown section, such as
// "product_variant", and then deploys none of the configuration), readable by the storefront.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DIGITAL_LINK_URL_KEY, PASSPORT_URL_KEY } from "../app/integrations/shopify/writeback.server";

const toml = readFileSync("shopify.app.toml", "utf8");
/** Each `[owner.metafields.app.key]` section with its body (up to the next section). */
const definitions = [...toml.matchAll(/^\[(\w+)\.metafields\.app\.(\w+)\]\n((?:(?!\[)[^\n]*\n?)*)/gm)].map((m) => ({ owner: m[1], key: m[2], body: m[3] }));

describe("metafield definitions in shopify.app.toml", () => {
  it("declare what the app writes, under the owner keys the CLI knows", () => {
    expect(definitions.map((d) => `${d.owner}.${d.key}`).sort()).toEqual(
      [`product.${PASSPORT_URL_KEY}`, `variant.${DIGITAL_LINK_URL_KEY}`, `variant.${PASSPORT_URL_KEY}`].sort(),
    );
  });

  it("are readable by the storefront and typed as URLs", () => {
    for (const d of definitions) {
      expect(d.body, `${d.owner}.${d.key}`).toMatch(/^access\.storefront = "public_read"$/m);
      expect(d.body, `${d.owner}.${d.key}`).toMatch(/^type = "url"$/m);
    }
  });
});
