// A useful subset of Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax):
// `field:value`, comparators (`:>`, `:>=`, `:<`, `:<=`), quoted values, prefix wildcards (`linen*`),
// free text, implicit AND, explicit AND / OR / NOT, `-` negation and parentheses.
import type { ProductRecord, VariantRecord } from "./model.ts";

export type Comparator = ":" | ">" | ">=" | "<" | "<=";

export type SearchNode =
  | { type: "and"; items: SearchNode[] }
  | { type: "or"; items: SearchNode[] }
  | { type: "not"; item: SearchNode }
  | { type: "term"; field: string | null; op: Comparator; value: string; quoted: boolean };

export interface SearchWarning {
  field: string;
  message: string;
}

type Token =
  | { t: "(" }
  | { t: ")" }
  | { t: "AND" }
  | { t: "OR" }
  | { t: "NOT" }
  | { t: "term"; negated: boolean; field: string | null; op: Comparator; value: string; quoted: boolean };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  const readValue = (): { value: string; quoted: boolean } => {
    const q = input[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      let value = "";
      while (j < n && input[j] !== q) {
        if (input[j] === "\\" && j + 1 < n) j++;
        value += input[j];
        j++;
      }
      i = Math.min(j + 1, n);
      return { value, quoted: true };
    }
    let j = i;
    while (j < n && !/\s/.test(input[j]!) && input[j] !== ")" && input[j] !== "(") j++;
    const value = input.slice(i, j);
    i = j;
    return { value, quoted: false };
  };
  while (i < n) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")") {
      tokens.push({ t: c });
      i++;
      continue;
    }
    let negated = false;
    if (c === "-" && i + 1 < n && !/\s/.test(input[i + 1]!)) {
      negated = true;
      i++;
    }
    const fieldMatch = /^([A-Za-z_][A-Za-z0-9_.]*):(>=|<=|>|<)?/.exec(input.slice(i));
    if (fieldMatch) {
      i += fieldMatch[0].length;
      const op = (fieldMatch[2] as Comparator | undefined) ?? ":";
      const { value, quoted } = readValue();
      tokens.push({ t: "term", negated, field: fieldMatch[1]!.toLowerCase(), op, value, quoted });
      continue;
    }
    const { value, quoted } = readValue();
    if (!quoted && !negated && (value === "AND" || value === "OR" || value === "NOT")) {
      tokens.push({ t: value });
      continue;
    }
    if (value === "" && !quoted) {
      i++;
      continue;
    }
    tokens.push({ t: "term", negated, field: null, op: ":", value, quoted });
  }
  return tokens;
}

/** Parses a search string; never throws (like Shopify, odd input degrades to free text). */
function parseSearchQuery(input: string): SearchNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];

  const parseOr = (): SearchNode => {
    const items = [parseAnd()];
    while (peek()?.t === "OR") {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: "or", items };
  };
  const parseAnd = (): SearchNode => {
    const items: SearchNode[] = [];
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === ")" || tok.t === "OR") break;
      if (tok.t === "AND") {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    if (items.length === 1) return items[0]!;
    return { type: "and", items };
  };
  const parseUnary = (): SearchNode => {
    const tok = tokens[pos++]!;
    if (tok.t === "NOT") {
      const next = peek();
      if (!next || next.t === ")" || next.t === "OR") return { type: "and", items: [] };
      return { type: "not", item: parseUnary() };
    }
    if (tok.t === "(") {
      const inner = parseOr();
      if (peek()?.t === ")") pos++;
      return inner;
    }
    if (tok.t === "term") {
      const term: SearchNode = { type: "term", field: tok.field, op: tok.op, value: tok.value, quoted: tok.quoted };
      return tok.negated ? { type: "not", item: term } : term;
    }
    // Stray ")" or operator: ignore it.
    return { type: "and", items: [] };
  };

  let root = parseOr();
  while (pos < tokens.length) {
    // Unbalanced ")" — skip it and keep parsing the rest as further AND terms.
    pos++;
    root = { type: "and", items: [root, parseOr()] };
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Matching

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Token phrase match: the value's words appear consecutively; a trailing `*` is a prefix. */
function phraseMatch(haystack: string, value: string, prefix: boolean): boolean {
  const hay = words(haystack);
  const needle = words(value);
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      const h = hay[i + j]!;
      const w = needle[j]!;
      const last = j === needle.length - 1;
      if (last && prefix ? !h.startsWith(w) : h !== w) continue outer;
    }
    return true;
  }
  return false;
}

