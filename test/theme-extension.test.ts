/* eslint-disable @typescript-eslint/no-explicit-any -- parsed JSON schema files and browser-page globals */
// Tests for the storefront theme app extension (extensions/passport-block):
//  1. theme-check with Shopify's theme-app-extension config reports nothing (and can fail);
//  2. the block schema and the locale files are complete and consistent;
//  3. the block's JavaScript, in Debian's Chromium on a fixture product page, follows the
//     variant picker; without JavaScript the selected variant's passport link is still there.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { themeCheckRun, type Offense } from "@shopify/theme-check-node";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const EXT = path.join(REPO, "extensions", "passport-block");
const BLOCK_FILE = path.join(EXT, "blocks", "product-passport.liquid");
const FIXTURE_FILE = path.join(REPO, "test", "fixtures", "theme-extension", "product.html");
const SCREENSHOT = path.join(REPO, "test-results", "theme-block.png");

const LOCALES = ["de", "fr", "it"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

async function readJson(file: string): Promise<Json> {
  return JSON.parse(await readFile(file, "utf8")) as Json;
}

/** "a.b.c" → value for every leaf of a locale file. */
function flatten(value: Json, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, String(value));
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
}

async function blockSchema(): Promise<Record<string, any>> {
  const source = await readFile(BLOCK_FILE, "utf8");
  const match = source.match(/\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/);
  if (!match) throw new Error("no {% schema %} in the block");
  return JSON.parse(match[1]);
}

