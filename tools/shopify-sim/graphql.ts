// Executes Admin API requests against the real schema: parse, validate (errors shaped like
// Shopify's graphql-ruby ones), refuse unimplemented fields, compute the cost, throttle, execute.
import {
  execute,
  getVariableValues,
  GraphQLError,
  isObjectType,
  Kind,
  parse,
  responsePathAsArray,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
} from "graphql";
import type { ResolverContext } from "./context.ts";
import { actualQueryCost, costContextFor, requestedQueryCost } from "./cost.ts";
import { RESOLVERS, UNSUPPORTED_ARGUMENTS, typeNameOf } from "./resolvers.ts";

export interface GraphqlInput {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface Throttle {
  maxQueryCost: number;
  /** Deducts `cost` if the bucket holds it; false when throttled. */
  take(cost: number): boolean;
  refund(points: number): void;
  status(): ThrottleStatus;
}

export interface GraphqlOutcome {
  status: number;
  body: Record<string, unknown>;
  requestedCost: number;
  actualCost: number;
  throttled: boolean;
  maxCostExceeded: boolean;
}

type JsonError = {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
};

const DOCS_RATE_LIMITS = "https://shopify.dev/api/usage/rate-limits";

// ---------------------------------------------------------------------------------------------
// Validation errors in Shopify's (graphql-ruby) wording

interface AstInfo {
  path: Map<ASTNode, string[]>;
  argumentOf: Map<ASTNode, { argument: string; field: string }>;
}

function astInfo(document: DocumentNode): AstInfo {
  const path = new Map<ASTNode, string[]>();
  const argumentOf = new Map<ASTNode, { argument: string; field: string }>();
  const stack: string[] = [];
  const fieldStack: string[] = [];
  visit(document, {
    OperationDefinition: {
      enter(node) {
        stack.push(node.name ? `${node.operation} ${node.name.value}` : node.operation);
        path.set(node, [...stack]);
      },
      leave() {
        stack.pop();
      },
    },
    FragmentDefinition: {
      enter(node) {
        stack.push(`fragment ${node.name.value}`);
        path.set(node, [...stack]);
      },
      leave() {
        stack.pop();
      },
    },
    InlineFragment: {
      enter(node) {
        stack.push(node.typeCondition ? `... on ${node.typeCondition.name.value}` : "...");
        path.set(node, [...stack]);
      },
      leave() {
        stack.pop();
      },
    },
    Field: {
      enter(node) {
        stack.push(node.name.value);
        fieldStack.push(node.name.value);
        path.set(node, [...stack]);
      },
      leave() {
        stack.pop();
        fieldStack.pop();
      },
    },
    Argument: {
      enter(node) {
        const p = [...stack, node.name.value];
        path.set(node, p);
        const field = fieldStack[fieldStack.length - 1] ?? "";
        argumentOf.set(node, { argument: node.name.value, field });
        visit(node.value, {
          enter(inner) {
            argumentOf.set(inner, { argument: node.name.value, field });
            path.set(inner, p);
          },
        });
      },
    },
    VariableDefinition: {
      enter(node) {
        path.set(node, [...stack, `$${node.variable.name.value}`]);
      },
    },
    FragmentSpread: {
      enter(node) {
        path.set(node, [...stack, `... ${node.name.value}`]);
      },
    },
  });
  return { path, argumentOf };
}

function stripNonNull(type: string): string {
  return type.replace(/!$/, "");
}

function shopifyValidationError(error: GraphQLError, info: AstInfo, operationLabel: string): JsonError {
  const node = error.nodes?.[0];
  const out: JsonError = { message: error.message };
  if (error.locations?.length) out.locations = error.locations.map((l) => ({ line: l.line, column: l.column }));
  if (node && info.path.has(node)) out.path = info.path.get(node)!;
  const m = (re: RegExp) => re.exec(error.message);
  let match: RegExpExecArray | null;
  if ((match = m(/^Cannot query field "(\w+)" on type "(\w+)"\./))) {
    out.message = `Field '${match[1]}' doesn't exist on type '${match[2]}'`;
    out.extensions = { code: "undefinedField", typeName: match[2], fieldName: match[1] };
  } else if ((match = m(/^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./))) {
    out.message = `Field '${match[3]}' doesn't accept argument '${match[1]}'`;
    out.extensions = { code: "argumentNotAccepted", name: match[3], typeName: "Field", argumentName: match[1] };
  } else if ((match = m(/^Unknown argument "(\w+)" on directive "@(\w+)"\./))) {
    out.message = `Directive '${match[2]}' doesn't accept argument '${match[1]}'`;
    out.extensions = { code: "argumentNotAccepted", name: match[2], typeName: "Directive", argumentName: match[1] };
  } else if ((match = m(/^Field "(\w+)" argument "(\w+)" of type "(.+)" is required, but it was not provided\./))) {
    out.message = `Field '${match[1]}' is missing required arguments: ${match[2]}`;
    out.extensions = { code: "missingRequiredArguments", className: "Field", name: match[1], arguments: match[2] };
  } else if ((match = m(/^Field "(\w+)" of type "(.+)" must have a selection of subfields\./))) {
    const type = stripNonNull(match[2]!);
    out.message = `Field must have selections (field '${match[1]}' returns ${type} but has no selections. Did you mean '${match[1]} { ... }'?)`;
    out.extensions = { code: "selectionMismatch", nodeName: `field '${match[1]}'`, typeName: type };
  } else if ((match = m(/^Field "(\w+)" must not have a selection since type "(.+)" has no subfields\./))) {
    const field = node && node.kind === Kind.FIELD ? node : null;
    const selections = field?.selectionSet?.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : "...")) ?? [];
    out.message = `Selections can't be made on scalars (field '${match[1]}' returns ${stripNonNull(match[2]!)} but has selections [${selections.join(", ")}])`;
    out.extensions = { code: "selectionMismatch", nodeName: `field '${match[1]}'`, typeName: stripNonNull(match[2]!) };
  } else if ((match = m(/^Unknown type "(\w+)"\./))) {
    out.message = `No such type ${match[1]}, so it can't be a fragment condition`;
    out.extensions = { code: "undefinedType", typeName: match[1] };
  } else if ((match = m(/^Variable "\$(\w+)" is not defined/))) {
    out.message = `Variable $${match[1]} is used by ${operationLabel} but not declared`;
    out.extensions = { code: "variableNotDefined", variableName: match[1] };
  } else if ((match = m(/^Variable "\$(\w+)" is never used/))) {
    out.message = `Variable $${match[1]} is declared by ${operationLabel} but not used`;
    out.extensions = { code: "variableNotUsed", variableName: match[1] };
  } else if ((match = m(/^Variable "\$(\w+)" of type "(.+)" used in position expecting type "(.+)"\./))) {
    const arg = node ? info.argumentOf.get(node) : undefined;
    out.message = `Type mismatch on variable $${match[1]} and argument ${arg?.argument ?? "?"} (${match[2]} / ${match[3]})`;
    out.extensions = { code: "variableMismatch", variableName: match[1], typeName: match[2], argumentName: arg?.argument, errorMessage: "Type mismatch" };
  } else if ((match = m(/^Unknown fragment "(\w+)"\./))) {
    out.message = `Fragment ${match[1]} was used, but not defined`;
    out.extensions = { code: "useAndDefineFragment", fragmentName: match[1] };
  } else if ((match = m(/^Fragment "(\w+)" is never used\./))) {
    out.message = `Fragment ${match[1]} was defined, but not used`;
    out.extensions = { code: "useAndDefineFragment", fragmentName: match[1] };
  } else if (node && info.argumentOf.has(node)) {
    const { argument, field } = info.argumentOf.get(node)!;
    const expected = /Expected value of type "(.+?)"/.exec(error.message)?.[1] ?? /^(\w+) cannot represent/.exec(error.message)?.[1] ?? "";
    const typeMatch = /does not exist in "(\w+)" enum/.exec(error.message)?.[1] ?? expected;
    const found = node.loc ? node.loc.source.body.slice(node.loc.start, node.loc.end) : "";
    out.message = `Argument '${argument}' on Field '${field}' has an invalid value (${found}). Expected type '${typeMatch}'.`;
    out.extensions = { code: "argumentLiteralsIncompatible", typeName: "Field", argumentName: argument };
  } else {
    out.extensions = { code: "validationError" };
  }
  return out;
}

