#!/usr/bin/env node
// Copies the Admin GraphQL introspection for one API version out of @shopify/dev-mcp:
//   node scripts/extract-admin-schema.mjs 2026-10 [dev-mcp version]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const [version, mcpVersion = "1.16.0"] = process.argv.slice(2);
if (!/^\d{4}-\d{2}$/.test(version ?? "")) {
  console.error("usage: node scripts/extract-admin-schema.mjs <YYYY-MM> [dev-mcp version]");
  process.exit(2);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), "dev-mcp-"));
try {
  const tarball = execFileSync("npm", ["pack", `@shopify/dev-mcp@${mcpVersion}`, "--silent"], { cwd: tmp, encoding: "utf8" }).trim();
  execFileSync("tar", ["xzf", tarball, `package/dist/data/admin_${version}.json.gz`], { cwd: tmp });
  const target = path.resolve("tools/shopify-admin-schema", `admin_${version}.json.gz`);
  copyFileSync(path.join(tmp, "package/dist/data", `admin_${version}.json.gz`), target);
  console.log(`wrote ${target}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