function exactMatch(candidate: string | null | undefined, value: string, prefix: boolean): boolean {
  if (candidate == null) return false;
  const c = candidate.toLowerCase();
  const v = value.toLowerCase();
  return prefix ? c.startsWith(v) : c === v;
}

function compareNumbers(actual: number, op: Comparator, expected: number): boolean {
  switch (op) {
    case ":":
      return actual === expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
  }
}

function parseDateValue(value: string): { ms: number; dateOnly: boolean } | null {
  const v = value.trim();
  if (v.toLowerCase() === "now") return { ms: Date.now(), dateOnly: false };
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const ms = Date.parse(dateOnly ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) return null;
  return { ms, dateOnly };
}

function compareDates(actualIso: string | null, op: Comparator, value: string): boolean {
  if (!actualIso) return false;
  const parsed = parseDateValue(value);
  if (!parsed) return false;
  const actual = Date.parse(actualIso);
  // `updated_at:2024-01-01` is that whole (UTC) day; comparators use the instant given.
  if (op === ":" && parsed.dateOnly) return actual >= parsed.ms && actual < parsed.ms + 86_400_000;
  return compareNumbers(actual, op, parsed.ms);
}

function numericId(value: string): number | null {
  const m = /(\d+)$/.exec(value.trim());
  return m ? Number(m[1]) : null;
}

const PRODUCT_SEARCH_FIELDS = [
  "title",
  "handle",
  "vendor",
  "product_type",
  "tag",
  "tag_not",
  "status",
  "id",
  "sku",
  "barcode",
  "created_at",
  "updated_at",
  "published_at",
  "inventory_total",
  "product_id",
] as const;

function matchProductTerm(p: ProductRecord, term: Extract<SearchNode, { type: "term" }>): boolean {
  const prefix = !term.quoted && term.value.endsWith("*");
  const value = prefix ? term.value.slice(0, -1) : term.value;
  const values = term.quoted ? [value] : value.split(",").filter((v) => v !== "");
  const any = (check: (v: string) => boolean) => (values.length === 0 ? true : values.some(check));
  switch (term.field) {
    case null:
      return (
        phraseMatch(p.title, value, prefix) ||
        phraseMatch(p.vendor, value, prefix) ||
        phraseMatch(p.productType, value, prefix) ||
        phraseMatch(p.handle, value, prefix) ||
        p.tags.some((t) => phraseMatch(t, value, prefix)) ||
        p.variants.some((v) => exactMatch(v.sku, value, prefix) || exactMatch(v.barcode, value, prefix))
      );
    case "title":
      return phraseMatch(p.title, value, prefix);
    case "handle":
      return any((v) => exactMatch(p.handle, v, prefix));
    case "vendor":
      return any((v) => exactMatch(p.vendor, v, prefix) || phraseMatch(p.vendor, v, prefix));
    case "product_type":
      return any((v) => exactMatch(p.productType, v, prefix) || phraseMatch(p.productType, v, prefix));
    case "tag":
      return any((v) => p.tags.some((t) => exactMatch(t, v, prefix)));
    case "tag_not":
      return !values.some((v) => p.tags.some((t) => exactMatch(t, v, prefix)));
    case "status":
      return any((v) => p.status.toLowerCase() === v.toLowerCase());
    case "id":
    case "product_id":
      return any((v) => {
        const id = numericId(v);
        return id !== null && compareNumbers(p.id, term.op, id);
      });
    case "sku":
      return any((v) => p.variants.some((x: VariantRecord) => exactMatch(x.sku, v, prefix)));
    case "barcode":
      return any((v) => p.variants.some((x: VariantRecord) => exactMatch(x.barcode, v, prefix)));
    case "created_at":
      return compareDates(p.createdAt, term.op, value);
    case "updated_at":
      return compareDates(p.updatedAt, term.op, value);
    case "published_at":
      return compareDates(p.publishedAt, term.op, value);
    case "inventory_total": {
      const total = p.variants.reduce((s, v) => s + v.inventoryQuantity, 0);
      const n = Number(value);
      return Number.isFinite(n) && compareNumbers(total, term.op, n);
    }
    default:
      return true;
  }
}

