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

/** The text a merchant sees for any error. */
export function merchantMessage(error: unknown): string {
  if (error instanceof MerchantError) return error.message;
  const detail = error instanceof Error ? error.message.split("\n")[0].slice(0, 200) : String(error).slice(0, 200);
  return `Something went wrong on our side (${redactSecrets(detail)}). Passport retries automatically; if this keeps happening, contact support.`;
}

/** Removes things that look like tokens or credentials from a message before it is stored or logged. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(shp(at|ca|pa|ss|rt)_[A-Za-z0-9]+)/g, "[redacted token]")
    .replace(/(access[_-]?token|refresh[_-]?token|api[_-]?key|secret|password)(["'\s:=]+)([^\s"',&]+)/gi, "$1$2[redacted]")
    .replace(/\/\/[^/@\s]+@/g, "//[redacted]@");
}
