// Relay connections with Shopify-style opaque cursors (base64 of {"last_id","last_value"}).
import { GraphQLError } from "graphql";

const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface SortKey {
  id: number;
  value: string | number | null;
}

export type KeyCompare = (a: SortKey, b: SortKey) => number;

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify({ last_id: key.id, last_value: key.value })).toString("base64");
}

function decodeCursor(cursor: string): SortKey {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown; last_value?: unknown };
    if (typeof parsed.last_id !== "number") throw new Error("no id");
    const value = parsed.last_value;
    return {
      id: parsed.last_id,
      value: typeof value === "string" || typeof value === "number" ? value : null,
    };
  } catch {
    throw new GraphQLError("Invalid cursor.", { extensions: { code: "argumentLiteralsIncompatible" } });
  }
}

/** Shopify's rule: a connection needs `first` or `last`, at most 250. */
export function validatePageArgs(args: PageArgs): void {
  const { first, last } = args;
  if (first == null && last == null) throw new GraphQLError("you must provide one of first or last");
  if (first != null && last != null) throw new GraphQLError("providing both first and last is not supported");
  for (const [name, value] of [["first", first], ["last", last]] as const) {
    if (value == null) continue;
    if (value < 0) throw new GraphQLError(`${name} must be greater than or equal to 0`);
    if (value > MAX_PAGE_SIZE) {
      throw new GraphQLError(`The ${name} argument must be less than or equal to ${MAX_PAGE_SIZE}.`, {
        extensions: { code: "MAX_PAGE_SIZE_EXCEEDED", maxPageSize: MAX_PAGE_SIZE },
      });
    }
  }
}

/** Default key comparison: by value (nulls first), then id. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a.value !== b.value) {
    if (a.value === null) return -1;
    if (b.value === null) return 1;
    if (typeof a.value === "number" && typeof b.value === "number") return a.value - b.value;
    const c = String(a.value).localeCompare(String(b.value), "en", { sensitivity: "base" });
    if (c !== 0) return c;
  }
  return a.id - b.id;
}

export class Connection<T> {
  readonly kind = "Connection";
  private cached: { items: T[]; start: number; end: number } | null = null;

  /**
   * @param all every item, already filtered and in output order
   * @param keyOf sort key of an item (what the cursor stores)
   * @param compare comparison consistent with the order of `all`
   */
  constructor(
    readonly all: T[],
    readonly args: PageArgs,
    readonly keyOf: (item: T) => SortKey,
    readonly compare: KeyCompare,
  ) {}

  private indexAfter(cursor: string): number {
    const key = decodeCursor(cursor);
    const exact = this.all.findIndex((item) => this.keyOf(item).id === key.id);
    if (exact >= 0) return exact + 1;
    const next = this.all.findIndex((item) => this.compare(this.keyOf(item), key) > 0);
    return next < 0 ? this.all.length : next;
  }

  private indexBefore(cursor: string): number {
    const key = decodeCursor(cursor);
    const exact = this.all.findIndex((item) => this.keyOf(item).id === key.id);
    if (exact >= 0) return exact;
    const next = this.all.findIndex((item) => this.compare(this.keyOf(item), key) >= 0);
    return next < 0 ? this.all.length : next;
  }

  page(): { items: T[]; start: number; end: number } {
    if (this.cached) return this.cached;
    let start = this.args.after ? this.indexAfter(this.args.after) : 0;
    let end = this.args.before ? this.indexBefore(this.args.before) : this.all.length;
    if (end < start) end = start;
    if (this.args.first != null) end = Math.min(end, start + this.args.first);
    else if (this.args.last != null) start = Math.max(start, end - this.args.last);
    this.cached = { items: this.all.slice(start, end), start, end };
    return this.cached;
  }

  cursorOf(item: T): string {
    return encodeCursor(this.keyOf(item));
  }

  get pageInfo(): { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } {
    const { items, start, end } = this.page();
    return {
      hasNextPage: end < this.all.length,
      hasPreviousPage: start > 0,
      startCursor: items.length ? this.cursorOf(items[0]!) : null,
      endCursor: items.length ? this.cursorOf(items[items.length - 1]!) : null,
    };
  }
}

export function isConnection(value: unknown): value is Connection<unknown> {
  return value instanceof Connection;
}
