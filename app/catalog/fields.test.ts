import { fullFormats } from "ajv-formats/dist/formats";
import { describe, expect, it } from "vitest";
import { canonicalJson, fieldDef, normalizeHttpUrl, parseFieldValue, salesStatusOf } from "./fields";

describe("product status", () => {
  it("takes Shopify's statuses in any case, stored in lower case", () => {
    expect(parseFieldValue("status", " Draft ")).toEqual({ ok: true, value: "draft" });
    expect(parseFieldValue("status", "ARCHIVED")).toEqual({ ok: true, value: "archived" });
    expect(parseFieldValue("status", "unlisted")).toEqual({ ok: true, value: "unlisted" });
  });

  it("refuses anything else, saying which values it takes", () => {
    expect(parseFieldValue("status", "sold out")).toEqual({ ok: false, error: "Product status: is not one of the values it takes (active, unlisted, draft or archived)" });
  });

  it("is structure the primary integration owns by default, kept off the passport itself", () => {
    expect(fieldDef("status")).toMatchObject({ level: "product", defaultOwner: "primary", passport: false });
  });

  it("decides publication: a draft is not published, an archived product is no longer sold, no status is sold", () => {
    expect(salesStatusOf({})).toEqual({ published: true, noLongerSold: false });
    expect(salesStatusOf({ status: "active" })).toEqual({ published: true, noLongerSold: false });
    expect(salesStatusOf({ status: "unlisted" })).toEqual({ published: true, noLongerSold: false });
    expect(salesStatusOf({ status: "draft" })).toEqual({ published: false, noLongerSold: false });
    expect(salesStatusOf({ status: "archived" })).toEqual({ published: true, noLongerSold: true });
  });
});

describe("limits on lists and names", () => {
  it("says what is too long or too many, and what to do, in the merchant's words", () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `https://cdn.example.com/${i}.jpg` }));
    expect(parseFieldValue("images", urls(250)).ok).toBe(true);
    expect(parseFieldValue("images", urls(300))).toEqual({ ok: false, error: "Images: has more than 250 images; keep at most 250" });
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect(parseFieldValue("tags", tags(250)).ok).toBe(true);
    expect(parseFieldValue("tags", tags(251))).toEqual({ ok: false, error: "Tags: has more than 250 entries; keep at most 250" });
    expect(parseFieldValue("tags", ["ok", "x".repeat(256)])).toEqual({ ok: false, error: "Tags (1): is longer than 255 characters; shorten it to 255 at most" });
    const materials = Array.from({ length: 51 }, (_, i) => ({ material: `m${i}`, massPercent: i === 0 ? 50 : 1 }));
    expect(parseFieldValue("materials", materials)).toEqual({ ok: false, error: "Materials: has more than 50 materials; keep at most 50" });
    const certifications = Array.from({ length: 51 }, (_, i) => ({ name: `c${i}` }));
    expect(parseFieldValue("certifications", certifications)).toEqual({ ok: false, error: "Certifications: has more than 50 certifications; keep at most 50" });
    expect(parseFieldValue("options", [{ name: "Size", value: "x".repeat(256) }])).toEqual({ ok: false, error: "Options (0.value): is longer than 255 characters; shorten it to 255 at most" });
  });
});