export interface CompiledSearch<T> {
  matches: (item: T) => boolean;
  warnings: SearchWarning[];
}

function compile<T>(
  node: SearchNode,
  matchTerm: (item: T, term: Extract<SearchNode, { type: "term" }>) => boolean,
  knownFields: readonly string[],
  warnings: SearchWarning[],
): (item: T) => boolean {
  switch (node.type) {
    case "and": {
      const parts = node.items.map((i) => compile(i, matchTerm, knownFields, warnings));
      return (item) => parts.every((f) => f(item));
    }
    case "or": {
      const parts = node.items.map((i) => compile(i, matchTerm, knownFields, warnings));
      return (item) => parts.some((f) => f(item));
    }
    case "not": {
      const inner = compile(node.item, matchTerm, knownFields, warnings);
      return (item) => !inner(item);
    }
    case "term":
      if (node.field !== null && !knownFields.includes(node.field)) {
        // Like Shopify: an unknown field is ignored (matches everything) and reported.
        if (!warnings.some((w) => w.field === node.field)) {
          warnings.push({ field: node.field, message: "Invalid search field for this query." });
        }
        return () => true;
      }
      return (item) => matchTerm(item, node);
  }
}

/** Compiles a product search query (`products(query:)`, `productsCount(query:)`). */
export function compileProductSearch(query: string | null | undefined): CompiledSearch<ProductRecord> {
  const warnings: SearchWarning[] = [];
  if (!query || !query.trim()) return { matches: () => true, warnings };
  const matches = compile(parseSearchQuery(query), matchProductTerm, PRODUCT_SEARCH_FIELDS, warnings);
  return { matches, warnings };
}

const VARIANT_SEARCH_FIELDS = [
  "sku",
  "barcode",
  "title",
  "id",
  "product_id",
  "updated_at",
  "created_at",
  "product_status",
  "tag",
  "vendor",
] as const;

function matchVariantTerm(item: { product: ProductRecord; variant: VariantRecord }, term: Extract<SearchNode, { type: "term" }>): boolean {
  const { product, variant } = item;
  const prefix = !term.quoted && term.value.endsWith("*");
  const value = prefix ? term.value.slice(0, -1) : term.value;
  switch (term.field) {
    case null:
      return (
        exactMatch(variant.sku, value, prefix) ||
        exactMatch(variant.barcode, value, prefix) ||
        phraseMatch(variant.title, value, prefix) ||
        phraseMatch(product.title, value, prefix)
      );
    case "sku":
      return exactMatch(variant.sku, value, prefix);
    case "barcode":
      return exactMatch(variant.barcode, value, prefix);
    case "title":
      return phraseMatch(variant.title, value, prefix);
    case "id":
      return compareNumbers(variant.id, term.op, numericId(value) ?? NaN);
    case "product_id":
      return compareNumbers(product.id, term.op, numericId(value) ?? NaN);
    case "updated_at":
      return compareDates(variant.updatedAt, term.op, value);
    case "created_at":
      return compareDates(variant.createdAt, term.op, value);
    case "product_status":
      return value.split(",").some((v) => product.status.toLowerCase() === v.toLowerCase());
    case "tag":
      return product.tags.some((t) => exactMatch(t, value, prefix));
    case "vendor":
      return exactMatch(product.vendor, value, prefix) || phraseMatch(product.vendor, value, prefix);
    default:
      return true;
  }
}

/** Compiles a variant search query (`productVariants(query:)`). */
export function compileVariantSearch(
  query: string | null | undefined,
): CompiledSearch<{ product: ProductRecord; variant: VariantRecord }> {
  const warnings: SearchWarning[] = [];
  if (!query || !query.trim()) return { matches: () => true, warnings };
  const matches = compile(parseSearchQuery(query), matchVariantTerm, VARIANT_SEARCH_FIELDS, warnings);
  return { matches, warnings };
}
