#!/usr/bin/env node
// Command line of the Shopify simulator (`npm run shopify-sim -- …`). See README.md.
import { parseArgs } from "node:util";
import { generateCatalog } from "./catalog.ts";
import { ShopifyCsvError, writeShopifyProductCsv } from "./csv.ts";
import { startShopifySim } from "./index.ts";
import { API_VERSION } from "./model.ts";
import type { ProductPatch, VariantPatch } from "./store.ts";

const USAGE = `Usage:
  shopify-sim [serve] [--seed <products.csv>] [--port <port>] [--app-url <url>] [options]
      --host <host>             interface to listen on (default 127.0.0.1)
      --public-url <url>        origin advertised in bulk/image URLs (default http://<host>:<port>)
      --api-key <key>           app API key (default $SHOPIFY_API_KEY or the app's dev default)
      --api-secret <secret>     app API secret (default $SHOPIFY_API_SECRET or the app's dev default)
      --scopes <list>           granted scopes (default $SCOPES or read_products,write_products)
      --shop <domain>           create this shop at start (repeatable)
      --token-lifetime <s>      lifetime of expiring/online access tokens (default 3600)
      --bucket-size <points>    leaky bucket size (default 2000)
      --restore-rate <points>   points restored per second (default 100)
      --max-cost <points>       single query max cost (default 1000)
      --no-throttle             never answer THROTTLED
      --bulk-delay <ms>         delay before a bulk operation runs (default 100)
      --bulk-concurrency <n>    concurrent bulk queries per shop (default 1; Shopify 2026-01+: 5)
      --webhook-delay <ms>      delay before each webhook delivery (default 0)
      --webhook-retries <n>     retries of a failed webhook delivery (default 3)
      --webhook-topics <list>   only send these topics, e.g. products/update,app/uninstalled (default: all)
      --app-name <name>         app name in the admin page (default Passport)
      --app-frame-port <port>   port of the proxy the admin page frames the app through (default: any free port)
      --no-app-frame-proxy      frame --app-url directly (only for apps that allow being framed by the simulator)
      --quiet                   no request/webhook log on stderr
  Admin page (the app embedded as in Shopify admin): http://<host>:<port>/admin/apps/passport?shop=<shop>
  shopify-sim edit --port <port> --shop <domain> (--handle <h> | --id <id>) [changes]
      product:  --title --description <html> --vendor --type --tags <a,b> --status <active|draft|archived>
      variant:  (--variant-sku <current sku> | --variant-position <n> | --variant-id <id>)
                --sku --barcode --grams --price --country-of-origin <CC> --hs-code <code>
  shopify-sim products --port <port> --shop <domain> [--query <search>]
  shopify-sim uninstall --port <port> --shop <domain>
  shopify-sim stats --port <port> [--shop <domain>]
  shopify-sim webhooks --port <port> [--shop <domain>]
  shopify-sim session-token --port <port> --shop <domain> [--user <id>]   prints a fresh App Bridge session token
  shopify-sim generate --products <n> --variants <n> --out <file.csv>
  (--url <origin> may replace --port/--host for the commands that talk to a running simulator)`;

