// Bulk query operations: validates the query like Shopify, runs it asynchronously over the whole
// catalog and streams Shopify's JSONL (one object per line; nodes of nested connections on their
// own lines with `__parentId`; no `edges`) to a file served by the simulator.
import { randomBytes } from "node:crypto";
import { createWriteStream, statSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNullableType,
} from "graphql";
import { isConnection, type Connection } from "./connection.ts";
import type { BulkOperationRecord, BulkService, BulkUserError, ResolverContext } from "./context.ts";
import { collectFields, connectionNodes, costContextFor, isConnectionType, mergedSelection, type CostContext } from "./cost.ts";
import { notImplementedErrors } from "./graphql.ts";
import { isoSeconds } from "./model.ts";
import { RESOLVERS, typeNameOf } from "./resolvers.ts";
import type { ShopState } from "./store.ts";

export interface BulkSettings {
  /** Delay before an operation starts running (status stays CREATED meanwhile). */
  delayMs: number;
  /** Concurrent bulk queries per shop (Shopify: 1 before API 2026-01, 5 since). */
  maxConcurrent: number;
  /** Root objects processed between two yields to the event loop. */
  batchSize: number;
}

export interface BulkHooks {
  schema: GraphQLSchema;
  dir: () => string;
  origin: () => string;
  context: (shop: ShopState) => ResolverContext;
  onFinish: (shop: ShopState, op: BulkOperationRecord) => void;
  /** True when the shop's next operation should fail: takes a pending "bulk" failure injected for it or for any shop. */
  consumeFailure: (shop: string) => boolean;
  ids: () => number;
  now: () => number;
}

interface Plan {
  operation: OperationDefinitionNode;
  rootField: FieldNode;
  /** The validated document's cost context (its fragments), reused to run the query. */
  cc: CostContext;
}

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

function invalid(message: string): BulkUserError[] {
  return [{ field: ["query"], message, code: "INVALID" }];
}

