// A download the server refuses says why, in the server's words, when it gives them (a short
// plain text saying what happened and what to do): "please try again" never helps then.
import { describe, expect, it } from "vitest";
import { downloadFailure } from "./DownloadButton";

describe("a failed download", () => {
  it("says the server's reason, given as plain text", async () => {
    const reason = "This file is no longer kept: uploads not imported within 7 days are deleted. Upload the file again to get a new copy with its problems marked.";
    const response = new Response(reason, { status: 409, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    expect(await downloadFailure(response)).toBe(reason);
  });

  it("says it failed, generally, when the answer is a page, empty, or too long to be a reason", async () => {
    const html = new Response("<!DOCTYPE html><html><body>Application error</body></html>", { status: 500, headers: { "Content-Type": "text/html" } });
    expect(await downloadFailure(html)).toBe("The download failed (500). Please try again.");
    const empty = new Response("", { status: 502, headers: { "Content-Type": "text/plain" } });
    expect(await downloadFailure(empty)).toBe("The download failed (502). Please try again.");
    const long = new Response("x".repeat(5000), { status: 500, headers: { "Content-Type": "text/plain" } });
    expect(await downloadFailure(long)).toBe("The download failed (500). Please try again.");
  });
});
