import { describe, expect, it } from "vitest";
import { assembleBulkProducts, BulkResultOrderError, METAFIELD_ALIAS_PREFIX, streamLines } from "./bulk-jsonl";
import { recordFromGraphql, type GqlProductNode } from "./records";

/** A ReadableStream delivering `text` in chunks of `size` bytes (cutting lines and UTF-8 characters). */
function chunkedStream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return Object.assign(stream, { pulls: () => pulls });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The JSONL Shopify writes for `n` products with `v` variants and 2 media each (grouped). */
function bulkJsonl(n: number, v: number): string {
  const lines: string[] = [];
  for (let p = 1; p <= n; p++) {
    const pid = `gid://shopify/Product/${p}`;
    lines.push(
      JSON.stringify({
        id: pid,
        handle: `p-${p}`,
        title: `Prodütto ${p} — “Ünïcode”`,
        descriptionHtml: "",
        vendor: "Acme",
        productType: "",
        tags: [],
        updatedAt: "2026-10-01T00:00:00Z",
        category: null,
        [`${METAFIELD_ALIAS_PREFIX}0`]: p % 2 ? { namespace: "custom", key: "made_in", type: "single_line_text_field", value: "PT" } : null,
      }),
    );
    lines.push(JSON.stringify({ id: `gid://shopify/MediaImage/${p}1`, mediaContentType: "IMAGE", alt: null, image: { url: `https://cdn.example.com/${p}-1.jpg`, altText: null }, __parentId: pid }));
    for (let i = 1; i <= v; i++) {
      const vid = `gid://shopify/ProductVariant/${p}0${i}`;
      lines.push(
        JSON.stringify({
          id: vid,
          position: i,
          sku: `SKU-${p}-${i}`,
          barcode: null,
          selectedOptions: [{ name: "Size", value: `S${i}` }],
          inventoryItem: { measurement: { weight: { unit: "GRAMS", value: 100 + i } } },
          [`${METAFIELD_ALIAS_PREFIX}1`]: null,
          __parentId: pid,
        }),
      );
    }
    lines.push(JSON.stringify({ id: `gid://shopify/Video/${p}2`, mediaContentType: "VIDEO", __parentId: pid }));
  }
  return lines.join("\r\n") + "\n";
}

describe("streamLines", () => {
  it("splits a byte stream into lines across chunk boundaries and multi-byte characters", async () => {
    const text = '{"a":"ü"}\n{"b":"€"}\r\n\n{"c":"最"}';
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(await collect(streamLines(chunkedStream(text, size)))).toEqual(['{"a":"ü"}', '{"b":"€"}', '{"c":"最"}']);
    }
  });
});

describe("assembleBulkProducts", () => {
  it("assembles products with their variants, media and metafields from a streamed result", async () => {
    const n = 250;
    const stream = chunkedStream(bulkJsonl(n, 3), 4096);
    const products: GqlProductNode[] = [];
    for await (const product of assembleBulkProducts(streamLines(stream))) products.push(product);
    expect(products).toHaveLength(n);
    const p7 = products[6];
    expect(p7.id).toBe("gid://shopify/Product/7");
    expect(p7.variants.map((v) => v.id)).toEqual(["gid://shopify/ProductVariant/701", "gid://shopify/ProductVariant/702", "gid://shopify/ProductVariant/703"]);
    expect(p7.media).toHaveLength(2);
    expect(p7.metafields).toEqual([{ namespace: "custom", key: "made_in", type: "single_line_text_field", value: "PT" }]);
    expect(products[7].metafields).toEqual([]);
    const { record } = recordFromGraphql(p7, { primaryLocale: "en", metafieldMap: { countryOfProduction: { namespace: "custom", key: "made_in" } } });
    expect(record.fields).toMatchObject({ title: { en: "Prodütto 7 — “Ünïcode”" }, images: [{ url: "https://cdn.example.com/7-1.jpg" }], countryOfProduction: "PT" });
    expect(record.variants.map((v) => v.fields.weight)).toEqual([101, 102, 103]);
  });

  it("yields each product as soon as the next one starts (streaming, not buffering)", async () => {
    const text = bulkJsonl(50, 2);
    const stream = chunkedStream(text, 256) as ReadableStream<Uint8Array> & { pulls: () => number };
    const iterator = assembleBulkProducts(streamLines(stream))[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.id).toBe("gid://shopify/Product/1");
    // Only the bytes up to the second product were read, not the whole file.
    expect(stream.pulls() * 256).toBeLessThan(text.length / 10);
    await iterator.return?.(undefined);
  });

  it("reads an empty result as no products", async () => {
    expect(await collect(assembleBulkProducts(streamLines(chunkedStream("", 10))))).toEqual([]);
  });

  it("refuses a result whose children are not next to their product", async () => {
    const lines = [
      JSON.stringify({ id: "gid://shopify/Product/1", handle: "a", title: "A" }),
      JSON.stringify({ id: "gid://shopify/Product/2", handle: "b", title: "B" }),
      JSON.stringify({ id: "gid://shopify/ProductVariant/11", __parentId: "gid://shopify/Product/1" }),
    ].join("\n");
    await expect(collect(assembleBulkProducts(streamLines(chunkedStream(lines, 64))))).rejects.toBeInstanceOf(BulkResultOrderError);
  });
});
