// Request bodies are read whole before anything checks them (a webhook's body before its HMAC, an
// upload's form before its size), so the server refuses large ones before they are read: a body
// must say its length (Content-Length; Shopify's webhooks and browsers' uploads do), and that length
// must be within the limit of its route. Node's HTTP parser never reads past the stated length.

const MB = 1024 * 1024;

/** An Excel upload: the file's limit (25 MB, app/integrations/excel/limits.ts) and the form around it. */
export const UPLOAD_BODY_LIMIT = 26 * MB;
/** Everything else: webhooks (a product with thousands of variants is a few MB) and admin forms. */
export const BODY_LIMIT = 10 * MB;

/** @param {string} path */
export function bodyLimitFor(path) {
  return path === "/app/excel" ? UPLOAD_BODY_LIMIT : BODY_LIMIT;
}

/** Express middleware: 411 for a body without a stated length, 413 for one over its route's limit. */
export function limitRequestBodies(limitFor = bodyLimitFor) {
  /** @type {import("express").RequestHandler} */
  return (req, res, next) => {
    const stated = req.headers["content-length"];
    const chunked = req.headers["transfer-encoding"] !== undefined;
    if (stated === undefined && !chunked) return next(); // no body
    if (stated === undefined) {
      res.status(411).type("text/plain").send("Send the request with a Content-Length header.");
      return;
    }
    const limit = limitFor(req.path);
    if (Number(stated) > limit) {
      res.set("Connection", "close").status(413).type("text/plain").send(`This request is too large: at most ${Math.round(limit / MB)} MB.`);
      return;
    }
    next();
  };
}
