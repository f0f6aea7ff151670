// Record hashes: stored in links, compared with the next run's. They must never change (every
// record would look changed), and a run computes one only where it is compared or stored.
import { describe, expect, it } from "vitest";
import type { FieldValues } from "../catalog/fields";
import { emptyChangeSet, mergeRecords, newRunState, recordHash, type CatalogSlice, type ChangeSet, type MergeIntegration } from "./merge";
import { MemoryCatalog } from "./memory-catalog.test-support";
import type { SourceRecord } from "./records";

const SHOPIFY = { id: "shopify", role: "primary" as const };
const PRIMARY: MergeIntegration = { ...SHOPIFY, matchBy: "sku", createUnmatched: false };

describe("recordHash", () => {
  // The hashes links stored before (sha256 of the record's canonical JSON, base64url).
  const cases: [name: string, record: SourceRecord, hash: string][] = [
    [
      "a plain record",
      { externalId: "P1", handle: "organic-tee", fields: { title: { en: "Organic Tee" }, vendor: "Acme" }, variants: [{ externalId: "V-S", position: 1, fields: { sku: "TEE-S", options: [{ name: "Size", value: "S" }] } }] },
      "DLzLk3ztEDmc7BqdOHaV2UOXL3spGkg-8sepMZ3EE98",
    ],
    ["no handle, no variants", { externalId: "P2", fields: {}, variants: [] }, "5fCGT2AQTZHVAvFn_j5fnyUFpDvEQ3x4lBghxYMr2vA"],
    [
      "empty fields",
      {
        externalId: "P3",
        handle: "x",
        fields: { tags: ["a"] },
        emptyFields: ["barcode", "vendor"],
        variants: [
          { externalId: "V", fields: { sku: "A" }, emptyFields: ["barcode"] },
          { externalId: "W", fields: {}, emptyFields: [] },
        ],
      },
      "cLm0n4vdqq04adqe6jVH2HImkcMTYdk6CXkdsS9S-9o",
    ],
    [
      "text to escape, a lone surrogate, -0",
      {
        externalId: "P4",
        handle: "ünï-\u2028-😀",
        fields: { title: { de: 'Grüße "quoted" \\ \n', en: "Ω" }, description: { fr: "\ud800 lone" } },
        variants: [{ externalId: "V\u0000", position: 3, fields: { weight: 12.5, carbonFootprint: -0 } }],
      },
      "-fKb_Is1CdgvQ-4Y7n8B2cI9ZKOS6KlPeHNAbrmvXTI",
    ],
    [
      "nested objects with keys out of order, undefined values; refs and dates not hashed",
      {
        externalId: "P5",
        handle: "n",
        fields: {
          materials: [{ originCountry: "PT", massPercent: 60, material: "Cotton", recycledPercent: undefined }, { material: "Wool", massPercent: 40 }],
          certifications: [{ url: "https://x", name: "GOTS", validUntil: "2027-01-01", body: "CU" }],
          images: [{ url: "https://a/b.jpg", alt: "A" }],
        },
        variants: [{ externalId: "V1", fields: { options: [{ value: "M", name: "Size" }] }, ref: { sheet: "Products", row: 2 } }],
        updatedAt: new Date(0),
        ref: { label: "not hashed" },
      },
      "C8a9p7MsBE1HJX2zbbHKDQlCVhjIFoa0h6cwN2gVxwo",
    ],
    [
      "index-like keys, a date, NaN and Infinity",
      {
        externalId: "P6",
        handle: "o",
        fields: { 10: 1, 9: 2, b: { 2: "x", 10: "y", a: [undefined, null, NaN, Infinity] }, a: new Date(Date.UTC(2026, 0, 2)) } as unknown as FieldValues,
        variants: [],
      },
      "0DN5EvB4fZ1Elt0GH7KqyopmwYC1I6VGdurCe-zbJV0",
    ],
  ];

  it.each(cases)("is the hash links stored before: %s", (_name, record, hash) => {
    expect(recordHash(record)).toBe(hash);
    expect(recordHash(structuredClone(record))).toBe(hash);
  });
});

