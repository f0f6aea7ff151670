#!/usr/bin/env node
// Generates the TypeScript types of the app's Admin GraphQL documents, offline:
//   node app/integrations/shopify/codegen.mjs          write types/admin.types.d.ts and admin.generated.d.ts
//   node app/integrations/shopify/codegen.mjs --check  fail (exit 1) when the committed types are stale
//
// Shopify's codegen preset downloads the schema unless a schema file is already in its output
// folder; this script unpacks the offline introspection there first (tools/shopify-admin-schema).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const API_VERSION = "2026-10";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const typesDir = path.join(root, "app/integrations/shopify/types");
const schemaGz = path.join(root, "tools/shopify-admin-schema", `admin_${API_VERSION}.json.gz`);
const schemaFile = path.join(typesDir, `admin-${API_VERSION}.schema.json`);
const generated = ["admin.types.d.ts", "admin.generated.d.ts"].map((f) => path.join(typesDir, f));

mkdirSync(typesDir, { recursive: true });
const schema = gunzipSync(readFileSync(schemaGz));
if (!existsSync(schemaFile) || !readFileSync(schemaFile).equals(schema)) writeFileSync(schemaFile, schema);

const check = process.argv.includes("--check");
const before = new Map(generated.map((f) => [f, existsSync(f) ? readFileSync(f, "utf8") : null]));

const bin = path.join(root, "node_modules/.bin/graphql-codegen");
const result = spawnSync(bin, ["--config", ".graphqlrc.ts", ...(check ? ["--silent"] : [])], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  console.error("graphql-codegen failed (a document does not match the Admin schema?)");
  process.exit(result.status ?? 1);
}

if (check) {
  const stale = generated.filter((f) => readFileSync(f, "utf8") !== before.get(f));
  // Leave the working tree as it was: --check only reports.
  for (const [file, text] of before) if (text !== null) writeFileSync(file, text);
  if (stale.length) {
    console.error(`Generated GraphQL types are out of date: ${stale.map((f) => path.relative(root, f)).join(", ")}.`);
    console.error("Run `node app/integrations/shopify/codegen.mjs` and commit the result.");
    process.exit(1);
  }
  console.log("GraphQL types are up to date.");
}
