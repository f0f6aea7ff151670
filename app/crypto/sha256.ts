// sha256 of a text's UTF-8 bytes, for hashes computed hundreds of thousands of times in a sync
// (record hashes, passport content hashes): Node's one-shot crypto.hash (Node ≥ 20.12) where there
// is one, the same digest without a Hash object per call.
import * as crypto from "node:crypto";

export const sha256: (text: string, encoding: "hex" | "base64url") => string =
  typeof crypto.hash === "function"
    ? (text, encoding) => crypto.hash("sha256", text, encoding)
    : (text, encoding) => crypto.createHash("sha256").update(text).digest(encoding);
