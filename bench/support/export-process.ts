// The catalog export in its own process (as a download request would run it in a running app):
// writeCatalogWorkbook of a shop's whole catalog from an existing database into a new workbook.
// A process of its own, so its memory is the export's, not what an import before it left behind.
// Usage: export-process.ts <database file> <output.xlsx>
// Prints `RESULT {"ms","rows","products","bytes","memory"}`.
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { childArguments } from "./child-arguments";
import { BENCH_SHOP, configureAppEnv, warmDatabaseClient } from "./env";
import { measure } from "./memory";

const [databaseFile, output] = childArguments("export-process.ts", ["database file", "output.xlsx"]);
configureAppEnv(databaseFile);
const { db } = await import("../../app/db.server");
const { forShop } = await import("../../app/db/scoped.server");
const { writeCatalogWorkbook } = await import("../../app/integrations/excel/export.server");
try {
  const shopDb = forShop(BENCH_SHOP);
  await warmDatabaseClient(shopDb);
  const run = await measure(() => writeCatalogWorkbook(shopDb, createWriteStream(output)));
  const { size } = await stat(output);
  process.stdout.write(`RESULT ${JSON.stringify({ ms: run.ms, rows: run.result.rows, products: run.result.products, bytes: size, memory: run.memory })}\n`);
} finally {
  await db.$disconnect();
}
process.exit(0);
