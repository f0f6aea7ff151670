// Request bodies are refused before they are read when they are too large for their route, or do
// not say how large they are: a 300 MB body to a webhook route took the server from 134 MB to 1 GB.
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT, limitRequestBodies, UPLOAD_BODY_LIMIT } from "../scripts/request-limits.mjs";

let port = 0;
let close = () => {};
let bytesRead = 0;

beforeAll(async () => {
  const app = express();
  app.use(limitRequestBodies());
  app.post("*", (req, res) => {
    req.on("data", (chunk: Buffer) => (bytesRead += chunk.length));
    req.on("end", () => void res.send("read"));
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
  close = () => server.close();
});
afterAll(() => close());

/** Posts `body` with these headers (which may state another length than the body's). */
function post(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("request body limits", () => {
  it("refuses a body over its route's limit from its stated length, without reading it", async () => {
    bytesRead = 0;
    const tooLarge = await post("/webhooks/products/update", { "Content-Length": String(BODY_LIMIT + 1) }, Buffer.alloc(1024));
    expect(tooLarge).toMatchObject({ status: 413, text: "This request is too large: at most 10 MB." });
    expect(bytesRead).toBe(0);
    // An upload may be larger than a webhook, within its own limit.
    expect(UPLOAD_BODY_LIMIT).toBeGreaterThan(BODY_LIMIT);
    const upload = await post("/app/excel", { "Content-Length": String(BODY_LIMIT + 1024) }, Buffer.alloc(BODY_LIMIT + 1024));
    expect(upload).toMatchObject({ status: 200, text: "read" });
    expect((await post("/app/excel", { "Content-Length": String(UPLOAD_BODY_LIMIT + 1) }, Buffer.alloc(16))).status).toBe(413);
  });

  it("refuses a body that does not state its length, and lets bodies within the limit through", async () => {
    expect(await post("/webhooks/products/update", { "Transfer-Encoding": "chunked" }, Buffer.from("{}"))).toMatchObject({ status: 411 });
    expect(await post("/webhooks/products/update", { "Content-Length": "2" }, Buffer.from("{}"))).toMatchObject({ status: 200, text: "read" });
  });
});