function parseError(error: GraphQLError): JsonError {
  const loc = error.locations?.[0];
  const detail = error.message.replace(/^Syntax Error: /, "");
  return {
    message: `Parse error: ${detail}${loc ? ` at [${loc.line}, ${loc.column}]` : ""}`,
    ...(loc ? { locations: [{ line: loc.line, column: loc.column }] } : {}),
    extensions: { code: "PARSE_ERROR" },
  };
}

// ---------------------------------------------------------------------------------------------
// Fields the simulator does not implement

export function notImplementedErrors(schema: GraphQLSchema, document: DocumentNode): JsonError[] {
  const errors: JsonError[] = [];
  const seen = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name.startsWith("__")) return;
        const parent = typeInfo.getParentType();
        if (!parent) return;
        if (parent.name.startsWith("__")) return;
        const add = (message: string, extensions: Record<string, unknown>) => {
          if (seen.has(message)) return;
          seen.add(message);
          errors.push({
            message,
            ...(node.loc ? { locations: [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] } : {}),
            extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR", ...extensions },
          });
        };
        let implemented: boolean;
        if (isObjectType(parent)) {
          const map = RESOLVERS[parent.name];
          // A type with no resolvers at all is never returned by the simulator: either it is only
          // reachable through an inline fragment (harmless), or the field leading to it is reported.
          if (!map) return;
          implemented = !!map[name];
        } else {
          // Interfaces and unions: at least one type the simulator returns must resolve the field
          // (a type that does not is caught, with the same message, when it is returned).
          implemented = schema.getPossibleTypes(parent).some((t) => !!RESOLVERS[t.name]?.[name]);
        }
        if (!implemented) {
          add(
            `Field '${name}' on ${parent.name} is not implemented by the Shopify simulator (tools/shopify-sim). ` +
              `Remove it from the query or add a resolver in tools/shopify-sim/resolvers.ts.`,
            { typeName: parent.name, fieldName: name },
          );
          return;
        }
        const unsupported = UNSUPPORTED_ARGUMENTS[`${parent.name}.${name}`] ?? [];
        for (const arg of node.arguments ?? []) {
          if (unsupported.includes(arg.name.value)) {
            add(`Argument '${arg.name.value}' of ${parent.name}.${name} is not implemented by the Shopify simulator (tools/shopify-sim).`, {
              typeName: parent.name,
              fieldName: name,
              argumentName: arg.name.value,
            });
          }
        }
      },
    }),
  );
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Execution

