// Shopify's calculated query cost (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
// scalars and enums 0, objects 1, interfaces/unions the maximum of their possible selections,
// connections 2 + (first|last) × cost of a node, mutations 10. The requested cost is computed from
// the query; the actual cost by the same rules over the data really returned.
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";

const MUTATION_COST = 10;

export interface CostContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** The cost context of a parsed document: its fragments by name, and the operation's variables. */
export function costContextFor(document: DocumentNode, schema: GraphQLSchema, variables: Record<string, unknown> = {}): CostContext {
  const fragments: CostContext["fragments"] = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return { schema, fragments, variables };
}

function included(ctx: CostContext, node: FieldNode | { directives?: readonly unknown[] }): boolean {
  const n = node as FieldNode;
  if (!n.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, n, ctx.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, n, ctx.variables);
  return include?.if !== false;
}

function typeApplies(ctx: CostContext, conditionName: string | undefined, type: GraphQLObjectType): boolean {
  if (!conditionName) return true;
  if (conditionName === type.name) return true;
  const condition = ctx.schema.getType(conditionName);
  return !!condition && isAbstractType(condition) && ctx.schema.isSubType(condition, type);
}

/** Fields selected on a concrete type, grouped by response key (fragments flattened). */
export function collectFields(
  ctx: CostContext,
  selectionSet: SelectionSetNode | undefined,
  type: GraphQLObjectType,
  out: Map<string, FieldNode[]> = new Map(),
  visited: Set<string> = new Set(),
): Map<string, FieldNode[]> {
  if (!selectionSet) return out;
  for (const sel of selectionSet.selections) {
    if (!included(ctx, sel)) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const list = out.get(key);
      if (list) list.push(sel);
      else out.set(key, [sel]);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (typeApplies(ctx, sel.typeCondition?.name.value, type)) collectFields(ctx, sel.selectionSet, type, out, visited);
    } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
      const name = sel.name.value;
      if (visited.has(name)) continue;
      const frag = ctx.fragments[name];
      if (!frag || !typeApplies(ctx, frag.typeCondition.name.value, type)) continue;
      visited.add(name);
      collectFields(ctx, frag.selectionSet, type, out, visited);
    }
  }
  return out;
}

/**
 * Merges the sub-selections of several field nodes with the same response key. A single node's own
 * selection set is returned as is, so caches keyed by selection (bulk's JSONL export) still hit.
 */
export function mergedSelection(nodes: FieldNode[]): SelectionSetNode | undefined {
  if (nodes.length === 1) return nodes[0]!.selectionSet?.selections.length ? nodes[0]!.selectionSet : undefined;
  const selections = nodes.flatMap((n) => n.selectionSet?.selections ?? []);
  if (selections.length === 0) return undefined;
  return { kind: Kind.SELECTION_SET, selections };
}

export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  if (!isObjectType(type) || !type.name.endsWith("Connection")) return false;
  const fields = type.getFields();
  return "pageInfo" in fields && ("edges" in fields || "nodes" in fields);
}

/** The node type of a connection and the selection made on its nodes (edges.node and nodes). */
export function connectionNodes(
  ctx: CostContext,
  connectionType: GraphQLObjectType,
  selection: SelectionSetNode | undefined,
): { nodeType: GraphQLNamedType; nodeSelection: SelectionSetNode | undefined; edgeKeys: string[]; nodesKeys: string[] } {
  const fields = collectFields(ctx, selection, connectionType);
  const nodeType = getNamedType(connectionType.getFields()["nodes"]?.type ?? connectionType.getFields()["edges"]!.type);
  let realNodeType: GraphQLNamedType = nodeType;
  const selections: SelectionNode[] = [];
  const edgeKeys: string[] = [];
  const nodesKeys: string[] = [];
  for (const [key, nodes] of fields) {
    const name = nodes[0]!.name.value;
    if (name === "nodes") {
      nodesKeys.push(key);
      for (const n of nodes) if (n.selectionSet) selections.push(...n.selectionSet.selections);
    } else if (name === "edges") {
      edgeKeys.push(key);
      const edgeType = getNamedType(connectionType.getFields()["edges"]!.type) as GraphQLObjectType;
      const edgeFields = collectFields(ctx, mergedSelection(nodes), edgeType);
      for (const [, edgeNodes] of edgeFields) {
        if (edgeNodes[0]!.name.value === "node") {
          realNodeType = getNamedType(edgeType.getFields()["node"]!.type);
          for (const n of edgeNodes) if (n.selectionSet) selections.push(...n.selectionSet.selections);
        }
      }
    }
  }
  const nodeSelection: SelectionSetNode | undefined = selections.length ? { kind: Kind.SELECTION_SET, selections } : undefined;
  return { nodeType: realNodeType, nodeSelection, edgeKeys, nodesKeys };
}

