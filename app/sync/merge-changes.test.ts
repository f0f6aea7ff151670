// The merge's output, pinned: a catalog's worth of records (valid and invalid values, values to
// normalize, empty fields, several locales, secondaries matching by SKU and by barcode, records
// that disagree, moves, archiving, deletions) through a series of runs, and a digest of every
// change set and of the catalog after it. A change to the merge meant to be invisible (a faster
// path) must leave these as they are. A change of the rules changes them on purpose: check the
// difference with the rule tests (merge.test.ts), then take the new digests.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { FieldValues } from "../catalog/fields";
import type { ChangeSet, MatchBy } from "./merge";
import { MemoryCatalog } from "./memory-catalog.test-support";
import type { SourceRecord, SourceVariant } from "./records";

const SHOPIFY = { id: "shopify", role: "primary" as const };
const EXCEL = { id: "excel", role: "secondary" as const, createUnmatched: true };
const PIM = { id: "pim", role: "secondary" as const, matchBy: "barcode" as MatchBy };

function gtin13(n: number): string {
  const body = `400${String(n).padStart(9, "0")}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + ((10 - (sum % 10)) % 10);
}

const SIZES = ["S", "M", "L"];

/** Product i as a primary (Shopify-like) sends it: every fourth kind of trouble somewhere. */
function product(i: number, edition = 1): SourceRecord {
  const fields: FieldValues = {
    title: { en: `Tee ${i}`, ...(i % 3 === 0 ? { de: `T-Shirt ${i}` } : {}) },
    description: { en: `<p>Soft ${i}${edition > 1 && i % 2 === 0 ? `, edition ${edition}` : ""}</p>` },
    images: [{ url: `https://cdn.example.com/${i}.jpg`, ...(i % 2 ? { alt: "Front" } : {}) }],
    vendor: ["Acme", "Fjord & Field"][i % 2],
    status: ["Active", "draft", " archived "][i % 3],
    tags: [" organic", "tee", `t${i % 4}`],
    carbonFootprint: i * 0.5,
  };
  if (i % 13 === 5) delete fields.title;
  const variants: SourceVariant[] = SIZES.map((size, j) => ({
    externalId: `gid://shopify/ProductVariant/${i * 10 + j}`,
    position: j + 1,
    fields: {
      sku: `TEE-${i}-${size}`,
      barcode: i % 9 === 4 && j === 1 ? "12345" : gtin13(i * 10 + j),
      options: [{ name: "Size", value: size }],
      weight: i % 8 === 6 && j === 2 ? -5 : 100 + j + (edition > 1 && i % 5 === 0 ? 1 : 0),
    },
    ref: { label: `variant ${i}-${size}` },
  }));
  if (i % 10 === 7) (variants[0].fields as Record<string, unknown>).title = { en: "not here" };
  if (i % 12 === 8) (variants[2].fields as Record<string, unknown>).colour = "Red";
  if (i % 6 === 4) {
    delete variants[1].fields.barcode;
    variants[1].emptyFields = ["barcode"];
  }
  return {
    externalId: `gid://shopify/Product/${i}`,
    handle: i % 4 === 1 ? `Tee ${i} — Édition` : `tee-${i}`,
    fields,
    ...(i % 6 === 4 ? { emptyFields: ["tags" as const] } : {}),
    variants,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i + edition)),
    ref: { label: `product ${i}` },
  };
}

/** The same products as a supplier sheet gives them (DPP fields), keyed by handle and SKU. */
function sheetRow(i: number): SourceRecord {
  const fields: FieldValues = {
    materials: i % 11 === 3 ? [{ material: "Cotton", massPercent: 90 }] : [{ material: "Cotton", massPercent: 60, recycledPercent: 10, originCountry: "pt" }, { material: "Wool", massPercent: 40 }],
    countryOfProduction: i % 7 === 2 ? "XX" : "pt",
    careInstructions: { en: "Wash at 30 °C", ...(i % 2 ? { fr: "Laver à 30 °C" } : {}) },
    ...(i % 4 === 0 ? { certifications: [{ name: "GOTS", validUntil: "2027-06-30", url: "https://certs.example.com/gots" }] } : {}),
    title: { en: `Tee ${i} (sheet)` },
  };
  return {
    externalId: `tee-${i}`,
    handle: `tee-${i}`,
    fields,
    variants: SIZES.map((size, j) => ({
      externalId: `TEE-${i}-${size}`,
      position: j + 1,
      fields: { sku: `TEE-${i}-${size}`, barcode: gtin13(i * 10 + j), ...(i % 5 === 1 && j === 0 ? { materials: [{ material: "Linen", massPercent: 100 }] } : {}) },
      ref: { sheet: "Products", row: i * 3 + j + 2 },
    })),
    ref: { sheet: "Products", row: i * 3 + 2 },
  };
}