function fail(message: string): never {
  process.stderr.write(`shopify-sim: ${message}\n`);
  process.exit(1);
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number`);
  return n;
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: "string" },
      port: { type: "string", default: "8081" },
      host: { type: "string", default: "127.0.0.1" },
      "public-url": { type: "string" },
      "app-url": { type: "string" },
      "api-key": { type: "string" },
      "api-secret": { type: "string" },
      scopes: { type: "string" },
      shop: { type: "string", multiple: true },
      "token-lifetime": { type: "string" },
      "bucket-size": { type: "string" },
      "restore-rate": { type: "string" },
      "max-cost": { type: "string" },
      "no-throttle": { type: "boolean", default: false },
      "bulk-delay": { type: "string" },
      "bulk-concurrency": { type: "string" },
      "webhook-delay": { type: "string" },
      "webhook-retries": { type: "string" },
      "webhook-topics": { type: "string" },
      "app-name": { type: "string" },
      "app-frame-port": { type: "string" },
      "no-app-frame-proxy": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const sim = await startShopifySim({
    seed: values.seed,
    port: intOption(values.port, "port"),
    host: values.host,
    publicUrl: values["public-url"],
    appUrl: values["app-url"] ?? null,
    apiKey: values["api-key"],
    apiSecret: values["api-secret"],
    scopes: values.scopes,
    shops: values.shop,
    tokenLifetimeSeconds: intOption(values["token-lifetime"], "token-lifetime"),
    throttle: {
      enabled: !values["no-throttle"],
      bucketSize: intOption(values["bucket-size"], "bucket-size"),
      restoreRate: intOption(values["restore-rate"], "restore-rate"),
      maxQueryCost: intOption(values["max-cost"], "max-cost"),
    },
    bulk: {
      delayMs: intOption(values["bulk-delay"], "bulk-delay"),
      maxConcurrent: intOption(values["bulk-concurrency"], "bulk-concurrency"),
    },
    webhookTopics: values["webhook-topics"] ? values["webhook-topics"].split(",").map((t) => t.trim()).filter(Boolean) : null,
    webhooks: {
      delayMs: intOption(values["webhook-delay"], "webhook-delay"),
      retries: intOption(values["webhook-retries"], "webhook-retries"),
    },
    appName: values["app-name"],
    appFramePort: intOption(values["app-frame-port"], "app-frame-port"),
    appFrameProxy: !values["no-app-frame-proxy"],
    log: values.quiet ? undefined : (line) => process.stderr.write(`[shopify-sim] ${line}\n`),
  }).catch((error: unknown) => fail(error instanceof ShopifyCsvError ? error.message : (error as Error).message));
  const seedCount = sim.seedProducts.length;
  process.stdout.write(
    `shopify-sim listening on ${sim.url} (Admin API ${API_VERSION}; ${seedCount} seed products` +
      `${values["app-url"] ? `; webhooks to ${values["app-url"]}` : "; no --app-url, webhooks are only logged"})\n`,
  );
  if (!values.quiet) {
    const shops = values.shop?.length ? values.shop : ["<shop>.myshopify.com"];
    for (const shop of shops) process.stderr.write(`[shopify-sim] admin: ${sim.adminUrl(shop)}\n`);
    process.stderr.write(`[shopify-sim] run the app with SHOPIFY_ADMIN_API_ORIGIN=${sim.url} APP_BRIDGE_URL=${sim.url}/app-bridge.js\n`);
  }
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function baseUrl(values: { url?: string; port?: string; host?: string }): string {
  if (values.url) return values.url.replace(/\/+$/, "");
  if (!values.port) fail("give --port (or --url) of the running simulator");
  return `http://${values.host ?? "127.0.0.1"}:${values.port}`;
}

