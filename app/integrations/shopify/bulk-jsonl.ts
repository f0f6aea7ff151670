// The result file of a bulk query, read as a stream: one JSON object per line, nested connection
// nodes on lines of their own pointing at their parent with `__parentId`, no `edges`/`node`:
//   {"id":"gid://shopify/Product/1","title":"Tee",…}
//   {"id":"gid://shopify/MediaImage/7","mediaContentType":"IMAGE",…,"__parentId":"gid://shopify/Product/1"}
//   {"id":"gid://shopify/ProductVariant/11","sku":"TEE-S",…,"__parentId":"gid://shopify/Product/1"}
// The bulk query runs with groupObjects: true, so the children of a product follow it directly:
// a product is complete when the next product line starts, and only one product is in memory.
import type { MetafieldValue } from "./metafield-values";
import type { GqlMediaNode, GqlProductNode, GqlVariantNode } from "./records";

/** Alias prefix of the metafield fields bulk.server.ts adds to the bulk query (`passportMf0: metafield(…)`). */
export const METAFIELD_ALIAS_PREFIX = "passportMf";

/** Splits a byte stream into lines (UTF-8, \n or \r\n), without holding more than one line. */
export async function* streamLines(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  const chunks: AsyncIterable<Uint8Array> = Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array>) : readerChunks(body as ReadableStream<Uint8Array>);
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
      if (line.trim()) yield line;
      newline = pending.indexOf("\n");
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield pending.replace(/\r$/, "");
}

async function* readerChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The bulk result is not grouped by parent (a child far from its parent): it cannot be streamed. */
export class BulkResultOrderError extends Error {
  constructor(line: number, parentId: string) {
    super(`Line ${line} of the bulk result belongs to ${parentId}, which is not the product being read: the result is not grouped by product.`);
    this.name = "BulkResultOrderError";
  }
}

type Json = Record<string, unknown>;

function aliasedMetafields(object: Json): MetafieldValue[] {
  const out: MetafieldValue[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (!key.startsWith(METAFIELD_ALIAS_PREFIX) || !value || typeof value !== "object") continue;
    const m = value as Partial<MetafieldValue>;
    if (typeof m.namespace === "string" && typeof m.key === "string" && typeof m.value === "string") {
      out.push({ namespace: m.namespace, key: m.key, type: typeof m.type === "string" ? m.type : "single_line_text_field", value: m.value });
    }
  }
  return out;
}

const gidType = (id: unknown): string => (typeof id === "string" ? id.replace(/^gid:\/\/shopify\//, "").replace(/\/.*$/, "") : "");

function toProduct(object: Json): GqlProductNode {
  return { ...(object as unknown as GqlProductNode), media: [], variants: [], metafields: aliasedMetafields(object) };
}

function toVariant(object: Json): GqlVariantNode {
  const { __parentId: _parent, ...rest } = object;
  void _parent;
  return { ...(rest as unknown as GqlVariantNode), metafields: aliasedMetafields(object) };
}

/** Assembles the product nodes of a (grouped) bulk result from its lines. */
export async function* assembleBulkProducts(lines: AsyncIterable<string>): AsyncGenerator<GqlProductNode> {
  let current: GqlProductNode | null = null;
  let variants = new Map<string, GqlVariantNode>();
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    let object: Json;
    try {
      object = JSON.parse(line) as Json;
    } catch {
      throw new Error(`Line ${lineNo} of the bulk result is not JSON.`);
    }
    const parentId = object.__parentId;
    if (typeof parentId !== "string") {
      if (current) yield current;
      current = toProduct(object);
      variants = new Map();
      continue;
    }
    if (!current) throw new BulkResultOrderError(lineNo, parentId);
    const type = gidType(object.id);
    if (parentId === current.id) {
      if (type === "ProductVariant") {
        const variant = toVariant(object);
        current.variants.push(variant);
        variants.set(variant.id, variant);
      } else if (type === "Metafield") {
        current.metafields!.push(object as unknown as MetafieldValue);
      } else {
        const { __parentId: _p, ...media } = object;
        void _p;
        current.media!.push(media as GqlMediaNode);
      }
      continue;
    }
    const variant = variants.get(parentId);
    if (variant && type === "Metafield") {
      variant.metafields!.push(object as unknown as MetafieldValue);
      continue;
    }
    if (variant) continue; // a child of a variant we do not select (none today)
    throw new BulkResultOrderError(lineNo, parentId);
  }
  if (current) yield current;
}
