// The Shopify simulator in its own process (as Shopify is another machine): a generated catalog,
// throttling off, one installed shop. Prints `READY {"url","token"}` and runs until SIGTERM.
// Usage: sim-process.ts <products> <variantsPerProduct> <shop>
import { generateCatalog, startShopifySim } from "../../tools/shopify-sim/index.ts";
import { BENCH_API_KEY, BENCH_API_SECRET } from "./env";

const [products, variants, shop] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
if (!Number.isInteger(products) || !Number.isInteger(variants) || !shop) {
  process.stderr.write("usage: sim-process.ts <products> <variantsPerProduct> <shop>\n");
  process.exit(2);
}
const seed = generateCatalog({ products, variantsPerProduct: variants, seed: 20261001 });
const sim = await startShopifySim({
  port: 0,
  seed,
  apiKey: BENCH_API_KEY,
  apiSecret: BENCH_API_SECRET,
  throttle: { enabled: false },
  appFrameProxy: false,
  log: () => undefined,
});
const token = sim.issueAccessToken(shop) as { access_token: string };
process.stdout.write(`READY ${JSON.stringify({ url: sim.url, token: token.access_token, pid: process.pid })}\n`);
const stop = () => void sim.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
