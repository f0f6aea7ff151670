// Errors a merchant may read. Anything else is reported as an unexpected failure, without
// internals (and never with secrets).

/** A failure explained for the merchant: what happened and what to do. */
export class MerchantError extends Error {
  constructor(
    message: string,
    /** Retrying will not help until the merchant acts (reconnect, fix a file). */
    readonly permanent = false,
  ) {
    super(message);
    this.name = "MerchantError";
  }
}

/**
 * An error message in one line: its first line that says something, trimmed. Prisma's messages
 * start with an empty line, then "Invalid `…` invocation in", the caller's file and code, and
 * end with the reason: for those, the reason.
 */
export function firstLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length > 1 && /^Invalid `.*` invocation/.test(lines[0])) return lines[lines.length - 1];
  return lines[0] ?? "";
}

/** The text a merchant sees for any error; `whatNext` says what happens after an error on our side. */
export function merchantMessage(error: unknown, whatNext = "Passport retries automatically; if this keeps happening, contact support."): string {
  if (error instanceof MerchantError) return error.message;
  const detail = firstLine(error instanceof Error ? error.message : String(error)).slice(0, 200);
  return `Something went wrong on our side${detail ? ` (${redactSecrets(detail)})` : ""}. ${whatNext}`;
}

/** Removes things that look like tokens or credentials from a message before it is stored or logged. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(shp(at|ca|pa|ss|rt)_[A-Za-z0-9]+)/g, "[redacted token]")
    .replace(/(access[_-]?token|refresh[_-]?token|api[_-]?key|secret|password)(["'\s:=]+)([^\s"',&]+)/gi, "$1$2[redacted]")
    .replace(/\/\/[^/@\s]+@/g, "//[redacted]@");
}
