// The Shopify adapter as the sync engine sees it: a batch of records for a run.
// - full:    the whole catalog through a bulk export (or, when a test subset is configured, only
//            that subset through paginated queries: then the batch is partial and archives nothing);
// - partial: the product webhooks received since the last run, coalesced (an empty partial batch
//            when none is pending).
import type { ShopDb, ShopTx } from "../../db/scoped.server";
import { shopSettings } from "../../shop-settings.server";
import type { SourceBatch } from "../../sync/records";
import type { IntegrationRow } from "../integrations.server";
import { adminClientForShop, type AdminGraphqlClient } from "./admin-client.server";
import { bulkProductRecords, type BulkOptions, type Operation } from "./bulk.server";
import { ShopifyGraphqlClient, throttleBucketFor, type ShopifyClientOptions } from "./graphql-client.server";
import type { MappingContext, RecordWarning } from "./records";
import { parseShopifySettings } from "./settings";
import { subsetProductRecords } from "./subset.server";
import { markProductEventsBefore, webhookBatch } from "./webhook-events.server";

export interface ShopifySourceBatch extends SourceBatch {
  /**
   * Values left out of records (a mapped metafield that does not fit its field) and settings that
   * could not be used; filled while the records are read, complete once they are all read.
   */
  warnings: RecordWarning[];
}

export interface ShopifySourceOptions {
  /** The Admin client (default: the shop's offline session, adminClientForShop). */
  admin?: AdminGraphqlClient;
  graphql?: ShopifyClientOptions;
  bulk?: BulkOptions;
  subsetPageSize?: number;
  now?: () => Date;
}

export async function shopifySource(
  db: ShopDb,
  integration: IntegrationRow,
  request: { scope: "full" | "partial" },
  options: ShopifySourceOptions = {},
): Promise<ShopifySourceBatch> {
  const { primaryLocale } = await shopSettings(db);

  if (request.scope === "partial") {
    const batch = await webhookBatch(db, integration, primaryLocale);
    return batch ?? { scope: "partial", records: [], deletedExternalIds: [], total: 0, warnings: [] };
  }

  const { settings, warnings: settingsWarnings } = parseShopifySettings(integration.settings);
  const warnings: RecordWarning[] = settingsWarnings.map((message) => ({ externalId: integration.id, message }));
  const onWarning = (w: RecordWarning) => warnings.push(w);
  const ctx: MappingContext = { primaryLocale, metafieldMap: settings.metafieldMap };
  const admin = options.admin ?? (await adminClientForShop(db.shopDomain));
  const client = new ShopifyGraphqlClient(admin, { bucket: throttleBucketFor(db.shopDomain), ...options.graphql });

  if (settings.subset) {
    return {
      scope: "partial",
      records: subsetProductRecords(client, settings.subset, ctx, { pageSize: options.subsetPageSize, onWarning }),
      warnings,
    };
  }

  // Product webhooks received before the export started are superseded by it (an adopted export
  // may have started before this run: its own start time counts, less a minute for clock skew).
  const calledAt = (options.now?.() ?? new Date()).getTime();
  let exportStartedAt: number | null = null;
  const onOperation = (op: Operation) => {
    const created = typeof op.createdAt === "string" ? Date.parse(op.createdAt) : NaN;
    exportStartedAt = Math.min(calledAt, Number.isNaN(created) ? calledAt : created) - 60_000;
  };
  return {
    scope: "full",
    records: bulkProductRecords(client, db.shopDomain, ctx, { ...options.bulk, onWarning, onOperation }),
    warnings,
    onCommit: async (tx: ShopTx) => {
      if (exportStartedAt !== null) await markProductEventsBefore(tx, new Date(exportStartedAt));
    },
  };
}