/** A tee whose fields count how often they are serialized (recordHash's canonical JSON calls toJSON). */
function countedTee(): { record: SourceRecord; serialized: () => number } {
  let count = 0;
  const fields: FieldValues = { title: { en: "Organic Tee" }, vendor: "Acme" };
  Object.defineProperty(fields, "toJSON", {
    enumerable: false,
    value: () => {
      count++;
      return { title: { en: "Organic Tee" }, vendor: "Acme" };
    },
  });
  const record: SourceRecord = {
    externalId: "P1",
    handle: "organic-tee",
    fields,
    variants: [{ externalId: "V-S", position: 1, fields: { sku: "TEE-S" } }],
  };
  return { record, serialized: () => count };
}

const plainTee = (): SourceRecord => ({ externalId: "P1", handle: "organic-tee", fields: { title: { en: "Organic Tee" }, vendor: "Acme" }, variants: [{ externalId: "V-S", position: 1, fields: { sku: "TEE-S" } }] });

function newCatalog(): MemoryCatalog {
  const catalog = new MemoryCatalog();
  catalog.primaryId = "shopify";
  for (const f of ["title", "vendor", "sku"] as const) catalog.own(f, "shopify");
  return catalog;
}

describe("a link's hash", () => {
  it("is computed when read, not by the merge: a preview, which writes no link, never hashes", () => {
    const { record, serialized } = countedTee();
    const changes = mergePreview(newCatalog(), record);
    expect(serialized()).toBe(0);
    const link = changes.links.find((l) => l.entityType === "product")!;
    expect(link.hash).toBe(recordHash(plainTee()));
    expect(link.hash).toBe(recordHash(plainTee()));
    expect(serialized()).toBe(1);
  });

  it("reads as a plain value: equal, copied, cloned and written as JSON like one", () => {
    const changes = newCatalog().run(SHOPIFY, [plainTee()]);
    const link = changes.links.find((l) => l.entityType === "product")!;
    const plain = { entityType: "product", externalId: "P1", entityId: link.entityId, hash: recordHash(plainTee()), sourceUpdatedAt: null, isNew: true };
    expect(link).toEqual(plain);
    expect(link).toStrictEqual(plain);
    expect({ ...link }).toStrictEqual(plain);
    expect(structuredClone(link)).toStrictEqual(plain);
    expect(JSON.stringify(link)).toBe(JSON.stringify(plain));
    expect(Object.keys(link)).toEqual(Object.keys(plain));
    link.hash = null;
    expect(link.hash).toBeNull();
  });

  it("is computed once to compare with a stored one, and not at all where the stored link has none", () => {
    const catalog = newCatalog();
    catalog.run(SHOPIFY, [plainTee()]);
    const unchanged = countedTee();
    const again = catalog.run(SHOPIFY, [unchanged.record]);
    expect(again.counts).toMatchObject({ unchanged: 1, updated: 0 });
    expect(again.links).toEqual([]);
    expect(unchanged.serialized()).toBe(1);

    // A link without a hash (its record had a failed variant): the record is looked at again, unhashed.
    catalog.linkOf("shopify", "product").get("P1")!.hash = null;
    const unhashed = countedTee();
    const changes = mergePreview(catalog, unhashed.record);
    expect(changes.counts).toMatchObject({ unchanged: 1 });
    expect(unhashed.serialized()).toBe(0);
    expect(changes.links.map((l) => [l.entityType, l.hash])).toEqual([["product", recordHash(plainTee())]]);
    expect(unhashed.serialized()).toBe(1);
  });
});

/** One record merged, the change set not applied (as a preview does). */
function mergePreview(catalog: MemoryCatalog, record: SourceRecord): ChangeSet {
  const slice: CatalogSlice = catalog.slice(PRIMARY);
  let n = 0;
  const ctx = { integration: PRIMARY, primaryId: catalog.primaryId, ownership: catalog.ownership, newId: () => `new${++n}` };
  return mergeRecords([record], ctx, slice, newRunState("partial"), emptyChangeSet());
}
