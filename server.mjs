// The production server: Remix's Express adapter over the Vite build, static assets with long
// caching, compression, the client address for rate limiting (TRUST_PROXY: the proxies in
// front of the app, scripts/trust-proxy.mjs), and limits on request bodies (scripts/request-limits.mjs).
// `npm start` runs it; the demo, browser tests and benchmarks start the same server.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import { limitRequestBodies } from "./scripts/request-limits.mjs";
import { trustProxy } from "./scripts/trust-proxy.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));
const build = await import(path.join(root, "build/server/index.js"));

const app = express();
app.disable("x-powered-by");
app.set("trust proxy", trustProxy(process.env.TRUST_PROXY));
app.use(limitRequestBodies());
app.use(compression());
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV === "production" ? "production" : "development",
    getLoadContext: (req) => ({ clientAddress: req.ip ?? "unknown" }),
  }),
);

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "0.0.0.0";
const server = app.listen(port, host, () => console.log(`Passport listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
