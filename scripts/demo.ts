// npm run demo -- [--seed <products.csv>] [--shop <domain>] [--port <port>] [--sim-port <port>]
// The whole flow with no Shopify account: the Shopify simulator (seeded with the sample store or a
// merchant's own product CSV export), the app against it, the shop installed the way Shopify does
// it (a signed session token → token exchange), the first sync, then the admin and passport URLs.
// Runs in the foreground; Ctrl-C stops everything.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { startShopifySim, SAMPLE_STORE_CSV } from "../tools/shopify-sim/index.ts";
import { ensureBuilt, startApp } from "./app-process.ts";
import type { ShopDb } from "../app/db/scoped.server.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    shop: { type: "string", default: "passport-demo.myshopify.com" },
    port: { type: "string", default: process.env.PORT ?? "3000" },
    "sim-port": { type: "string", default: "8081" },
  },
});

const log = (m: string) => process.stdout.write(`${m}\n`);
const shop = values.shop!.toLowerCase();
if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new Error(`--shop must be a myshopify.com domain, got "${shop}"`);
const port = Number(values.port);
const simPort = Number(values["sim-port"]);
const apiKey = process.env.SHOPIFY_API_KEY || "passport-dev-api-key";
const apiSecret = process.env.SHOPIFY_API_SECRET || "passport-dev-api-secret";
// The same default as the app's own (SHOPIFY_APP_URL), so the CLI prints the same URLs.
const appUrl = process.env.SHOPIFY_APP_URL || `http://localhost:${port}`;
const seed = values.seed ? path.resolve(values.seed) : new URL(SAMPLE_STORE_CSV).pathname;

async function sessionToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: `https://${shop}/admin`, dest: `https://${shop}`, sid: randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience(apiKey)
    .setSubject("1")
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + 60)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(apiSecret));
}

async function main(): Promise<void> {
  await ensureBuilt((m) => log(m));
  // The database DATABASE_URL names (default: the SQLite file under data/), migrated.
  execFileSync(process.execPath, ["scripts/setup.mjs", "--migrate-only"], { stdio: ["ignore", "ignore", "inherit"] });
  const sim = await startShopifySim({ port: simPort, seed, appUrl, apiKey, apiSecret, shops: [shop], log: () => undefined });
  log(`Shopify simulator: ${sim.url} (seeded from ${path.relative(process.cwd(), seed)})`);
  const env = {
    NODE_ENV: "development",
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_API_KEY: apiKey,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPIFY_ADMIN_API_ORIGIN: sim.url,
    APP_BRIDGE_URL: `${sim.url}/app-bridge.js`,
  };
  Object.assign(process.env, env);
  const app = await startApp({ port, env, output: "inherit" });
  log(`Passport app: ${app.url}`);

  const stop = async () => {
    log("\nStopping…");
    await app.stop();
    await sim.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());

  // Install as Shopify does: the admin opens the embedded app with a session token; the app
  // exchanges it for an access token and queues the first sync.
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
  const install = await fetch(`${app.url}/app?embedded=1&shop=${shop}&host=${host}&id_token=${await sessionToken()}`, {
    redirect: "manual",
    // The app turns away bots (isbot); this is the admin page loading in a browser.
    headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36" },
  });
  if (install.status !== 200) throw new Error(`Installing ${shop} failed: the app answered ${install.status}.`);
  log(`Installed on ${shop}; first sync running…`);

  const { forShop } = await import("../app/db/scoped.server.ts");
  const { passportList } = await import("../app/passports/listing.server.ts");
  const db = forShop(shop);
  const started = Date.now();
  for (;;) {
    const run = await db.syncRun.findFirst({ where: { trigger: { in: ["install", "scheduled"] } }, orderBy: { createdAt: "desc" } });
    if (run?.status === "succeeded") {
      log(`First sync done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${run.created} variants created (${JSON.parse(run.details).products?.created ?? "?"} products).`);
      break;
    }
    if (run?.status === "failed") throw new Error(`The first sync failed: ${run.message}`);
    if (Date.now() - started > 300_000) throw new Error("The first sync did not finish within 5 minutes.");
    await new Promise((r) => setTimeout(r, 500));
  }

  if (!values.seed) await importSamplePassportData(db, shop);

  const passports = [];
  for await (const p of passportList(db)) {
    passports.push(p);
    if (passports.length >= 5) break;
  }
  log("");
  log(`Admin (embedded, as in Shopify):  ${sim.url}/admin/apps/passport?shop=${shop}`);
  log("Passports:");
  for (const p of passports) {
    log(`  ${p.productTitle} — ${p.variantTitle}`);
    log(`    page:    ${p.url}`);
    log(`    JSON-LD: ${p.url}.jsonld`);
    if (p.digitalLinkUrl) log(`    GS1:     ${p.digitalLinkUrl}`);
    log(`    QR:      ${p.qrSvgUrl}`);
  }
  log("");
  // The CLI needs what the demo was given and its defaults differ from: the database, the app's URL.
  // (A database URL with a password is not printed: it is named instead.)
  const databaseUrl = process.env.DATABASE_URL;
  const cliEnv = [
    `SHOPIFY_ADMIN_API_ORIGIN=${sim.url}`,
    ...(databaseUrl ? [`DATABASE_URL=${hasPassword(databaseUrl) ? '"$DATABASE_URL"' : shellWord(databaseUrl)}`] : []),
    ...(appUrl === "http://localhost:3000" ? [] : [`SHOPIFY_APP_URL=${shellWord(appUrl)}`]),
  ].join(" ");
  log(`Operator CLI on the same shop: ${cliEnv} npm run dpp -- passports --shop ${shop}`);
  log(`Edit a product in "Shopify": npm run shopify-sim -- edit --port ${simPort} --shop ${shop} --handle <handle> --title "New title"`);
  log("Ctrl-C stops the demo.");
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}

