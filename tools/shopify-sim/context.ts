// Types shared by the GraphQL layer (resolvers, mutations, bulk export) and the simulator.
import type { GraphQLResolveInfo } from "graphql";
import type { ProductRecord } from "./model.ts";
import type { SearchWarning } from "./search.ts";
import type { ShopState, StoreContext } from "./store.ts";

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkOperationRecord {
  kind: "BulkOperation";
  id: number;
  shop: string;
  type: "QUERY";
  status: BulkStatus;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  query: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  /** Where the JSONL is written; served at `url`. */
  filePath: string;
  cancelRequested: boolean;
}

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: "INVALID" | "LIMIT_REACHED" | "OPERATION_IN_PROGRESS";
}

export interface BulkService {
  start(shop: ShopState, query: string): { operation: BulkOperationRecord } | { userErrors: BulkUserError[] };
  list(shop: ShopState): BulkOperationRecord[];
  get(shop: ShopState, id: number): BulkOperationRecord | undefined;
  cancel(shop: ShopState, id: number): BulkOperationRecord | undefined;
}

/** What resolvers need from the simulator. */
export interface SimServices {
  appId: number;
  store: StoreContext;
  bulk: BulkService;
  /** Whether a metafield change alone touches the product (updatedAt + products/update). */
  metafieldChangesTouchProduct: boolean;
}

export interface SearchExtension {
  path: Array<string | number>;
  query: string;
  warnings: SearchWarning[];
}

export interface ResolverContext {
  shop: ShopState;
  services: SimServices;
  /** Inside a bulk export: connections are not paginated and need no `first`. */
  bulk: boolean;
  searchWarnings: SearchExtension[];
  /** Products changed by mutations of this request (products/update is sent after it). */
  changed: Set<ProductRecord>;
  /** Concrete types of abstract fields by response path (for the actual query cost). */
  typesByPath: Map<string, string>;
}

export type Args = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldResolver<S = any> = (source: S, args: Args, ctx: ResolverContext, info?: GraphQLResolveInfo) => unknown;

export type TypeResolvers = Record<string, FieldResolver>;
