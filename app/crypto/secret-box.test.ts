import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEncryptionKey, parseKey, SecretBox } from "./secret-box.server";

const key = Buffer.alloc(32, 7);

describe("SecretBox", () => {
  it("round-trips and never stores the plaintext", () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt("shpat_secret");
    expect(sealed).not.toContain("shpat_secret");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(box.decrypt(sealed)).toBe("shpat_secret");
    expect(box.encrypt("shpat_secret")).not.toBe(sealed); // random IV
  });

  it("refuses tampered ciphertext and the wrong key with a clear message", () => {
    const sealed = new SecretBox(key).encrypt("token");
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => new SecretBox(key).decrypt(parts.join("."))).toThrow(/ENCRYPTION_KEY/);
    expect(() => new SecretBox(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow(/not the key it was encrypted with/);
    expect(() => new SecretBox(key).decrypt("plaintext-token")).toThrow(/not in the encrypted format/);
  });
});

describe("loadEncryptionKey", () => {
  it("accepts hex and base64 keys and rejects others", () => {
    expect(parseKey("ab".repeat(32))).toHaveLength(32);
    expect(parseKey(Buffer.alloc(32, 1).toString("base64"))).toHaveLength(32);
    expect(() => parseKey("too-short")).toThrow(/32 bytes/);
  });

  it("refuses to start in production without a key", () => {
    expect(() => loadEncryptionKey({ NODE_ENV: "production" })).toThrow(/ENCRYPTION_KEY is not set/);
  });

  it("creates a development key on first run, says where, and reuses it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "key-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const messages: string[] = [];
      const first = loadEncryptionKey({ NODE_ENV: "development" }, (m) => messages.push(m));
      expect(messages[0]).toMatch(/created a development encryption key at .*encryption\.key/);
      expect(existsSync(path.join(dir, "data", "encryption.key"))).toBe(true);
      expect(readFileSync(path.join(dir, "data", "encryption.key"), "utf8").trim()).toBe(first.toString("hex"));
      const second = loadEncryptionKey({ NODE_ENV: "development" }, (m) => messages.push(m));
      expect(second.equals(first)).toBe(true);
      expect(messages).toHaveLength(1);
    } finally {
      process.chdir(cwd);
    }
  });
});
