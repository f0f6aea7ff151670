// What the admin and the CLI say when a promotion preview fails (previewFailureMessage): a preview
// is not retried, so a sync's "Passport will try again automatically" is left out.
import { describe, expect, it } from "vitest";
import { MerchantError } from "../errors";
import { rateLimitError, unavailableError } from "./shopify/errors";
import { previewFailureMessage } from "./promote.server";

describe("promotion preview failures", () => {
  it("leave out the sync's retry, whichever way it is worded, and say that nothing changed", () => {
    const unreachable = previewFailureMessage(unavailableError("fetch failed"));
    expect(unreachable).toBe("Shopify is not answering right now (fetch failed). Nothing was changed. Try again in a few minutes.");
    expect(previewFailureMessage(rateLimitError())).toBe(
      "Shopify rate limit: Shopify kept asking Passport to slow down and the sync could not finish. Nothing was changed. Try again in a few minutes.",
    );
    expect(previewFailureMessage(new MerchantError("Shopify took too long to export your catalog. Passport will try again automatically."))).toBe(
      "Shopify took too long to export your catalog. Nothing was changed. Try again in a few minutes.",
    );
    for (const message of [unreachable, previewFailureMessage(rateLimitError())]) expect(message).not.toMatch(/try again automatically|nothing needs to be done/i);
  });

  it("keep a permanent reason as it is, and explain an unexpected error without internals", () => {
    expect(previewFailureMessage(new MerchantError('This shop has no "shopify" integration.', true))).toBe('This shop has no "shopify" integration. Nothing was changed.');
    expect(previewFailureMessage(new Error("socket hang up"))).toBe(
      "Something went wrong on our side (socket hang up). Nothing was changed. Try again in a few minutes; if this keeps happening, contact support.",
    );
  });
});