const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  const resolver = RESOLVERS[info.parentType.name]?.[info.fieldName];
  if (!resolver) {
    throw new GraphQLError(`Field '${info.fieldName}' on ${info.parentType.name} is not implemented by the Shopify simulator.`, {
      extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR" },
    });
  }
  return resolver(source, args, ctx, info);
};

const typeResolver: GraphQLTypeResolver<unknown, ResolverContext> = (value, ctx, info) => {
  const name = typeNameOf(value);
  if (name) ctx.typesByPath.set(responsePathAsArray(info.path).join("."), name);
  return name;
};

function selectOperation(document: DocumentNode, operationName: string | null): OperationDefinitionNode | JsonError {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) {
    const op = operations.find((o) => o.name?.value === operationName);
    return op ?? { message: `No operation named "${operationName}"`, extensions: { code: "OPERATION_NOT_FOUND" } };
  }
  if (operations.length === 1) return operations[0]!;
  if (operations.length === 0) return { message: "No operations in query document", extensions: { code: "OPERATION_NOT_FOUND" } };
  return { message: "An operation name is required", extensions: { code: "OPERATION_NAME_REQUIRED" } };
}

function variableError(error: GraphQLError, op: OperationDefinitionNode, variables: Record<string, unknown>): JsonError {
  const name = /Variable "\$(\w+)"/.exec(error.message)?.[1] ?? "";
  const def = op.variableDefinitions?.find((d) => d.variable.name.value === name);
  const typeText = def?.type.loc ? def.type.loc.source.body.slice(def.type.loc.start, def.type.loc.end) : "?";
  let explanation = error.message.replace(/^Variable "\$\w+" (got invalid value [^;]*; )?/, "").replace(/^of required type "[^"]+" /, "");
  if (/was not provided|must not be null/.test(explanation)) explanation = "Expected value to not be null";
  return {
    message: `Variable $${name} of type ${typeText} was provided invalid value`,
    ...(error.locations?.length ? { locations: error.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
    extensions: {
      code: "INVALID_VARIABLE",
      value: variables[name] ?? null,
      problems: [{ path: [], explanation: explanation.replace(/\.$/, "") }],
    },
  };
}

function costExtension(requested: number | null, actual: number | null, throttle: Throttle) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttle.status() } };
}