async function call(method: string, url: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    fail(`cannot reach the simulator at ${new URL(url).origin}: ${(error as Error).message}`);
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) fail(`${method} ${new URL(url).pathname} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

const CLIENT_OPTIONS = {
  url: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  shop: { type: "string" },
} as const;

async function edit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CLIENT_OPTIONS,
      handle: { type: "string" },
      id: { type: "string" },
      title: { type: "string" },
      description: { type: "string" },
      vendor: { type: "string" },
      type: { type: "string" },
      tags: { type: "string" },
      status: { type: "string" },
      "variant-sku": { type: "string" },
      "variant-position": { type: "string" },
      "variant-id": { type: "string" },
      sku: { type: "string" },
      barcode: { type: "string" },
      grams: { type: "string" },
      price: { type: "string" },
      "country-of-origin": { type: "string" },
      "hs-code": { type: "string" },
    },
    strict: true,
  });
  if (!values.shop) fail("give --shop <domain>");
  const ref = values.handle ?? values.id;
  if (!ref) fail("give --handle or --id of the product");
  const patch: ProductPatch = {};
  if (values.title !== undefined) patch.title = values.title;
  if (values.description !== undefined) patch.descriptionHtml = values.description;
  if (values.vendor !== undefined) patch.vendor = values.vendor;
  if (values.type !== undefined) patch.productType = values.type;
  if (values.tags !== undefined) patch.tags = values.tags;
  if (values.status !== undefined) patch.status = values.status;
  const variant: VariantPatch = {};
  if (values.sku !== undefined) variant.sku = values.sku;
  if (values.barcode !== undefined) variant.barcode = values.barcode === "" ? null : values.barcode;
  if (values.grams !== undefined) variant.grams = intOption(values.grams, "grams")!;
  if (values.price !== undefined) variant.price = values.price;
  if (values["country-of-origin"] !== undefined) variant.countryCodeOfOrigin = values["country-of-origin"];
  if (values["hs-code"] !== undefined) variant.harmonizedSystemCode = values["hs-code"];
  const hasVariantChange = Object.keys(variant).length > 0;
  if (hasVariantChange) {
    if (values["variant-id"]) variant.id = values["variant-id"];
    else if (values["variant-position"]) variant.position = intOption(values["variant-position"], "variant-position");
    else if (values["variant-sku"]) variant.matchSku = values["variant-sku"];
    else if (values.sku === undefined) variant.position = 1;
    else fail("changing --sku needs --variant-sku, --variant-position or --variant-id to pick the variant");
    patch.variants = [variant];
  }
  if (Object.keys(patch).length === 0) fail("nothing to change (see --help)");
  const result = (await call(
    "PATCH",
    `${baseUrl(values)}/_sim/shops/${encodeURIComponent(values.shop)}/products/${encodeURIComponent(ref)}`,
    patch,
  )) as { changed: boolean; product: { id: number; handle: string; title: string; updated_at: string } };
  process.stdout.write(
    JSON.stringify({ changed: result.changed, id: result.product.id, handle: result.product.handle, title: result.product.title, updated_at: result.product.updated_at }) + "\n",
  );
}

async function simple(command: string, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...CLIENT_OPTIONS, query: { type: "string" }, user: { type: "string" } }, strict: true });
  const base = baseUrl(values);
  const shop = values.shop ? encodeURIComponent(values.shop) : undefined;
  let result: unknown;
  if (command === "session-token") {
    if (!shop) fail("give --shop <domain>");
    const user = values.user ? `&user=${encodeURIComponent(values.user)}` : "";
    const issued = (await call("GET", `${base}/_sim/session-token?shop=${shop}${user}`)) as { token: string };
    process.stdout.write(issued.token + "\n");
    return;
  }
  if (command === "products") {
    if (!shop) fail("give --shop <domain>");
    const q = values.query ? `?query=${encodeURIComponent(values.query)}` : "";
    result = await call("GET", `${base}/_sim/shops/${shop}/products${q}`);
  } else if (command === "uninstall") {
    if (!shop) fail("give --shop <domain>");
    result = await call("POST", `${base}/_sim/shops/${shop}/uninstall`);
  } else if (command === "stats") {
    result = await call("GET", `${base}/_sim/stats${shop ? `?shop=${shop}` : ""}`);
  } else {
    result = await call("GET", `${base}/_sim/webhooks${shop ? `?shop=${shop}` : ""}`);
  }
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

async function generate(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { products: { type: "string" }, variants: { type: "string", default: "5" }, out: { type: "string" }, seed: { type: "string" } },
    strict: true,
  });
  if (!values.out || !values.products) fail("give --products <n> and --out <file.csv>");
  const products = generateCatalog({
    products: intOption(values.products, "products")!,
    variantsPerProduct: intOption(values.variants, "variants")!,
    seed: intOption(values.seed, "seed"),
  });
  await writeShopifyProductCsv(products, values.out);
  process.stdout.write(`wrote ${values.out} (${products.length} products)\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const command = argv[0] && !argv[0].startsWith("-") ? argv[0] : "serve";
  const rest = command === "serve" && argv[0] !== "serve" ? argv : argv.slice(1);
  try {
    if (command === "serve") await serve(rest);
    else if (command === "edit") await edit(rest);
    else if (["products", "uninstall", "stats", "webhooks", "session-token"].includes(command)) await simple(command, rest);
    else if (command === "generate") await generate(rest);
    else if (command === "help") process.stdout.write(USAGE + "\n");
    else fail(`unknown command "${command}"\n${USAGE}`);
  } catch (error) {
    fail((error as Error).message);
  }
}

await main();