describe("URLs (images, certificate links)", () => {
  /** The check behind the UNTP schema's `format: "uri"` (Ajv's full formats, as untp.ts uses). */
  const isSchemaUri = (url: string) => (fullFormats.uri as (s: string) => boolean)(url);

  it("stores what a browser accepts but RFC 3986 forbids percent-encoded, so passports can publish it", () => {
    const cases: [string, string][] = [
      ["https://cdn.shopify.com/files/Bluse_grün.jpg", "https://cdn.shopify.com/files/Bluse_gr%C3%BCn.jpg"],
      ["https://cdn.example.com/My Shirt.jpg", "https://cdn.example.com/My%20Shirt.jpg"],
      ["https://cdn.example.com/a|b.jpg", "https://cdn.example.com/a%7Cb.jpg"],
      ["https://certs.example.com/prüfung/1", "https://certs.example.com/pr%C3%BCfung/1"],
      ["https://cdn.example.com/x^y`z{1}[2].jpg?q=a|b^{c}[d]`#f#g|", "https://cdn.example.com/x%5Ey%60z%7B1%7D%5B2%5D.jpg?q=a%7Cb%5E%7Bc%7D%5Bd%5D%60#f%23g%7C"],
      ['https://cdn.example.com/"quoted" <tag>.jpg', "https://cdn.example.com/%22quoted%22%20%3Ctag%3E.jpg"],
      ["https://cdn.example.com/100%.jpg?off=5%", "https://cdn.example.com/100%25.jpg?off=5%25"],
      ["https://bücher.example/Straße 1.jpg", "https://xn--bcher-kva.example/Stra%C3%9Fe%201.jpg"],
      ["https://cdn.example.com/a\\b.jpg", "https://cdn.example.com/a/b.jpg"], // a browser reads a backslash as "/"
    ];
    for (const [raw, stored] of cases) {
      expect(normalizeHttpUrl(raw), raw).toBe(stored);
      expect(isSchemaUri(raw), raw).toBe(false);
      expect(isSchemaUri(stored), stored).toBe(true);
      expect(normalizeHttpUrl(stored), stored).toBe(stored);
    }
    expect(parseFieldValue("images", [{ url: " https://cdn.example.com/My Shirt.jpg ", alt: "Shirt" }])).toEqual({
      ok: true,
      value: [{ url: "https://cdn.example.com/My%20Shirt.jpg", alt: "Shirt" }],
    });
    expect(parseFieldValue("certifications", [{ name: "GOTS", url: "https://certs.example.com/prüfung/1" }])).toEqual({
      ok: true,
      value: [{ name: "GOTS", url: "https://certs.example.com/pr%C3%BCfung/1" }],
    });
  });

  it("keeps a URL that is already valid byte for byte (no new passport version, no needless write)", () => {
    const valid = [
      "https://cdn.shopify.com/s/files/1/0612/3456/7890/products/tee-front.jpg?v=1699999999",
      "https://cdn.shopify.com/s/files/1/0612/files/Bluse_gr%C3%BCn.jpg?v=123&width=800",
      "https://res.example.com/w_100,h_100/b.jpg",
      "https://cdn.example.com", // a browser would add "/"
      "HTTPS://CDN.Example.COM:443/a/../b.jpg?v=1#top", // a browser would lower-case, drop the port, resolve ".."
      "http://[2001:db8::1]:8080/x.jpg",
      "https://user:pa$$@cdn.example.com/~me/a;b=c/(1)*!'.jpg?x=/?@:&y=#/?@",
    ];
    for (const url of valid) {
      expect(isSchemaUri(url), url).toBe(true);
      expect(normalizeHttpUrl(url), url).toBe(url);
      expect(parseFieldValue("images", [{ url }]), url).toEqual({ ok: true, value: [{ url }] });
      expect(parseFieldValue("certifications", [{ name: "GOTS", url }]), url).toEqual({ ok: true, value: [{ name: "GOTS", url }] });
    }
  });

  it("still refuses what is not an http(s) URL, or what no encoding makes one", () => {
    expect(parseFieldValue("images", [{ url: "ftp://cdn.example.com/a.jpg" }])).toEqual({ ok: false, error: "Images (0.url): must start with http:// or https://" });
    expect(parseFieldValue("images", [{ url: "not a url" }])).toEqual({ ok: false, error: "Images (0.url): is not a valid URL" });
    // A browser takes "{" in a host name; no DNS name holds one, and no escape makes it a "uri".
    expect(parseFieldValue("images", [{ url: "https://cdn{1}.example.com/a.jpg" }])).toEqual({ ok: false, error: "Images (0.url): is not a valid URL" });
    expect(parseFieldValue("certifications", [{ name: "GOTS", url: "https://certs{1}.example.com/a" }])).toEqual({
      ok: false,
      error: "Certifications (0.url): is not a valid URL",
    });
    for (const raw of ["javascript:alert(1)", "ftp://x.example/a", "https://", "", "https://cdn{1}.example.com/a.jpg"]) expect(normalizeHttpUrl(raw), raw).toBeUndefined();
  });
});

describe("canonicalJson", () => {
  it("gives equal strings for equal values, whatever the order of their keys", () => {
    const a = { title: { en: "Tee", de: "T-Shirt" }, materials: [{ material: "Cotton", massPercent: 100 }], weight: 145 };
    const b = { weight: 145, materials: [{ massPercent: 100, material: "Cotton" }], title: { de: "T-Shirt", en: "Tee" } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"materials":[{"massPercent":100,"material":"Cotton"}],"title":{"de":"T-Shirt","en":"Tee"},"weight":145}');
  });

  it("writes what JSON.stringify writes otherwise (stored values are compared as these strings)", () => {
    const values: unknown[] = ["text with \"quotes\", \\ and \u2028", 12.5, -0, null, true, [1, undefined, "x"], { gone: undefined, kept: null }, { at: new Date(0) }, [NaN]];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it("writes exactly what JSON.stringify with sorted keys writes (hashes of stored passports depend on it)", () => {
    // The definition, as it was first written: JSON.stringify with a replacer that sorts keys.
    const reference = (value: unknown) =>
      JSON.stringify(value, (_k, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : v,
      );
    const shared = { url: "https://cdn.example.com/a.jpg" };
    const values: unknown[] = [
      { format: 1, title: { en: "Tee", "de-CH": "T-Shirt", de: "T-Shirt" }, image: shared, gallery: [shared, shared], Zeta: 1, zeta: 2, "": "empty key", é: "accent", "10": "n", "9": "m", "01": "o", "4294967294": "last index", "4294967295": "not an index" },
      { materials: [{ material: "Cotton", massPercent: 95.5, recycledPercent: 0, originCountry: "PT" }, { material: "Elastane", massPercent: 4.5 }], noLongerSold: false },
      [[], {}, [{}], [[null]], "", 0, -1e21, 1e-7, Infinity],
      { skip: undefined, fn: () => 1, sym: Symbol("s"), list: [undefined, () => 1, Symbol("t")], at: new Date(Date.UTC(2026, 10, 27)), nested: { gone: { toJSON: () => undefined } } },
      { toJSON: () => ({ b: 1, a: [new Date(0)] }) },
      JSON.parse('{"__proto__": {"b": 1, "a": 2}, "constructor": 3}'),
      "emoji 🧵 and \u0000 control \n",
      undefined,
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
  });

  it("refuses a value that contains itself", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow();
  });
});