async function runThemeCheck(root: string): Promise<Offense[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "passport-theme-check-"));
  try {
    const config = path.join(dir, ".theme-check.yml");
    await writeFile(config, "extends: theme-check:theme-app-extension\n");
    const { offenses } = await themeCheckRun(root, config);
    return offenses;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function describeOffenses(offenses: Offense[]): string {
  return offenses
    .map((o) => `${o.check} ${path.basename(o.uri)}:${(o.start?.line ?? 0) + 1} ${o.message}`)
    .join("\n");
}

describe("theme app extension: theme-check", () => {
  it("has the files Shopify expects", async () => {
    const toml = await readFile(path.join(EXT, "shopify.extension.toml"), "utf8");
    expect(toml).toMatch(/^type\s*=\s*"theme"\s*$/m);
    expect(toml).toMatch(/^name\s*=\s*".+"\s*$/m);
    for (const dir of ["blocks", "assets", "locales"]) {
      expect((await stat(path.join(EXT, dir))).isDirectory()).toBe(true);
    }
  });

  it("reports zero offenses with the theme-app-extension config", async () => {
    const offenses = await runThemeCheck(EXT);
    expect(describeOffenses(offenses)).toBe("");
    expect(offenses).toHaveLength(0);
  });

  it("does report offenses for a broken copy (the check above can fail)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "passport-block-broken-"));
    try {
      await cp(EXT, dir, { recursive: true });
      const block = path.join(dir, "blocks", "product-passport.liquid");
      const source = await readFile(block, "utf8");
      const broken = source
        // an <img> without width/height, served from outside the Shopify CDN
        .replace("<div class=\"passport-block__body\">", '<div class="passport-block__body"><img src="https://example.com/x.png" alt="">')
        // a storefront translation key that does not exist
        .replace("'passport_block.editor_empty' | t", "'passport_block.no_such_key' | t")
        // a tag app blocks may not use
        .replace("{%- if block.settings.heading != blank -%}", "{% include 'missing' %}{%- if block.settings.heading != blank -%}");
      expect(broken).not.toBe(source);
      await writeFile(block, broken);
      // and a German schema translation that no longer matches the English keys
      const de = (await readJson(path.join(dir, "locales", "de.schema.json"))) as Record<string, any>;
      delete de.settings.qr_size;
      await writeFile(path.join(dir, "locales", "de.schema.json"), JSON.stringify(de));

      const checks = new Set((await runThemeCheck(dir)).map((o) => o.check));
      expect(checks).toContain("ImgWidthAndHeight");
      expect(checks).toContain("TranslationKeyExists");
      expect(checks).toContain("AppBlockValidTags");
      expect(checks).toContain("MatchingTranslations");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("theme app extension: schema and locales", () => {
  it("every locale file has exactly the keys of its en.default file", async () => {
    const files = await readdir(path.join(EXT, "locales"));
    for (const kind of ["", ".schema"]) {
      const base = flatten(await readJson(path.join(EXT, "locales", `en.default${kind}.json`)));
      expect(base.size).toBeGreaterThan(0);
      for (const locale of LOCALES) {
        const file = `${locale}${kind}.json`;
        expect(files, `locales/${file} is missing`).toContain(file);
        const other = flatten(await readJson(path.join(EXT, "locales", file)));
        expect([...other.keys()].sort(), file).toEqual([...base.keys()].sort());
        for (const [key, text] of base) {
          const translated = other.get(key) ?? "";
          expect(translated.trim(), `${file} ${key} is empty`).not.toBe("");
          expect(placeholders(translated), `${file} ${key} placeholders`).toEqual(placeholders(text));
        }
      }
      // No stray locale files that the test does not know about.
      const known = ["en.default", ...LOCALES].map((l) => `${l}${kind}.json`);
      const present = files.filter((f) => (kind ? f.endsWith(".schema.json") : !f.endsWith(".schema.json")));
      expect(present.sort()).toEqual(known.sort());
    }
  });

  it("storefront strings are safe to place in HTML attributes", async () => {
    for (const locale of ["en.default", ...LOCALES]) {
      for (const [key, text] of flatten(await readJson(path.join(EXT, "locales", `${locale}.json`)))) {
        expect(text, `${locale} ${key}`).not.toMatch(/[<>"&]/);
      }
    }
  });

  it("the app block schema targets product pages and its settings are valid", async () => {
    const schema = await blockSchema();
    expect(schema.target).toBe("section");
    expect(schema.enabled_on).toEqual({ templates: ["product"] });
    expect(schema.templates).toBeUndefined(); // deprecated in favour of enabled_on

    for (const asset of [schema.javascript, schema.stylesheet]) {
      expect(existsSync(path.join(EXT, "assets", asset)), asset).toBe(true);
    }

    // Names of blocks are limited to 25 characters, in every language.
    for (const locale of ["en.default", ...LOCALES]) {
      const strings = flatten(await readJson(path.join(EXT, "locales", `${locale}.schema.json`)));
      const name = strings.get(String(schema.name).replace(/^t:/, ""));
      expect(name, `${locale} block name`).toBeTruthy();
      expect(name!.length, `${locale} block name`).toBeLessThanOrEqual(25);
    }

    const ids = new Set<string>();
    const settings = schema.settings as Array<Record<string, any>>;
    for (const setting of settings) {
      if (setting.type === "header") continue;
      expect(ids.has(setting.id), `duplicate setting ${setting.id}`).toBe(false);
      ids.add(setting.id);
      if (setting.type === "range") {
        const { min, max, step, default: def } = setting;
        expect((max - min) / step, setting.id).toBeLessThanOrEqual(100);
        expect(Number.isInteger((max - min) / step), setting.id).toBe(true);
        expect(def, setting.id).toBeGreaterThanOrEqual(min);
        expect(def, setting.id).toBeLessThanOrEqual(max);
        expect(Number.isInteger((def - min) / step), setting.id).toBe(true);
      }
    }
    const qr = settings.find((s) => s.id === "qr_size")!;
    expect([qr.min, qr.max]).toEqual([80, 240]);
    for (const id of ["heading", "label", "show_link_text", "show_qr", "qr_size", "alignment", "text_color", "background_color"]) {
      expect(ids, id).toContain(id);
    }
  });

  it("reads the passport metafields through the app-reserved $app namespace", async () => {
    const source = (await readFile(BLOCK_FILE, "utf8")).replace(/\{%-?\s*comment[\s\S]*?endcomment\s*-?%\}/g, "");
    expect(source).toContain("dpp_product.metafields['$app'].passport_url.value");
    expect(source).toContain("dpp_variant.metafields['$app'].passport_url.value");
    expect(source).toContain("dpp_item.metafields['$app'].passport_url.value");
    expect(source).toContain("dpp_item.metafields['$app'].digital_link_url.value");
    // metafields.app.<key> is a namespace literally called "app": always nil in Liquid.
    expect(source).not.toMatch(/metafields\.app\./);
  });

  it("the browser fixture uses the same hooks as the Liquid block", async () => {
    const liquid = await readFile(BLOCK_FILE, "utf8");
    const fixture = await readFile(FIXTURE_FILE, "utf8");
    const markup = liquid.slice(liquid.indexOf("{%- endcomment -%}"), liquid.indexOf("{% schema %}"));
    const hooks = new Set([...markup.matchAll(/\b(data-(?:passport|qr|link|variant|digital)[\w-]*)/g)].map((m) => m[1]));
    const classes = new Set([...markup.matchAll(/\b(passport-block(?:__[\w-]+|--[a-z]+)?)\b/g)].map((m) => m[1]));
    classes.delete("passport-block--empty"); // theme editor placeholder when there is no passport
    classes.delete("passport-block__qr-link"); // only when the link text is switched off
    classes.delete("passport-block--"); // passport-block--{{ alignment }}
    expect(hooks.size).toBeGreaterThan(5);
    for (const name of [...hooks, ...classes]) expect(fixture, name).toContain(name);
    for (const key of ["complete", "url", "qr", "name", "digitalLink"]) {
      expect(liquid).toContain(`"${key}":`);
      expect(fixture).toContain(`"${key}":`);
    }
  });
});

// ---------------------------------------------------------------------------
// Browser: the JavaScript asset on a fixture product page.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const SHOP = "http://shop.test";
const PRODUCT_PATH = "/products/organic-cotton-t-shirt";
const APP_ORIGIN = "https://passport.example.com";

const S = "44000000001";
const M = "44000000002";
const L = "44000000003";

interface VariantData {
  url: string;
  qr: string;
  name: string;
  digitalLink: string;
}

function fixtureVariants(html: string): Record<string, VariantData> {
  const match = html.match(/<script type="application\/json" data-passport-data>([\s\S]*?)<\/script>/);
  if (!match) throw new Error("fixture has no passport data");
  return (JSON.parse(match[1]) as { variants: Record<string, VariantData> }).variants;
}

interface Opened {
  context: BrowserContext;
  page: Page;
  problems: string[];
  unexpected: string[];
  qrRequests: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

async function open(
  browser: Browser,
  html: string,
  { javaScriptEnabled = true, query = "" }: { javaScriptEnabled?: boolean; query?: string } = {},
): Promise<Opened> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 720, height: 640 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const unexpected: string[] = [];
  const qrRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));

  // Every request is answered here: nothing leaves the machine.
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === SHOP && url.pathname === PRODUCT_PATH) {
      return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    }
    if (url.origin === SHOP && url.pathname.startsWith("/assets/")) {
      const file = path.join(EXT, "assets", path.basename(url.pathname));
      if (existsSync(file)) {
        return route.fulfill({
          status: 200,
          contentType: CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
          body: await readFile(file, "utf8"),
        });
      }
    }
    if (url.origin === APP_ORIGIN && /^\/p\/[\w-]+\/qr\.svg$/.test(url.pathname)) {
      qrRequests.push(url.href);
      const svg = await QRCode.toString(url.href.replace(/\/qr\.svg$/, ""), { type: "svg", margin: 1 });
      return route.fulfill({ status: 200, contentType: "image/svg+xml", body: svg });
    }
    unexpected.push(url.href);
    return route.abort();
  });

  await page.goto(`${SHOP}${PRODUCT_PATH}${query}`, { waitUntil: "load" });
  if (javaScriptEnabled) await page.waitForFunction(() => Boolean((window as any).PassportBlock));
  return { context, page, problems, unexpected, qrRequests };
}

interface BlockState {
  variantId: string | null;
  hidden: boolean;
  visible: boolean;
  hrefs: string[];
  src: string | null;
  alt: string | null;
  context: string | null;
  digitalLink: string | null;
}

function blockState(page: Page): Promise<BlockState> {
  return page.evaluate(() => {
    const root = document.querySelector<HTMLElement>("[data-passport-block]")!;
    const img = root.querySelector("img[data-passport-qr]");
    return {
      variantId: root.getAttribute("data-variant-id"),
      hidden: root.hidden,
      visible: root.getBoundingClientRect().height > 0,
      hrefs: [...root.querySelectorAll("[data-passport-link]")].map((a) => a.getAttribute("href") ?? ""),
      src: img?.getAttribute("src") ?? null,
      alt: img?.getAttribute("alt") ?? null,
      context: root.querySelector("[data-passport-context]")?.textContent ?? null,
      digitalLink: root.getAttribute("data-digital-link"),
    };
  });
}

/** What the block looks like once the script has hidden it: nothing shown, no variant remembered. */
const HIDDEN = { hidden: true, visible: false, variantId: null, digitalLink: null };

/** Adds another section with a product form (a quick add or featured product of another product). */
function addOtherSection(page: Page): Promise<void> {
  return page.evaluate(() => {
    const section = document.createElement("div");
    section.className = "shopify-section";
    section.id = "shopify-section-template--1__featured";
    section.innerHTML = '<form action="/cart/add" id="other-form"><input type="hidden" name="id" value="55000000001"></form>';
    document.querySelector("main")!.append(section);
  });
}

function expected(variants: Record<string, VariantData>, id: string) {
  const v = variants[id];
  return {
    variantId: id,
    hidden: false,
    visible: true,
    hrefs: [v.url],
    src: v.qr,
    alt: `QR code for the Digital Product Passport of ${v.name}`,
    context: `(for ${v.name})`,
    digitalLink: v.digitalLink || null,
  };
}

describe("theme app extension: storefront JavaScript in Chromium", () => {
  let browser: Browser;
  let html: string;
  let variants: Record<string, VariantData>;
  const opened: Opened[] = [];

  async function openPage(...args: Parameters<typeof open> extends [Browser, ...infer R] ? R : never) {
    const result = await open(browser, ...args);
    opened.push(result);
    return result;
  }

  function expectClean(o: Opened) {
    expect(o.problems).toEqual([]);
    expect(o.unexpected).toEqual([]);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`);
    }
    html = await readFile(FIXTURE_FILE, "utf8");
    variants = fixtureVariants(html);
    expect(Object.keys(variants)).toEqual([S, M, L]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
  });

  it("follows the theme's variant picker (input change + ?variant= URL)", async () => {
    const o = await openPage(html);
    const { page } = o;
    expect(await blockState(page)).toEqual(expected(variants, S));

    const events: string[] = [];
    await page.exposeFunction("recordPassportEvent", (id: string) => events.push(id));
    await page.evaluate(() => {
      document.addEventListener("passport:variant", (e) => (window as any).recordPassportEvent((e as CustomEvent).detail.variantId));
    });

    await page.getByText("M", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));
    expect(new URL(page.url()).searchParams.get("variant")).toBe(M);

    // Wait for the QR image to load, then keep a picture of the block for people to look at.
    await page.locator("img[data-passport-qr]").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("img[data-passport-qr]");
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByText("L", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));
    expect(events).toEqual([M, L]);

    // The QR image is the only thing fetched from the app, at the size the merchant chose.
    const size = await page.locator("img[data-passport-qr]").evaluate((img: HTMLImageElement) => [img.width, img.height, img.loading]);
    expect(size).toEqual([120, 120, "lazy"]);
    expect(o.qrRequests.every((u) => Object.values(variants).some((v) => v.qr === u))).toBe(true);
    expectClean(o);
  });

  it("follows custom variant events, history changes and a product-form select; ignores other products", async () => {
    const o = await openPage(html);
    const { page } = o;

    // Dawn-derived themes: variant:change on document with detail.variant.
    await page.evaluate((id) => {
      document.dispatchEvent(new CustomEvent("variant:change", { detail: { variant: { id: Number(id) } } }));
    }, L);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));

    // variant:changed dispatched on the form, not bubbling, with a GraphQL-style id.
    await page.evaluate((id) => {
      const form = document.querySelector("form")!;
      form.dispatchEvent(new CustomEvent("variant:changed", { bubbles: false, detail: { variant: { id: `gid://shopify/ProductVariant/${id}` } } }));
    }, M);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // Horizon-style variant:update (detail.resource is the variant).
    await page.evaluate((id) => {
      document.querySelector("product-info")!.dispatchEvent(new CustomEvent("variant:update", { bubbles: true, detail: { resource: { id: Number(id) } } }));
    }, S);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, S));

    // A variant of another product (quick add, featured product) changes nothing.
    await page.evaluate(() => {
      document.dispatchEvent(new CustomEvent("variant:change", { detail: { variant: { id: 99999999999 } } }));
      document.dispatchEvent(new CustomEvent("variant:change", { detail: { variant: null } }));
      document.dispatchEvent(new CustomEvent("variant:change"));
      window.history.replaceState({}, "", "?variant=12345");
    });
    await page.waitForTimeout(50);
    expect(await blockState(page)).toEqual(expected(variants, S));

    // Only the URL changes (a theme that calls history.replaceState and nothing else).
    await page.evaluate((id) => window.history.replaceState({}, "", `?variant=${id}`), L);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));

    // pushState and then the browser's back button (popstate).
    await page.evaluate((id) => window.history.pushState({}, "", `?variant=${id}`), M);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));
    await page.goBack();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));

    // A theme that uses a <select name="id"> in its product form.
    await page.evaluate((ids) => {
      const select = document.createElement("select");
      select.name = "id";
      for (const id of ids) select.add(new Option(id, id));
      document.querySelector("form")!.append(select);
    }, [S, M, L]);
    await page.selectOption('select[name="id"]', S);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, S));

    expectClean(o);
  });

  it("opens on the variant in the URL and picks up blocks the theme renders later", async () => {
    const o = await openPage(html, { query: `?variant=${M}` });
    const { page } = o;
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // The theme re-renders the section (as Dawn does for combined listings, or the theme editor):
    // the new markup is initialised and follows later changes. A broken copy is ignored quietly.
    await page.evaluate(() => {
      const old = document.querySelector("[data-passport-block]")!;
      const fresh = old.cloneNode(true) as HTMLElement;
      delete (fresh as any).__passportBlock;
      const broken = old.cloneNode(true) as HTMLElement;
      broken.querySelector("script[data-passport-data]")!.textContent = "{not json";
      broken.id = "broken";
      old.replaceWith(fresh);
      fresh.after(broken);
    });
    await page.evaluate((id) => {
      document.dispatchEvent(new CustomEvent("variant:changed", { detail: { variant: { id: Number(id) } } }));
    }, L);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));
    expectClean(o);
  });

  it("hides the block for a variant without a passport and shows it again", async () => {
    const none = html.replace(
      /"44000000003":\{"url":"[^"]*","qr":"[^"]*"/,
      '"44000000003":{"url":"","qr":""',
    );
    expect(none).not.toBe(html);
    const o = await openPage(none);
    const { page } = o;
    await page.getByText("L", { exact: true }).click();
    await expect.poll(async () => (await blockState(page)).hidden).toBe(true);
    expect((await blockState(page)).visible).toBe(false);
    await page.getByText("M", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));
    expectClean(o);
  });

  it("hides the block when the theme selects no variant (Dawn: an unavailable combination)", async () => {
    const o = await openPage(html);
    const { page } = o;
    await addOtherSection(page);
    await page.getByText("M", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // Another section's product form selects nothing: not this block's product.
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('#other-form input[name="id"]')!;
      input.value = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await page.waitForTimeout(50);
    expect(await blockState(page)).toEqual(expected(variants, M));

    // Dawn 15 on an unavailable combination: id input '' + change, ?variant= removed from the URL.
    await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('#product-form-main-product input[name="id"]')!;
      input.value = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
      window.history.replaceState({}, "", document.querySelector<HTMLElement>("product-info")!.dataset.url!);
    });
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);
    await page.waitForTimeout(50);
    expect(await blockState(page)).toMatchObject(HIDDEN);

    // An available combination again: the block comes back with that variant.
    await page.getByText("L", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));
    // The block reads the theme's ?variant=L on its next task (the form's change showed L before):
    // a rewrite before then would look like no change of the URL at all.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));

    // A theme that only rewrites the URL: ?variant= disappears.
    await page.evaluate(() => window.history.replaceState({}, "", window.location.pathname));
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);
    await page.evaluate((id) => window.history.replaceState({}, "", `?variant=${id}`), S);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, S));
    expectClean(o);
  });

  it("hides the block for Horizon's variant:update without a variant (resource null)", async () => {
    const o = await openPage(html);
    const { page } = o;
    await addOtherSection(page);
    const update = (selector: string, id: string | null) =>
      page.evaluate(
        ([sel, variant]) => {
          // Horizon's VariantUpdateEvent: a bubbling Event whose detail is set on the instance.
          const event = new Event("variant:update", { bubbles: true }) as Event & { detail: unknown };
          event.detail = { resource: variant === null ? null : { id: Number(variant) }, sourceId: "picker", data: { html: "" } };
          document.querySelector(sel)!.dispatchEvent(event);
        },
        [selector, id] as const,
      );

    await update("product-info", M);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // From another section, or from the document: not attributable to this block's product.
    await update("#other-form", null);
    await page.evaluate(() => document.dispatchEvent(new CustomEvent("variant:update", { detail: { resource: null } })));
    await page.waitForTimeout(50);
    expect(await blockState(page)).toEqual(expected(variants, M));

    await update("product-info", null);
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);

    await update("product-info", M);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));
    expectClean(o);
  });

  it("hides the block for a variant missing from an incomplete map (more than 250 variants)", async () => {
    const beyond = "44000000999"; // variant 251+: not in product.variants, so not in the JSON
    const incomplete = html.replace('"complete":true', '"complete":false');
    expect(incomplete).not.toBe(html);

    // Opened on that variant: Liquid rendered its passport (here S's markup stands in), the script keeps it.
    const served = incomplete.replace('data-variant-id="44000000001"', `data-variant-id="${beyond}"`);
    expect(served).not.toBe(incomplete);
    const first = await openPage(served, { query: `?variant=${beyond}` });
    await first.page.waitForTimeout(50);
    expect(await blockState(first.page)).toEqual({ ...expected(variants, S), variantId: beyond });
    expectClean(first);

    const o = await openPage(incomplete);
    const { page } = o;
    await addOtherSection(page);
    const change = (form: string, id: string) =>
      page.evaluate(
        ([sel, value]) => {
          const input = document.querySelector<HTMLInputElement>(`${sel} input[name="id"]`)!;
          input.value = value;
          input.dispatchEvent(new Event("change", { bubbles: true }));
        },
        [form, id] as const,
      );

    // Another section's variant of another product still changes nothing.
    await change("#other-form", "55000000002");
    await page.waitForTimeout(50);
    expect(await blockState(page)).toEqual(expected(variants, S));

    // This product's variant past the first 250: its passport is unknown here, so nothing is shown.
    await change("#product-form-main-product", beyond);
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);
    await change("#product-form-main-product", M);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // The same through a URL-only theme and a document-level event.
    await page.evaluate((id) => window.history.replaceState({}, "", `?variant=${id}`), beyond);
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);
    await page.evaluate((id) => window.history.replaceState({}, "", `?variant=${id}`), L);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));
    await page.evaluate((id) => {
      document.dispatchEvent(new CustomEvent("variant:change", { detail: { variant: { id: Number(id) } } }));
    }, beyond);
    await expect.poll(() => blockState(page)).toMatchObject(HIDDEN);
    expectClean(o);
  });

  it("follows the new product after the theme updates the block in place (Horizon, combined listings)", async () => {
    const o = await openPage(html);
    const { page } = o;
    await page.getByText("M", { exact: true }).click();
    await expect.poll(() => blockState(page)).toEqual(expected(variants, M));

    // The theme morphs the section to another product of the listing: same block element, new
    // server-rendered variant id and JSON (the rest of the markup is left to the script here).
    const other: Record<string, VariantData> = {
      "45000000001": { url: `${APP_ORIGIN}/p/pp_linen_s`, qr: `${APP_ORIGIN}/p/pp_linen_s/qr.svg`, name: "Linen Shirt – S", digitalLink: "" },
      "45000000002": {
        url: `${APP_ORIGIN}/p/pp_linen_m`,
        qr: `${APP_ORIGIN}/p/pp_linen_m/qr.svg`,
        name: "Linen Shirt – M",
        digitalLink: `${APP_ORIGIN}/01/04012345999992`,
      },
    };
    await page.evaluate((json) => {
      const root = document.querySelector("[data-passport-block]")!;
      root.setAttribute("data-variant-id", "45000000002");
      root.querySelector("script[data-passport-data]")!.textContent = json;
    }, JSON.stringify({ complete: true, variants: other }));
    await expect.poll(() => blockState(page)).toEqual(expected(other, "45000000002"));

    // Its variants switch; the previous product's are no longer this block's.
    await page.evaluate(() => {
      const event = new Event("variant:update", { bubbles: true }) as Event & { detail: unknown };
      event.detail = { resource: { id: 45000000001 } };
      document.querySelector("product-info")!.dispatchEvent(event);
    });
    await expect.poll(() => blockState(page)).toEqual(expected(other, "45000000001"));
    await page.evaluate((id) => {
      document.dispatchEvent(new CustomEvent("variant:change", { detail: { variant: { id: Number(id) } } }));
    }, L);
    await page.waitForTimeout(50);
    expect(await blockState(page)).toEqual(expected(other, "45000000001"));

    // Text-only morph of the JSON (a changed text node): picked up too.
    await page.evaluate((json) => {
      const root = document.querySelector("[data-passport-block]")!;
      root.setAttribute("data-variant-id", "44000000003");
      root.querySelector("script[data-passport-data]")!.firstChild!.nodeValue = json;
    }, JSON.stringify({ complete: true, variants }));
    await expect.poll(() => blockState(page)).toEqual(expected(variants, L));
    await page.evaluate((id) => window.history.replaceState({}, "", `?variant=${id}`), S);
    await expect.poll(() => blockState(page)).toEqual(expected(variants, S));
    expectClean(o);
  });

  it("without JavaScript, shows the selected (first) variant's passport link and QR code", async () => {
    const o = await openPage(html, { javaScriptEnabled: false });
    const { page } = o;
    const link = page.getByRole("link", { name: /View Digital Product Passport/ });
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.getAttribute("href")).toBe(variants[S].url);
    expect(await link.isVisible()).toBe(true);
    // The accessible name says which product the passport belongs to.
    expect(await link.evaluate((a) => a.textContent!.replace(/\s+/g, " ").trim())).toBe(
      `View Digital Product Passport (for ${variants[S].name})`,
    );
    const img = page.getByRole("img", { name: `QR code for the Digital Product Passport of ${variants[S].name}` });
    expect(await img.getAttribute("src")).toBe(variants[S].qr);
    expect(o.unexpected).toEqual([]);
  });
});
