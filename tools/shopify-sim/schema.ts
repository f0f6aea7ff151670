// The real Admin GraphQL schema (introspection shipped by Shopify), loaded once per process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { API_VERSION } from "./model.ts";

export const SCHEMA_FILE = fileURLToPath(
  new URL(`../shopify-admin-schema/admin_${API_VERSION}.json.gz`, import.meta.url),
);

let cached: GraphQLSchema | null = null;

export function loadAdminSchema(): GraphQLSchema {
  if (cached) return cached;
  const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString("utf8")) as
    | { data: IntrospectionQuery }
    | IntrospectionQuery;
  const introspection = "data" in json ? json.data : json;
  cached = buildClientSchema(introspection, { assumeValid: true });
  return cached;
}
