import { describe, expect, it } from "vitest";
import type { SourceRecord } from "../../sync/records";
import { RecordArchiver, unpackRecords } from "./record-archive";

const record = (n: number): SourceRecord => ({
  externalId: `tee-${n}`,
  handle: `tee-${n}`,
  fields: { title: { en: `Tee ${n} – “soft”\n2nd line \u2028 😀`, de: "T-Shirt" }, materials: [{ material: "Cotton", massPercent: 100 }] },
  variants: [{ externalId: `TEE-${n}-S`, position: 1, fields: { sku: `TEE-${n}-S`, weight: 145.5 }, ref: { sheet: "Products", row: n + 2 } }],
  ref: { sheet: "Products", row: n + 2 },
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe("record archive", () => {
  it("passes the records on and gives them back, in order, from the archive", async () => {
    const records = Array.from({ length: 2_000 }, (_, n) => record(n));
    const archiver = new RecordArchiver();
    expect(await collect(archiver.keep(fromArray(records)))).toEqual(records);
    const archive = await archiver.finish();
    expect(archive.byteLength).toBeLessThan(JSON.stringify(records).length / 5); // compressed
    expect(await collect(unpackRecords(archive))).toEqual(records);
  });

  it("is empty when nothing passed", async () => {
    const archiver = new RecordArchiver();
    await collect(archiver.keep(fromArray([])));
    expect(await collect(unpackRecords(await archiver.finish()))).toEqual([]);
  });
});
