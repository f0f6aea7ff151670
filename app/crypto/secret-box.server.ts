// Encryption of secrets at rest (access tokens, API keys): AES-256-GCM with a random 96-bit IV
// per value. Stored form: "v1.<iv>.<tag>.<ciphertext>" in base64url, so a value is recognisably
// ours and the format can change later.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const PREFIX = "v1";

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("The encryption key must be 32 bytes (64 hex characters).");
    this.#key = key;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [PREFIX, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
  }

  decrypt(sealed: string): string {
    const [prefix, iv, tag, ciphertext] = sealed.split(".");
    if (prefix !== PREFIX || !iv || !tag || ciphertext === undefined) {
      throw new Error("Cannot decrypt: the value is not in the encrypted format (was it written without encryption?).");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new Error("Cannot decrypt a stored secret: ENCRYPTION_KEY is not the key it was encrypted with.");
    }
  }
}

export function parseKey(raw: string): Buffer {
  const value = raw.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, "hex");
  const b64 = Buffer.from(value, "base64");
  if (b64.length === 32) return b64;
  throw new Error("ENCRYPTION_KEY must be 32 bytes: 64 hex characters or base64 (generate one with `openssl rand -hex 32`).");
}

/** Where a development key is kept when ENCRYPTION_KEY is not set. */
export const DEV_KEY_FILE = path.join("data", "encryption.key");

/**
 * The key from ENCRYPTION_KEY. Production refuses to run without it; development creates one on
 * first run in data/encryption.key (outside git) and says so.
 */
export function loadEncryptionKey(env: NodeJS.ProcessEnv = process.env, log: (m: string) => void = console.warn): Buffer {
  if (env.ENCRYPTION_KEY) return parseKey(env.ENCRYPTION_KEY);
  if (env.NODE_ENV === "production") {
    throw new Error(
      "ENCRYPTION_KEY is not set. Passport encrypts access tokens at rest and will not start without a key in production. Generate one with `openssl rand -hex 32` and set ENCRYPTION_KEY.",
    );
  }
  const file = path.resolve(DEV_KEY_FILE);
  if (existsSync(file)) return parseKey(readFileSync(file, "utf8"));
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600 });
  log(`Passport: created a development encryption key at ${file} (set ENCRYPTION_KEY to use your own).`);
  return key;
}

let box: SecretBox | undefined;
/** The process's SecretBox, keyed once. */
export function secretBox(): SecretBox {
  box ??= new SecretBox(loadEncryptionKey());
  return box;
}
