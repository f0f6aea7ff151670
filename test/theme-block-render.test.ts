// The storefront block's Liquid, rendered: which passport the block shows for the selected variant.
// liquidjs stands in for Shopify's Liquid (the block uses only standard tags and filters, plus
// Shopify's `t` filter, given here from the block's English locale file).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import { beforeAll, describe, expect, it } from "vitest";

const EXT = fileURLToPath(new URL("../extensions/passport-block/", import.meta.url));
const APP = "https://passport.example.com";

let template: string;
let engine: Liquid;

beforeAll(async () => {
  const source = await readFile(path.join(EXT, "blocks", "product-passport.liquid"), "utf8");
  template = source.replace(/\{%-?\s*schema\s*-?%\}[\s\S]*?\{%-?\s*endschema\s*-?%\}/, "");
  const strings = JSON.parse(await readFile(path.join(EXT, "locales", "en.default.json"), "utf8")) as Record<string, Record<string, string>>;
  engine = new Liquid();
  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const [scope, name] = key.split(".");
    const params = Object.fromEntries(args.filter((a): a is [string, unknown] => Array.isArray(a)));
    return strings[scope][name].replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, p: string) => String(params[p] ?? ""));
  });
});

interface VariantSpec {
  id: number;
  title: string;
  passport?: string;
  digitalLink?: string;
}

function metafields(values: Record<string, string | undefined>) {
  const app: Record<string, { value: string }> = {};
  for (const [key, value] of Object.entries(values)) if (value) app[key] = { value };
  return { $app: app };
}

/** The block rendered on a product page, with the shopper's selected variant. */
async function renderBlock(product: { title: string; passport?: string; variants: VariantSpec[]; variantsCount?: number }, selected: number) {
  const variants = product.variants.map((v) => ({ id: v.id, title: v.title, metafields: metafields({ passport_url: v.passport, digital_link_url: v.digitalLink }) }));
  const html = await engine.parseAndRender(template, {
    product: {
      title: product.title,
      has_only_default_variant: product.variants.length === 1 && product.variants[0].title === "Default Title",
      variants,
      // Liquid lists at most 250 variants; variants_count is the product's real total.
      variants_count: product.variantsCount ?? variants.length,
      selected_or_first_available_variant: variants.find((v) => v.id === selected),
      metafields: metafields({ passport_url: product.passport }),
    },
    block: { settings: { show_qr: true, show_link_text: true, qr_size: 120, alignment: "left", padding: 0, margin_top: 16, margin_bottom: 16 }, shopify_attributes: "" },
    request: { design_mode: false },
  });
  const root = /<div\s[^>]*data-passport-block[^>]*>/.exec(html)?.[0] ?? null;
  const data = /<script type="application\/json" data-passport-data>([\s\S]*?)<\/script>/.exec(html)?.[1];
  return {
    html,
    /** What the page shows before the script runs (the block without its variant data). */
    markup: html.replace(/<script[\s\S]*?<\/script>/g, ""),
    shown: root !== null && !/\shidden(\s|>)/.test(root),
    links: [...html.matchAll(/<a [^>]*data-passport-link[^>]*href="([^"]*)"/g)].map((m) => m[1]),
    qr: /<img[^>]*data-passport-qr[^>]*src="([^"]*)"/.exec(html)?.[1] ?? null,
    variants: data ? (JSON.parse(data) as { variants: Record<string, { url: string; qr: string; name: string }> }).variants : null,
    complete: data ? (JSON.parse(data) as { complete?: unknown }).complete : undefined,
  };
}

const S = { id: 1, title: "S", passport: `${APP}/p/small`, digitalLink: `${APP}/01/04006381333931` };
const M = { id: 2, title: "M", passport: `${APP}/p/medium` };
const L = { id: 3, title: "L" }; // no passport of its own (none yet, or held back)
/** A product with several variants: the product-level link is its first variant's passport. */
const TEE = { title: "Organic Tee", passport: S.passport, variants: [S, M, L] };

describe("the storefront block's passport for the selected variant", () => {
  it("shows the selected variant's own passport: link and QR code", async () => {
    const block = await renderBlock(TEE, M.id);
    expect(block.shown).toBe(true);
    expect(block.links).toEqual([M.passport]);
    expect(block.qr).toBe(`${M.passport}/qr.svg`);
  });

  it("is hidden for a variant without a passport of its own, and never offers another variant's passport for it", async () => {
    const block = await renderBlock(TEE, L.id);
    expect(block.shown).toBe(false);
    expect(block.markup).not.toContain(S.passport);
    expect(block.qr).toBeNull();
    // The script switches to L from the same data: nothing to show there either.
    expect(block.variants?.[String(L.id)]).toMatchObject({ url: "", qr: "" });
    expect(block.variants?.[String(S.id)]).toMatchObject({ url: S.passport, qr: `${S.passport}/qr.svg` });
  });

  it("uses the product's link for a product with one variant", async () => {
    const single = { title: "Scarf", passport: `${APP}/p/scarf`, variants: [{ id: 9, title: "Default Title" }] };
    const block = await renderBlock(single, 9);
    expect(block.shown).toBe(true);
    expect(block.links).toEqual([single.passport]);
    expect(block.variants?.["9"]).toMatchObject({ url: single.passport, name: "Scarf" });
  });

  it("tells the script whether its variant data lists every variant (Liquid lists at most 250)", async () => {
    expect((await renderBlock(TEE, M.id)).complete).toBe(true);
    // 300 variants: product.variants gives the first 250 (here three stand in for them).
    const large = await renderBlock({ ...TEE, variantsCount: 300 }, M.id);
    expect(large.complete).toBe(false);
    expect(large.shown).toBe(true);
    expect(Object.keys(large.variants ?? {})).toEqual(["1", "2", "3"]);
  });

  it("renders nothing when no variant has a passport (held back, or a draft product)", async () => {
    const block = await renderBlock({ title: "Organic Tee", variants: [L, { id: 4, title: "XL" }] }, L.id);
    expect(block.html.trim()).toBe("");
  });
});