/** A sheet with a row per colour: two records for one product, agreeing or not. */
function splitRows(i: number): SourceRecord[] {
  const row = sheetRow(i);
  const other: FieldValues = { ...row.fields };
  if (i % 2 === 0) other.countryOfProduction = "IT";
  if (i % 3 === 0) other.careInstructions = { en: " Wash at 30 °C" };
  return [
    { ...row, variants: row.variants.slice(0, 2) },
    { ...row, externalId: `${row.externalId}-b`, fields: other, variants: row.variants.slice(2) },
  ];
}

/** Records that match nothing: Excel creates them (or fails them without a title). */
function newInSheet(i: number): SourceRecord {
  return {
    externalId: `sheet-only-${i}`,
    handle: `sheet-only-${i}`,
    fields: { ...(i % 2 ? { title: { en: `Sheet only ${i}` } } : {}), vendor: "Local", materials: [{ material: "Hemp", massPercent: 100 }] },
    variants: [{ externalId: `SO-${i}`, fields: { sku: `SO-${i}`, options: [{ name: "Size", value: "One" }], weight: 50 } }],
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** A change set as text: every key in its order, undefined values included, link hashes read. */
function digest(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v === undefined ? "(undefined)" : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function snapshot(catalog: MemoryCatalog): string {
  return digest({ products: [...catalog.products], variants: [...catalog.variants], links: [...catalog.links].map(([id, byType]) => [id, [...byType].map(([t, m]) => [t, [...m]])]) });
}

/** Each run's change set digest and the catalog's after it, and the counts of all runs together. */
function runAll(): { digests: Record<string, string>; counts: ChangeSet["counts"] } {
  const catalog = new MemoryCatalog();
  catalog.primaryId = "shopify";
  for (const f of ["title", "description", "images", "vendor", "status", "tags", "options", "weight"] as const) catalog.own(f, "shopify");
  for (const f of ["sku", "barcode", "materials", "countryOfProduction", "certifications", "careInstructions"] as const) catalog.own(f, "excel");
  catalog.own("carbonFootprint", null).own("manufacturer", "pim");

  const digests: Record<string, string> = {};
  const counts: ChangeSet["counts"] = { created: 0, updated: 0, unchanged: 0, archived: 0, unmatched: 0, failed: 0, skipped: 0 };
  const step = (name: string, changes: ChangeSet) => {
    digests[name] = `${digest(changes)} ${snapshot(catalog)}`;
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] += changes.counts[key];
  };
  step("primary creates", catalog.run(SHOPIFY, range(0, 40).map((i) => product(i))));
  step("primary again", catalog.run(SHOPIFY, range(0, 40).map((i) => product(i))));
  step("secondary by SKU", catalog.run(EXCEL, [...range(0, 30).map(sheetRow), ...range(30, 36).flatMap(splitRows), ...range(0, 4).map(newInSheet)], { scope: "partial" }));
  step("secondary again", catalog.run(EXCEL, [...range(0, 30).map(sheetRow), ...range(30, 36).flatMap(splitRows), ...range(0, 4).map(newInSheet)], { scope: "partial" }));
  const edited = range(0, 38).map((i) => product(i, 2));
  edited[3].variants.push(edited[4].variants.pop()!); // moved to another product
  edited[6].variants.splice(1, 1); // dropped
  step("primary edits", catalog.run(SHOPIFY, edited));
  step("secondary by barcode", catalog.run(PIM, range(0, 40).map((i) => ({ ...sheetRow(i), fields: { manufacturer: `Mill ${i % 3}`, materials: sheetRow(i).fields.materials } })), { scope: "partial" }));
  step("primary deletes", catalog.run(SHOPIFY, [product(1, 3)], { scope: "partial", deleted: ["gid://shopify/Product/2", "gid://shopify/Product/39"] }));
  step("secondary deletes", catalog.run(EXCEL, [], { scope: "partial", deleted: ["sheet-only-1", "tee-5"] }));
  return { digests, counts };
}

const EXPECTED = {
  "primary creates": "0df22b329d523052 e90d2b0f1cbb43f6",
  "primary again": "4ff309f046aa641f e90d2b0f1cbb43f6",
  "secondary by SKU": "c045a951265b65f3 d3c7a58f0b393575",
  "secondary again": "48b6de011a861e0d d3c7a58f0b393575",
  "primary edits": "a0e4537d53356666 34a63cb736eb0494",
  "secondary by barcode": "7aedde2e04d47069 2474f4a58c2b1e3e",
  "primary deletes": "4de8b8ad4e4ee525 6423f0c22bb3868f",
  "secondary deletes": "a13909bc8fa4352e bb6431509746178a",
};

describe("the merge's change sets", () => {
  it("are those of the merge as it was (digests of change sets and catalogs)", () => {
    const { digests, counts } = runAll();
    expect(digests).toEqual(EXPECTED);
    // (What the runs go through, so that the digests stand for something.)
    expect(counts).toEqual({ created: 112, updated: 256, unchanged: 250, archived: 10, unmatched: 26, failed: 56, skipped: 448 });
  });
});
