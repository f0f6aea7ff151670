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
import { writeProducts } from "../app/integrations/excel/fixtures/helpers";
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

  it("gives the reason of a refused import on standard error, and the run with the refusal in its errors on standard output", () => {
    writeFileSync(path.join(tmp, "notes.xlsx"), "handle,title\ntee,Tee\n");
    type Doc = { run: { status: string; message?: string }; errors: { sheet: string; row: number; column: string; message: string }[] };
    // A dry run's run is a preview (GUIDE §5), refused or not; the exit code and the errors say it is refused.
    for (const [args, status] of [[["--dry-run"], "preview"], [[], "failed"]] as const) {
      const outcome = dpp(["import", "--shop", TEST_SHOP, path.join(tmp, "notes.xlsx"), ...args, "--json"]);
      expect(outcome.status).toBe(1);
      const doc = JSON.parse(outcome.stdout) as Doc;
      expect(doc.run.status).toBe(status);
      expect(doc.errors).toEqual([{ sheet: "", row: 0, column: "", message: expect.stringMatching(/not an Excel workbook/i) }]);
      expect(doc.errors[0].message).toBe(doc.run.message);
      expect(reason(outcome)).toMatch(/^dpp: .*not an Excel workbook/i);
    }
  }, 60_000);

  it("lists a file's problems without the admin's download of the marked file", async () => {
    const file = path.join(tmp, "bad-country.xlsx");
    await writeProducts(file, [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1", "Country of production": "XX" }]);
    const json = dpp(["import", "--shop", TEST_SHOP, file, "--dry-run", "--json"]);
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { run: { status: string; message: string }; errors: { sheet: string; row: number; column: string }[] };
    expect(doc.run).toMatchObject({ status: "preview", message: "The file cannot be imported: it has 1 problem (see errors). Fix it and run the import again; the Excel page of Passport in the Shopify admin also gives you the file with the problems marked." });
    expect(doc.errors).toEqual([expect.objectContaining({ sheet: "Products", row: 2, column: "Country of production" })]);
    const text = dpp(["import", "--shop", TEST_SHOP, file, "--dry-run"]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("(listed below)");
    expect(text.stdout).toContain("Products row 2, Country of production:");
    expect(reason(text)).toMatch(/^dpp: The file cannot be imported: it has 1 problem\. Fix it .* First: Products row 2, Country of production: /);
    for (const outcome of [json, text]) expect(outcome.stdout + outcome.stderr).not.toMatch(/Download the file/i);
  }, 60_000);

  it("says in one line that the file to import is missing or a folder", () => {
    const missing = path.join(tmp, "missing.xlsx");
    const cases: [string, string][] = [
      [missing, `dpp: cannot read ${missing}: no such file`],
      [tmp, `dpp: ${tmp} is a folder: give the path of a file`],
    ];
    for (const [file, expected] of cases) {
      const outcome = dpp(["import", "--shop", TEST_SHOP, file, "--json"]);
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(reason(outcome)).toBe(expected);
    }
  }, 60_000);

  it("refuses a dry run where Excel is not connected (it would connect it), and changes nothing", async () => {
    const file = path.join(tmp, "dry.xlsx");
    await writeProducts(file, [{ "Product Handle": "tee", Title: "Tee", SKU: "T-1" }]);
    const fresh = "passport-no-excel.myshopify.com";
    const disconnected = "passport-excel-off.myshopify.com";
    await rootDb.shop.createMany({ data: [{ shop: fresh }, { shop: disconnected }] });
    const excel = await excelIntegration(forShop(disconnected));
    await rootDb.integration.update({ where: { id: excel.id }, data: { status: "disconnected" } });
    for (const shop of [fresh, disconnected]) {
      const outcome = dpp(["import", "--shop", shop, file, "--dry-run", "--json"]);
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(reason(outcome)).toBe(
        "dpp: Excel is not connected in this shop, and a dry run changes nothing: run the import without --dry-run to connect it, or connect Excel on the Integrations page.",
      );
    }
    expect(await rootDb.integration.findMany({ where: { shop: { in: [fresh, disconnected] } }, select: { shop: true, status: true } })).toEqual([{ shop: disconnected, status: "disconnected" }]);
    expect(await rootDb.upload.count({ where: { shop: { in: [fresh, disconnected] } } })).toBe(0);
  }, 60_000);

  it("reports an unknown command as such, before the shop", () => {
    for (const args of [["pasports", "--shop", "typo.myshopify.com"], ["pasports"]]) {
      const outcome = dpp(args);
      expect(outcome.status).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(reason(outcome)).toBe(
        'dpp: unknown command "pasports" (did you mean passports?): the commands are sync, import, export, passports, qr, integrations, promote (see npm run dpp -- --help)',
      );
    }
  }, 60_000);

  it("refuses a SQLite file that does not exist without creating it, and says to migrate a database without tables", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "passport-cli-nodb-"));
    const missing = path.join(dir, "nothere", "y.db");
    const noDb = dpp(["passports", "--shop", TEST_SHOP, "--json"], { DATABASE_URL: `file:${missing}`, PASSPORT_TEST_DB_FILE: "" });
    expect(noDb.status).toBe(1);
    expect(noDb.stdout).toBe("");
    expect(reason(noDb)).toBe(`dpp: No database at ${missing}: check DATABASE_URL, or create it with npm run db:migrate`);
    expect(existsSync(path.dirname(missing))).toBe(false);
    const empty = path.join(dir, "empty.db");
    writeFileSync(empty, "");
    const unmigrated = dpp(["passports", "--shop", TEST_SHOP, "--json"], { DATABASE_URL: `file:${empty}`, PASSPORT_TEST_DB_FILE: "" });
    expect(unmigrated.status).toBe(1);
    expect(unmigrated.stdout).toBe("");
    expect(reason(unmigrated)).toBe(`dpp: The database at ${empty} is not migrated: run npm run db:migrate`);
  }, 60_000);
});