/** Runs one Admin API GraphQL request for a shop. HTTP status is 200 unless the body is unusable. */
export function runGraphql(schema: GraphQLSchema, input: GraphqlInput, ctx: ResolverContext, throttle: Throttle): GraphqlOutcome {
  const outcome = (body: Record<string, unknown>, extra: Partial<GraphqlOutcome> = {}): GraphqlOutcome => ({
    status: 200,
    body,
    requestedCost: 0,
    actualCost: 0,
    throttled: false,
    maxCostExceeded: false,
    ...extra,
  });
  if (typeof input.query !== "string" || input.query.trim() === "") {
    return outcome({ errors: { query: "Required parameter missing or invalid" } }, { status: 400 });
  }
  const rawVariables =
    input.variables && typeof input.variables === "object" && !Array.isArray(input.variables)
      ? (input.variables as Record<string, unknown>)
      : {};
  const operationName = typeof input.operationName === "string" && input.operationName ? input.operationName : null;

  let document: DocumentNode;
  try {
    document = parse(input.query);
  } catch (error) {
    return outcome({ errors: [parseError(error as GraphQLError)], extensions: costExtension(0, null, throttle) });
  }
  const validationErrors = validate(schema, document);
  const selected = selectOperation(document, operationName);
  const label = "kind" in selected ? (selected.name ? `${selected.operation} ${selected.name.value}` : selected.operation) : "query";
  if (validationErrors.length) {
    const info = astInfo(document);
    return outcome({
      errors: validationErrors.map((e) => shopifyValidationError(e, info, label)),
      extensions: costExtension(0, null, throttle),
    });
  }
  if (!("kind" in selected)) return outcome({ errors: [selected], extensions: costExtension(0, null, throttle) });
  const operation = selected;
  if (operation.operation === "subscription") {
    return outcome({ errors: [{ message: "Subscriptions are not supported", extensions: { code: "SUBSCRIPTION_NOT_SUPPORTED" } }] });
  }
  const unimplemented = notImplementedErrors(schema, document);
  if (unimplemented.length) return outcome({ errors: unimplemented, extensions: costExtension(0, null, throttle) });

  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 10 });
  if (coerced.errors) {
    return outcome({
      errors: coerced.errors.map((e) => variableError(e, operation, rawVariables)),
      extensions: costExtension(0, null, throttle),
    });
  }
  const costCtx = costContextFor(document, schema, coerced.coerced);
  const requested = requestedQueryCost(costCtx, operation);

  if (requested > throttle.maxQueryCost) {
    return outcome(
      {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${throttle.maxQueryCost}).\n\n` +
              `See ${DOCS_RATE_LIMITS} for more information on how the\ncost of a query is calculated.\n\n` +
              "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
              "See https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n",
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: throttle.maxQueryCost, documentation: DOCS_RATE_LIMITS },
          },
        ],
        extensions: costExtension(requested, null, throttle),
      },
      { requestedCost: requested, maxCostExceeded: true },
    );
  }
  if (!throttle.take(requested)) {
    return outcome(
      {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: DOCS_RATE_LIMITS } }],
        extensions: costExtension(requested, null, throttle),
      },
      { requestedCost: requested, throttled: true },
    );
  }

  const result = execute({
    schema,
    document,
    operationName: operation.name?.value ?? null,
    variableValues: rawVariables,
    contextValue: ctx,
    fieldResolver,
    typeResolver,
  });
  if (result instanceof Promise) throw new Error("resolvers must be synchronous");
  const actual = Math.min(requested, actualQueryCost(costCtx, operation, result.data as Record<string, unknown> | null, ctx.typesByPath));
  throttle.refund(requested - actual);
  const body: Record<string, unknown> = {};
  if (result.errors?.length) body["errors"] = result.errors.map((e) => e.toJSON());
  body["data"] = result.data ?? null;
  const extensions: Record<string, unknown> = costExtension(requested, actual, throttle);
  if (ctx.searchWarnings.length) extensions["search"] = ctx.searchWarnings;
  body["extensions"] = extensions;
  return outcome(body, { requestedCost: requested, actualCost: actual });
}
