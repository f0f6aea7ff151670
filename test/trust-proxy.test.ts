// The client address behind proxies (TRUST_PROXY): what public rate limits key on.
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { trustProxy } from "../scripts/trust-proxy.mjs";

let close: (() => void) | undefined;
afterEach(() => close?.());

/** The address Express sees for a request from loopback carrying this X-Forwarded-For. */
async function clientAddress(setting: string | undefined, forwardedFor: string): Promise<string | undefined> {
  const app = express();
  app.set("trust proxy", trustProxy(setting));
  app.get("/", (req, res) => void res.send(req.ip));
  const server = app.listen(0, "127.0.0.1");
  close = () => server.close();
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return (await fetch(`http://127.0.0.1:${port}/`, { headers: { "X-Forwarded-For": forwardedFor } })).text();
}

describe("TRUST_PROXY", () => {
  it("unset: the connection's address, whatever the client writes", async () => {
    expect(await clientAddress(undefined, "1.2.3.4")).toMatch(/127\.0\.0\.1$/);
  });

  it("1 (one proxy): the address that proxy saw, not one the client wrote before it", async () => {
    // The client sent "1.2.3.4"; the proxy appended the client's real address, 198.51.100.1.
    expect(await clientAddress("1", "1.2.3.4, 198.51.100.1")).toBe("198.51.100.1");
    expect(await clientAddress("1", "5.6.7.8, 198.51.100.1")).toBe("198.51.100.1");
  });

  it("a list of trusted proxy addresses", async () => {
    expect(await clientAddress("loopback", "1.2.3.4, 198.51.100.1")).toBe("198.51.100.1");
  });

  it("reads 0 and blanks as off", () => {
    expect(trustProxy("0")).toBe(false);
    expect(trustProxy(" ")).toBe(false);
    expect(trustProxy("2")).toBe(2);
  });
});
