// The operator CLI from the outside, as scripts drive it (GUIDE §5): exactly one JSON document on
// standard output with --json, even through `npm run`; a non-zero exit with a one-line reason on
// standard error, never a stack trace; paths relative to where the operator ran npm.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db as rootDb } from "../app/db.server";
import { deleteShopData, forShop } from "../app/db/scoped.server";
import { excelIntegration } from "../app/integrations/excel/uploads.server";
import { executeSync } from "../app/sync/engine.server";
import type { SourceRecord } from "../app/sync/records";
import { TEST_SHOP } from "./support/constants";

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function dpp(args: string[], env: Record<string, string> = {}): Outcome {
  const result = spawnSync("node_modules/.bin/tsx", ["app/cli/dpp.ts", ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 50_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The last line on standard error, and that there is no stack trace. */
function reason(outcome: Outcome): string {
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  return outcome.stderr.trim().split("\n").at(-1)!;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "passport-cli-"));

const product = (handle: string, status: "active" | "draft"): SourceRecord => ({
  externalId: handle,
  handle,
  fields: { title: { en: handle }, status },
  variants: [{ externalId: `${handle}-1`, fields: { sku: `${handle}-1`, barcode: "4006381333931" } }],
});

beforeAll(async () => {
  await deleteShopData(TEST_SHOP);
  await rootDb.shop.create({ data: { shop: TEST_SHOP, name: "Nordkap Apparel" } });
  const excel = await excelIntegration(forShop(TEST_SHOP));
  await executeSync({ shop: TEST_SHOP, integrationId: excel.id, trigger: "upload", source: async () => ({ scope: "partial", records: [product("linen-shirt", "active")] }) });
  const draft = { ...product("winter-coat", "draft"), variants: [{ externalId: "winter-coat-1", fields: { sku: "winter-coat-1" } }] };
  await executeSync({ shop: TEST_SHOP, integrationId: excel.id, trigger: "upload", source: async () => ({ scope: "partial", records: [draft] }) });
});

describe("operator CLI", () => {
  it("prints exactly one JSON document through `npm run dpp -- … --json` (npm's banner is silenced)", () => {
    const result = spawnSync("npm", ["run", "dpp", "--", "integrations", "--shop", TEST_SHOP, "--json"], { encoding: "utf8", env: process.env, timeout: 50_000 });
    expect(result.status).toBe(0);
    const doc = JSON.parse(result.stdout) as { available: string[]; connected: { kind: string; role: string }[] };
    expect(doc.connected).toEqual([expect.objectContaining({ kind: "excel", role: "primary" })]);
  }, 60_000);

  it("lists passports with the keys of GUIDE §5, and says which are not published", () => {
    const outcome = dpp(["passports", "--shop", TEST_SHOP, "--json"]);
    expect(outcome.status).toBe(0);
    const list = JSON.parse(outcome.stdout) as Record<string, unknown>[];
    const keys = ["productTitle", "variantTitle", "sku", "gtin", "publicId", "url", "digitalLinkUrl", "qrSvgUrl", "qrPngUrl", "version", "completeness"];
    for (const entry of list) expect(Object.keys(entry)).toEqual(expect.arrayContaining(keys));
    expect(list.map((p) => [p.sku, p.gtin, p.published])).toEqual(
      expect.arrayContaining([
        ["linen-shirt-1", "04006381333931", true],
        ["winter-coat-1", null, false],
      ]),
    );
    expect(list).toHaveLength(2);
  }, 60_000);

  it("refuses a shop that has not installed the app, and creates nothing for it", async () => {
    const typo = "passport-tset.myshopify.com";
    const tries = [
      dpp(["passports", "--shop", typo, "--json"]),
      dpp(["import", "--shop", typo, path.join(tmp, "missing.xlsx"), "--dry-run", "--json"]),
    ];
    for (const outcome of tries) {
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(reason(outcome)).toBe(`dpp: ${typo} has not installed Passport (it is not in this database: check --shop and DATABASE_URL)`);
    }
    expect(await rootDb.integration.count({ where: { shop: typo } })).toBe(0);
  }, 60_000);

  it("says in one line what is wrong with an option, and exits 0 for --help", () => {
    const unknown = dpp(["passports", "--shop", TEST_SHOP, "--bogus"]);
    expect(unknown.status).toBe(1);
    expect(reason(unknown)).toMatch(/^dpp: Unknown option '--bogus'/);
    const noValue = dpp(["export", "--shop", TEST_SHOP, "--out"]);
    expect(noValue.status).toBe(1);
    expect(reason(noValue)).toMatch(/^dpp: Option '--out <value>' argument missing/);
    const help = dpp(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stderr).toContain("Usage: npm run dpp");
    expect(dpp([]).status).toBe(2);
  }, 60_000);

  it("refuses an output file it cannot write before doing any work", () => {
    for (const command of ["export", "qr"]) {
      const outcome = dpp([command, "--shop", TEST_SHOP, "--out", "/nonexistent-folder/out.file"]);
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(reason(outcome)).toBe("dpp: cannot write /nonexistent-folder/out.file: its folder does not exist");
    }
  }, 60_000);

  it("reads and writes relative paths where the operator ran npm", () => {
    const here = mkdtempSync(path.join(os.tmpdir(), "passport-cli-cwd-"));
    const outcome = dpp(["export", "--shop", TEST_SHOP, "--out", "catalog.xlsx", "--json"], { INIT_CWD: here });
    expect(outcome.status).toBe(0);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ file: path.join(here, "catalog.xlsx") });
    expect(existsSync(path.join(here, "catalog.xlsx"))).toBe(true);
  }, 60_000);

  it("gives the reason of a refused import on standard error, and the run with its errors on standard output", () => {
    writeFileSync(path.join(tmp, "notes.xlsx"), "handle,title\ntee,Tee\n");
    const outcome = dpp(["import", "--shop", TEST_SHOP, path.join(tmp, "notes.xlsx"), "--dry-run", "--json"]);
    expect(outcome.status).toBe(1);
    const doc = JSON.parse(outcome.stdout) as { run: { status: string; message?: string } };
    expect(doc.run.status).toBe("failed");
    expect(reason(outcome)).toMatch(/^dpp: .*not an Excel workbook/i);
  }, 60_000);
});
