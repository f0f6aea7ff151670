// A bare engine apply in its own process and database: records from a JSON file (what an adapter
// produced), executeSync with an in-memory source into a fresh migrated SQLite file, the Shopify
// integration primary. Prints `RESULT {"ms","counts","memory"}`.
// Usage: apply-process.ts <records.json>
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SourceRecord } from "../../app/sync/records";
import { childArguments } from "./child-arguments";
import { BENCH_SHOP, benchDir, configureAppEnv, migratedSqliteFile, removeDir } from "./env";
import { measure } from "./memory";

const [file] = childArguments("apply-process.ts", ["records.json"]);
const dir = benchDir("apply");
configureAppEnv(migratedSqliteFile(path.join(dir, "apply.db")));
const { db } = await import("../../app/db.server");
const { forShop } = await import("../../app/db/scoped.server");
const { connectIntegration } = await import("../../app/integrations/integrations.server");
const { executeSync } = await import("../../app/sync/engine.server");
try {
  const { integration } = await connectIntegration(forShop(BENCH_SHOP), "shopify");
  const records = JSON.parse(readFileSync(file, "utf8"), (key, value: unknown) => (key === "updatedAt" && typeof value === "string" ? new Date(value) : value)) as SourceRecord[];
  const run = await measure(() =>
    executeSync({ shop: BENCH_SHOP, integrationId: integration.id, trigger: "manual", source: async () => ({ scope: "full", records }) }),
  );
  process.stdout.write(`RESULT ${JSON.stringify({ ms: run.ms, counts: run.result.report.counts, memory: run.memory })}\n`);
} finally {
  await db.$disconnect();
  removeDir(dir);
}
process.exit(0);
