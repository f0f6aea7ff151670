// Where each kind of integration gets its records for a run.
import type { ShopDb } from "../db/scoped.server";
import { MerchantError } from "../errors";
import type { SourceBatch } from "../sync/records";
import { jobQueue } from "../jobs/index.server";
import { excelUploadSource } from "./excel/uploads.server";
import type { IntegrationRow } from "./integrations.server";
import { shopifySource } from "./shopify/source.server";

export async function sourceFor(db: ShopDb, integration: IntegrationRow, request: { scope: "full" | "partial" }): Promise<SourceBatch> {
  switch (integration.kind) {
    case "shopify":
      return shopifySource(db, integration, request);
    case "excel":
      return excelUploadSource(db, integration, jobQueue());
    default:
      throw new MerchantError(`Passport cannot sync "${integration.kind}" integrations.`, true);
  }
}
