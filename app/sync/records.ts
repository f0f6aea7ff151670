// What an integration adapter delivers to the sync engine: normalized records, one per product,
// with their variants. Adapters know their source; the engine knows the rules (GUIDE §2).
import type { FieldKey, FieldValues } from "../catalog/fields";
import type { ShopTx } from "../db/scoped.server";

/** Where a record came from, for error messages: a file's sheet, row and column, or a label. */
export interface RecordRef {
  sheet?: string;
  row?: number;
  column?: string;
  /** The record as the merchant knows it in its source: `Shopify product "Tee", variant SKU TEE-S`. */
  label?: string;
}

/**
 * A record named as the merchant knows it, for errors and lists: "Row 12" (a file's row), or its
 * label (product title, and SKU or options for a variant); its external id (a Shopify GID) only
 * when nothing else names it. Where something does, the id is for support, shown beside the name.
 */
export function recordName(ref: RecordRef | undefined, externalId: string): string {
  if (ref?.row) return `Row ${ref.row}`;
  return ref?.label ?? externalId;
}

export interface SourceVariant {
  /** The integration's own id for the variant (Shopify GID, Excel SKU …). */
  externalId: string;
  /** Variant-level fields, and product-level fields this variant overrides. */
  fields: FieldValues;
  /** Fields the source has and that are empty there (the owner's clear), as for SourceRecord. */
  emptyFields?: FieldKey[];
  position?: number;
  ref?: RecordRef;
}

export interface SourceRecord {
  /** The integration's own id for the product (Shopify GID, Excel product handle …). */
  externalId: string;
  /** Handle for a product this record creates (unique per shop; the engine de-duplicates). */
  handle?: string;
  /** Product-level fields. */
  fields: FieldValues;
  /**
   * Fields the source provides and has no value for (a barcode or the tags removed in Shopify).
   * The field's owner clears the catalog's value; a field left out of both says nothing. A
   * source whose empty values mean "not given here" (an Excel cell) leaves this out.
   */
  emptyFields?: FieldKey[];
  variants: SourceVariant[];
  /**
   * The external ids of all the product's variants, when `variants` lists only some of them (a
   * Shopify products/update webhook carries the first 100 variants and the ids of all): a
   * primary then drops only the variants this list leaves out, not those it could not carry.
   */
  allVariantIds?: string[];
  /** The source's own last-modified time: older data never overwrites newer. */
  updatedAt?: Date;
  ref?: RecordRef;
}

/** A batch of records from one integration. */
export interface SourceBatch {
  /**
   * "full": every record the source has (what is missing gets archived-in-source);
   * "partial": a subset (a query, a webhook, one product): nothing else is archived.
   */
  scope: "full" | "partial";
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>;
  /** Product external ids the source reported deleted (archived, never deleted). */
  deletedExternalIds?: string[];
  /** Secondary only: records that match nothing create products (Excel "also create…"). */
  createUnmatched?: boolean;
  /** All or nothing: one failing record fails the whole run and nothing is written. */
  atomic?: boolean;
  /** Total record count when known up front, for progress. */
  total?: number;
  /**
   * Every value of these records is already what parseFieldValue made of it: the adapter checked
   * each one as it read it (the Excel reader does, to report problems cell by cell), so the merge
   * does not check them a second time.
   */
  valuesChecked?: boolean;
  /**
   * Runs inside the transaction that applies the run (not for a preview), e.g. to mark the
   * webhook events the batch was made of as processed: both happen, or neither.
   */
  onCommit?: (tx: ShopTx) => Promise<void>;
  /**
   * Runs in the run's transaction before anything is written (not for a preview): it may refuse
   * the run, throwing RunCancelled, when what the records were checked against has changed.
   */
  beforeApply?: (tx: ShopTx) => Promise<void>;
  /** Values the adapter left out of records, and why (filled while the records are read). */
  warnings?: { externalId: string; message: string }[];
  /** Runs once the run is recorded, with its id, before a record is read (e.g. to show its progress). */
  onRunStarted?: (runId: string) => Promise<void>;
  /** Runs after the run ended, applied or not (e.g. to mark an upload failed). */
  afterRun?: (outcome: {
    ok: boolean;
    runId: string | null;
    /** It failed and its job runs it again (SyncOptions.retriedOnFailure). */
    retried?: boolean;
    /** Why it failed. */
    error?: unknown;
  }) => Promise<void>;
}
