// Database errors the app expects and answers, whichever database runs (no client is loaded here).

/** Whether a query failed on a unique constraint (Prisma's P2002): a row with that key exists already. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