function argumentsOf(ctx: CostContext, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, ctx.variables);
  } catch {
    return {};
  }
}

/** Concrete types worth costing for an abstract type: those named in fragments, plus one generic. */
function candidateTypes(ctx: CostContext, type: GraphQLCompositeType, selection: SelectionSetNode | undefined): GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  const possible = ctx.schema.getPossibleTypes(type);
  const names = new Set<string>();
  const scan = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (sel.typeCondition) names.add(sel.typeCondition.name.value);
        scan(sel.selectionSet, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const frag = ctx.fragments[sel.name.value];
        if (frag) {
          names.add(frag.typeCondition.name.value);
          scan(frag.selectionSet, seen);
        }
      }
    }
  };
  scan(selection, new Set());
  const out = possible.filter((t) => names.has(t.name));
  if (possible[0] && !out.includes(possible[0])) out.push(possible[0]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requested cost (static)

function staticSelectionCost(ctx: CostContext, selection: SelectionSetNode | undefined, type: GraphQLObjectType, payload: boolean): number {
  let total = 0;
  for (const [, nodes] of collectFields(ctx, selection, type)) total += staticFieldCost(ctx, nodes, type, payload);
  return total;
}

function staticCompositeCost(ctx: CostContext, selection: SelectionSetNode | undefined, type: GraphQLCompositeType, payload: boolean): number {
  let best = 0;
  for (const t of candidateTypes(ctx, type, selection)) best = Math.max(best, staticSelectionCost(ctx, selection, t, payload));
  return (payload ? 0 : 1) + best;
}

function staticFieldCost(ctx: CostContext, nodes: FieldNode[], parent: GraphQLObjectType, payload: boolean): number {
  const node = nodes[0]!;
  const name = node.name.value;
  if (name.startsWith("__")) return 0;
  const def = parent.getFields()[name];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  const selection = mergedSelection(nodes);
  const args = argumentsOf(ctx, def, node);
  if (isConnectionType(named)) {
    const size = Number(args["first"] ?? args["last"] ?? 1) || 0;
    const { nodeType, nodeSelection } = connectionNodes(ctx, named, selection);
    return 2 + size * staticCompositeCost(ctx, nodeSelection, nodeType as GraphQLCompositeType, false);
  }
  const multiplier = isListType(getNullableType(def.type)) && Array.isArray(args["ids"]) ? (args["ids"] as unknown[]).length : 1;
  return multiplier * staticCompositeCost(ctx, selection, named as GraphQLCompositeType, payload);
}

export function requestedQueryCost(ctx: CostContext, operation: OperationDefinitionNode): number {
  const root = operation.operation === "mutation" ? ctx.schema.getMutationType() : ctx.schema.getQueryType();
  if (!root) return 0;
  let total = 0;
  for (const [, nodes] of collectFields(ctx, operation.selectionSet, root)) {
    if (operation.operation === "mutation") {
      const def = root.getFields()[nodes[0]!.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      total += MUTATION_COST + (isLeafType(named) ? 0 : staticCompositeCost(ctx, mergedSelection(nodes), named as GraphQLCompositeType, true));
    } else {
      total += staticFieldCost(ctx, nodes, root, false);
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Actual cost (over the returned data)

/** Concrete type names recorded while executing, by response path ("a.0.b"). */
export type TypeByPath = Map<string, string>;

function dataSelectionCost(
  ctx: CostContext,
  selection: SelectionSetNode | undefined,
  type: GraphQLObjectType,
  data: Record<string, unknown>,
  path: string,
  types: TypeByPath,
  payload: boolean,
): number {
  let total = 0;
  for (const [key, nodes] of collectFields(ctx, selection, type)) {
    total += dataFieldCost(ctx, nodes, type, data[key], path ? `${path}.${key}` : key, types, payload);
  }
  return total;
}

function concreteType(ctx: CostContext, type: GraphQLCompositeType, path: string, types: TypeByPath): GraphQLObjectType | null {
  if (isObjectType(type)) return type;
  const name = types.get(path);
  const t = name ? ctx.schema.getType(name) : null;
  return t && isObjectType(t) ? t : null;
}

function dataCompositeCost(
  ctx: CostContext,
  selection: SelectionSetNode | undefined,
  type: GraphQLCompositeType,
  value: unknown,
  path: string,
  types: TypeByPath,
  payload: boolean,
): number {
  if (value === null || value === undefined || typeof value !== "object") return 0;
  const concrete = concreteType(ctx, type, path, types);
  const children = concrete ? dataSelectionCost(ctx, selection, concrete, value as Record<string, unknown>, path, types, payload) : 0;
  return (payload ? 0 : 1) + children;
}

function dataFieldCost(
  ctx: CostContext,
  nodes: FieldNode[],
  parent: GraphQLObjectType,
  value: unknown,
  path: string,
  types: TypeByPath,
  payload: boolean,
): number {
  const name = nodes[0]!.name.value;
  if (name.startsWith("__")) return 0;
  const def = parent.getFields()[name];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named) || value === null || value === undefined) return 0;
  const selection = mergedSelection(nodes);
  if (isConnectionType(named)) {
    const { nodeType, nodeSelection, edgeKeys, nodesKeys } = connectionNodes(ctx, named, selection);
    const conn = value as Record<string, unknown>;
    let cost = 2;
    const nodesKey = nodesKeys[0];
    const edgeKey = edgeKeys[0];
    if (nodesKey && Array.isArray(conn[nodesKey])) {
      (conn[nodesKey] as unknown[]).forEach((n, i) => {
        cost += dataCompositeCost(ctx, nodeSelection, nodeType as GraphQLCompositeType, n, `${path}.${nodesKey}.${i}`, types, false);
      });
    } else if (edgeKey && Array.isArray(conn[edgeKey])) {
      (conn[edgeKey] as Array<Record<string, unknown>>).forEach((edge, i) => {
        const nodeKey = Object.keys(edge ?? {}).find((k) => edge[k] !== null && typeof edge[k] === "object");
        const node = nodeKey ? edge[nodeKey] : null;
        cost += dataCompositeCost(
          ctx,
          nodeSelection,
          nodeType as GraphQLCompositeType,
          node,
          `${path}.${edgeKey}.${i}.${nodeKey ?? "node"}`,
          types,
          false,
        );
      });
    }
    return cost;
  }
  if (Array.isArray(value)) {
    const perElement = value.map((v, i) => dataCompositeCost(ctx, selection, named as GraphQLCompositeType, v, `${path}.${i}`, types, payload));
    const args = argumentsOf(ctx, def, nodes[0]!);
    if (Array.isArray(args["ids"])) return perElement.reduce((a, b) => a + b, 0);
    return perElement.length ? Math.max(...perElement) : payload ? 0 : 1;
  }
  return dataCompositeCost(ctx, selection, named as GraphQLCompositeType, value, path, types, payload);
}

export function actualQueryCost(
  ctx: CostContext,
  operation: OperationDefinitionNode,
  data: Record<string, unknown> | null | undefined,
  types: TypeByPath,
): number {
  const root = operation.operation === "mutation" ? ctx.schema.getMutationType() : ctx.schema.getQueryType();
  if (!root || !data) return operation.operation === "mutation" ? MUTATION_COST : 0;
  let total = 0;
  for (const [key, nodes] of collectFields(ctx, operation.selectionSet, root)) {
    if (operation.operation === "mutation") {
      const def = root.getFields()[nodes[0]!.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      total +=
        MUTATION_COST +
        (isLeafType(named) ? 0 : dataCompositeCost(ctx, mergedSelection(nodes), named as GraphQLCompositeType, data[key], key, types, true));
    } else {
      total += dataFieldCost(ctx, nodes, root, data[key], key, types, false);
    }
  }
  return total;
}