export class BulkManager implements BulkService {
  private readonly ops = new Map<string, BulkOperationRecord[]>();
  readonly files = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly hooks: BulkHooks,
    readonly settings: BulkSettings,
  ) {}

  list(shop: ShopState): BulkOperationRecord[] {
    return this.ops.get(shop.domain) ?? [];
  }

  get(shop: ShopState, id: number): BulkOperationRecord | undefined {
    return this.list(shop).find((o) => o.id === id);
  }

  cancel(shop: ShopState, id: number): BulkOperationRecord | undefined {
    const op = this.get(shop, id);
    if (!op) return undefined;
    if (op.status === "CREATED") {
      op.status = "CANCELED";
      op.completedAt = isoSeconds(this.hooks.now());
      this.hooks.onFinish(shop, op);
    } else if (op.status === "RUNNING") {
      op.cancelRequested = true;
      op.status = "CANCELING";
    }
    return op;
  }

  /** Validates a bulk query the way bulkOperationRunQuery does. */
  validate(query: string): Plan | BulkUserError[] {
    const schema = this.hooks.schema;
    let document;
    try {
      document = parse(query);
    } catch (error) {
      return invalid(`Invalid bulk query: ${(error as Error).message}`);
    }
    const errors = validate(schema, document);
    if (errors.length) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join("; ")}`);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1) return invalid("Bulk queries must contain exactly one operation.");
    const operation = operations[0]!;
    if (operation.operation !== "query") return invalid("Bulk queries must be query operations; use bulkOperationRunMutation for mutations.");
    if (operation.variableDefinitions?.length) return invalid("Bulk queries cannot use variables.");
    const unimplemented = notImplementedErrors(schema, document);
    if (unimplemented.length) return invalid(unimplemented.map((e) => e.message).join("; "));
    const cc = costContextFor(document, schema);
    const rootFields = [...collectFields(cc, operation.selectionSet, schema.getQueryType()!).values()];
    if (rootFields.length !== 1) return invalid("Bulk queries must have exactly one top-level field.");
    const rootField = rootFields[0]![0]!;
    // Connections: at least one, at most five, nested at most two levels; parents of nested
    // connections must select `id`.
    let connections = 0;
    let problem: string | null = null;
    const walk = (selection: SelectionSetNode | undefined, type: GraphQLCompositeType, depth: number, parentHasId: boolean | null) => {
      const concrete = isObjectType(type) ? [type] : schema.getPossibleTypes(type).filter((t) => RESOLVERS[t.name]);
      for (const t of concrete) {
        for (const [, nodes] of collectFields(cc, selection, t)) {
          const node = nodes[0]!;
          const def = t.getFields()[node.name.value];
          if (!def) continue;
          const named = getNamedType(def.type);
          if (isLeafType(named)) continue;
          if (isConnectionType(named)) {
            connections++;
            if (depth + 1 > MAX_DEPTH) problem ??= `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_DEPTH}.`;
            if (parentHasId === false) {
              problem ??=
                `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection field: '${node.name.value}'.`;
            }
            const { nodeType, nodeSelection } = connectionNodes(cc, named, mergedSelection(nodes));
            walk(nodeSelection, nodeType as GraphQLCompositeType, depth + 1, selectsId(cc, nodeSelection, nodeType as GraphQLCompositeType));
          } else {
            walk(mergedSelection(nodes), named as GraphQLCompositeType, depth, parentHasId);
          }
        }
      }
    };
    walk(operation.selectionSet, schema.getQueryType()!, 0, null);
    if (problem) return invalid(problem);
    if (connections === 0) return invalid("Bulk queries must contain at least one connection.");
    if (connections > MAX_CONNECTIONS) return invalid(`Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`);
    return { operation, rootField, cc };
  }

  start(shop: ShopState, query: string): { operation: BulkOperationRecord } | { userErrors: BulkUserError[] } {
    const running = this.list(shop).filter((o) => o.status === "CREATED" || o.status === "RUNNING" || o.status === "CANCELING");
    if (running.length >= this.settings.maxConcurrent) {
      if (this.settings.maxConcurrent === 1) {
        return {
          userErrors: [
            {
              field: null,
              message: `A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/${running[0]!.id}.`,
              code: "OPERATION_IN_PROGRESS",
            },
          ],
        };
      }
      return {
        userErrors: [
          {
            field: null,
            message: `Limit of ${this.settings.maxConcurrent} concurrent bulk query operations reached for this app and shop.`,
            code: "LIMIT_REACHED",
          },
        ],
      };
    }
    const plan = this.validate(query);
    if (Array.isArray(plan)) return { userErrors: plan };
    const id = this.hooks.ids();
    const token = randomBytes(12).toString("hex");
    const fileName = `${id}-${token}.jsonl`;
    const op: BulkOperationRecord = {
      kind: "BulkOperation",
      id,
      shop: shop.domain,
      type: "QUERY",
      status: "CREATED",
      errorCode: null,
      query,
      createdAt: isoSeconds(this.hooks.now()),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      partialDataUrl: null,
      filePath: path.join(this.hooks.dir(), fileName),
      cancelRequested: false,
    };
    this.files.set(fileName, op.filePath);
    const list = this.ops.get(shop.domain) ?? [];
    list.push(op);
    this.ops.set(shop.domain, list);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.run(shop, op, plan, fileName);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, this.settings.delayMs);
    this.timers.add(timer);
    return { operation: op };
  }

  private async run(shop: ShopState, op: BulkOperationRecord, plan: Plan, fileName: string): Promise<void> {
    if (this.closed || op.status !== "CREATED") return;
    op.status = "RUNNING";
    const fail = this.hooks.consumeFailure(shop.domain);
    const stream = createWriteStream(op.filePath, { encoding: "utf8" });
    let streamError: Error | null = null;
    stream.on("error", (error) => (streamError = error));
    const url = `${this.hooks.origin()}/_sim/bulk/${fileName}`;
    let finalStatus: BulkOperationRecord["status"] = "COMPLETED";
    try {
      const exporter = new JsonlExporter(this.hooks.schema, plan.cc, this.hooks.context(shop));
      const schema = this.hooks.schema;
      const query = schema.getQueryType()!;
      const def = query.getFields()[plan.rootField.name.value]!;
      const named = getNamedType(def.type);
      const resolver = RESOLVERS[query.name]![plan.rootField.name.value]!;
      const value = resolver(undefined, getArgumentValues(def, plan.rootField, {}), exporter.ctx);
      let roots: unknown[];
      let rootType: GraphQLCompositeType;
      let rootSelection: SelectionSetNode | undefined;
      if (isConnectionType(named) && isConnection(value)) {
        const nodes = connectionNodes(plan.cc, named, plan.rootField.selectionSet);
        roots = (value as Connection<unknown>).all;
        rootType = nodes.nodeType as GraphQLCompositeType;
        rootSelection = nodes.nodeSelection;
      } else {
        roots = value == null ? [] : Array.isArray(value) ? value : [value];
        rootType = named as GraphQLCompositeType;
        rootSelection = plan.rootField.selectionSet;
      }
      const failAt = fail ? Math.floor(roots.length / 2) : -1;
      for (let i = 0; i < roots.length; i++) {
        if (i === failAt) throw new Error("injected failure");
        if (op.cancelRequested) {
          finalStatus = "CANCELED";
          break;
        }
        const lines: Array<Record<string, unknown>> = [];
        exporter.line(rootSelection, rootType, roots[i], lines);
        let chunk = "";
        for (const line of lines) chunk += JSON.stringify(line) + "\n";
        op.rootObjectCount++;
        op.objectCount += lines.length;
        if (!stream.write(chunk)) await once(stream, "drain");
        if (i % this.settings.batchSize === this.settings.batchSize - 1) await new Promise((r) => setImmediate(r));
        if (this.closed) break;
      }
    } catch {
      finalStatus = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
    }
    await closeStream(stream);
    if (this.closed) return;
    if (streamError) {
      finalStatus = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
    }
    op.fileSize = statSync(op.filePath).size;
    op.completedAt = isoSeconds(this.hooks.now());
    op.status = finalStatus;
    if (finalStatus === "COMPLETED") {
      op.url = op.objectCount > 0 ? url : null;
      if (op.objectCount === 0) op.fileSize = null;
    } else {
      op.partialDataUrl = op.objectCount > 0 ? url : null;
    }
    this.hooks.onFinish(shop, op);
  }

  /** Stops pending and running operations; resolves when their files are closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}

async function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed || stream.destroyed) return;
  const closed = once(stream, "close").catch(() => undefined);
  stream.end();
  await closed;
}

function selectsId(cc: CostContext, selection: SelectionSetNode | undefined, type: GraphQLCompositeType): boolean {
  const concrete = isObjectType(type) ? [type] : isAbstractType(type) ? cc.schema.getPossibleTypes(type) : [];
  const t = concrete[0];
  if (!t) return false;
  const fields = collectFields(cc, selection, t);
  const id = fields.get("id");
  return !!id && id[0]!.name.value === "id";
}

/** Turns records into JSONL lines using the same resolvers as the GraphQL endpoint. */
class JsonlExporter {
  private readonly fieldCache = new WeakMap<object, Map<string, Array<[string, FieldNode[]]>>>();
  private readonly argCache = new WeakMap<FieldNode, Record<string, unknown>>();
  private readonly nodeSelCache = new WeakMap<FieldNode, ReturnType<typeof connectionNodes>>();
  private static readonly EMPTY = {};

  constructor(
    private readonly schema: GraphQLSchema,
    readonly cc: CostContext,
    readonly ctx: ResolverContext,
  ) {}

  private fields(selection: SelectionSetNode | undefined, type: GraphQLObjectType): Array<[string, FieldNode[]]> {
    const key = selection ?? JsonlExporter.EMPTY;
    let byType = this.fieldCache.get(key);
    if (!byType) {
      byType = new Map();
      this.fieldCache.set(key, byType);
    }
    let list = byType.get(type.name);
    if (!list) {
      list = [...collectFields(this.cc, selection, type).entries()];
      byType.set(type.name, list);
    }
    return list;
  }

  private concrete(type: GraphQLCompositeType, value: unknown): GraphQLObjectType {
    if (isObjectType(type)) return type;
    const name = typeNameOf(value);
    const t = name ? this.schema.getType(name) : undefined;
    if (!t || !isObjectType(t)) throw new Error(`cannot resolve the type of a ${type.name}`);
    return t;
  }

  /** Appends the line of `value` and then the lines of its nested connections. */
  line(selection: SelectionSetNode | undefined, type: GraphQLCompositeType, value: unknown, out: Array<Record<string, unknown>>): void {
    const deferred: Array<(parentId: unknown) => void> = [];
    const obj = this.object(selection, type, value, out, deferred);
    out.push(obj);
    for (const expand of deferred) expand(obj["id"]);
  }

  private object(
    selection: SelectionSetNode | undefined,
    type: GraphQLCompositeType,
    value: unknown,
    out: Array<Record<string, unknown>>,
    deferred: Array<(parentId: unknown) => void>,
  ): Record<string, unknown> {
    const concrete = this.concrete(type, value);
    const obj: Record<string, unknown> = {};
    for (const [key, nodes] of this.fields(selection, concrete)) {
      const node = nodes[0]!;
      const name = node.name.value;
      if (name === "__typename") {
        obj[key] = concrete.name;
        continue;
      }
      const def = concrete.getFields()[name]!;
      let args = this.argCache.get(node);
      if (!args) {
        args = getArgumentValues(def, node, {});
        this.argCache.set(node, args);
      }
      const resolver = RESOLVERS[concrete.name]?.[name];
      if (!resolver) throw new Error(`${concrete.name}.${name} is not implemented`);
      const result = resolver(value, args, this.ctx);
      const named = getNamedType(def.type);
      if (isConnectionType(named) && isConnection(result)) {
        let nodeSel = this.nodeSelCache.get(node);
        if (!nodeSel) {
          nodeSel = connectionNodes(this.cc, named, mergedSelection(nodes));
          this.nodeSelCache.set(node, nodeSel);
        }
        const sel = nodeSel;
        deferred.push((parentId) => {
          for (const item of (result as Connection<unknown>).all) {
            const start = out.length;
            this.line(sel.nodeSelection, sel.nodeType as GraphQLCompositeType, item, out);
            out[start]!["__parentId"] = parentId;
          }
        });
        continue;
      }
      obj[key] = this.value(mergedSelection(nodes), def.type, result, out, deferred);
    }
    return obj;
  }

  private value(
    selection: SelectionSetNode | undefined,
    type: GraphQLOutputType,
    result: unknown,
    out: Array<Record<string, unknown>>,
    deferred: Array<(parentId: unknown) => void>,
  ): unknown {
    if (result === null || result === undefined) return null;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      return (result as unknown[]).map((item) => this.value(selection, nullable.ofType as GraphQLOutputType, item, out, deferred));
    }
    if (isLeafType(nullable)) return (nullable as GraphQLLeafType).serialize(result);
    return this.object(selection, nullable as GraphQLCompositeType, result, out, deferred);
  }
}