/** A value as one word of a shell command: quoted when it holds anything a shell would read (a PostgreSQL URL's `&`, `?`). */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The sample store's passport data (materials, origin, care …), uploaded as Excel like a brand would. */
async function importSamplePassportData(db: ShopDb, shopDomain: string): Promise<void> {
  const { writeDemoPassportData } = await import("./demo-passport-data.ts");
  const { uploadWorkbook, commitUpload, getUploadPreview } = await import("../app/integrations/excel/uploads.server.ts");
  const { jobQueue } = await import("../app/jobs/index.server.ts");
  const products = await db.product.findMany({ select: { id: true, handle: true } });
  const types = await db.fieldValue.findMany({ where: { field: "productType", entityId: { in: products.map((p) => p.id) } }, select: { entityId: true, value: true } });
  const typeOf = new Map(types.map((t) => [t.entityId, JSON.parse(t.value) as string]));
  const handleOf = new Map(products.map((p) => [p.id, p.handle]));
  const variants = (await db.variant.findMany({ where: { sku: { not: null } }, select: { productId: true, sku: true } })).map((v) => ({
    handle: handleOf.get(v.productId) ?? "",
    productType: typeOf.get(v.productId) ?? "",
    sku: v.sku!,
  }));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "passport-demo-")), "passport-data.xlsx");
  const rows = await writeDemoPassportData(file, variants);
  const preview = await uploadWorkbook(db, { name: "passport-data.xlsx", bytes: readFileSync(file), createMissing: false });
  if (preview.status !== "previewed") {
    log(`The sample passport data could not be imported: ${preview.message ?? preview.errors[0]?.message ?? preview.status}`);
    return;
  }
  log(`Importing passport data for ${rows} variants from Excel (materials, origin, care, footprint…)…`);
  await commitUpload(jobQueue(), db, preview.uploadId);
  for (let i = 0; i < 600; i++) {
    const status = (await getUploadPreview(db, preview.uploadId)).status;
    if (status === "committed") {
      log(`Passport data imported for ${shopDomain}.`);
      return;
    }
    if (status === "failed") {
      log("The sample passport data import failed (see the sync history in the admin).");
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
