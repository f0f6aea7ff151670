// Downloads a file from one of the app's resource routes. Inside Shopify admin a plain link
// would carry no session token, so the file is fetched (App Bridge adds the token to the app's
// own fetches), with progress, and then saved.
import { useState } from "react";
import { BlockStack, Button, InlineError, ProgressBar, Text } from "@shopify/polaris";
import { fileNameFromDisposition } from "../content-disposition";

function fileNameOf(response: Response, fallback: string): string {
  return fileNameFromDisposition(response.headers.get("Content-Disposition")) || fallback;
}

/** The longest reason of the server's that is shown as it is (a longer text is no message for the merchant: an error page). */
const MAX_REASON_CHARS = 500;

/**
 * Why a download failed, for the merchant: the server's own reason, when it answers with a short
 * plain text (what happened and what to do: "This file is no longer kept… Upload the file again"),
 * else a general one.
 */
export async function downloadFailure(response: Response): Promise<string> {
  const type = response.headers.get("Content-Type") ?? "";
  if (/^text\/plain\b/i.test(type)) {
    const reason = (await response.text().catch(() => "")).trim();
    if (reason && reason.length <= MAX_REASON_CHARS) return reason;
  }
  return `The download failed (${response.status}). Please try again.`;
}

export function DownloadButton({ url, children, fileName, variant }: { url: string; children: string; fileName: string; variant?: "primary" }) {
  const [received, setReceived] = useState<number | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const download = async () => {
    setError(null);
    setReceived(0);
    try {
      const response = await fetch(url);
      if (!response.ok || !response.body) throw new Error(await downloadFailure(response));
      setTotal(Number(response.headers.get("Content-Length")) || null);
      const reader = response.body.getReader();
      const parts: BlobPart[] = [];
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        bytes += value.byteLength;
        setReceived(bytes);
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(parts, { type: response.headers.get("Content-Type") ?? "application/octet-stream" }));
      link.download = fileNameOf(response, fileName);
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The download failed. Please try again.");
    } finally {
      setReceived(null);
      setTotal(null);
    }
  };

  const busy = received !== null;
  return (
    <BlockStack gap="100">
      <Button onClick={() => void download()} loading={busy && !received} disabled={busy} variant={variant}>
        {children}
      </Button>
      {busy ? (
        <>
          <ProgressBar progress={total ? Math.round(((received ?? 0) / total) * 100) : Math.min(90, 10 + Math.log2(1 + (received ?? 0) / 1024) * 6)} size="small" animated={!total} />
          <Text as="p" variant="bodySm" tone="subdued">
            {((received ?? 0) / 1024 / 1024).toFixed(1)} MB {total ? `of ${(total / 1024 / 1024).toFixed(1)} MB` : "so far"}
          </Text>
        </>
      ) : null}
      {error ? <InlineError message={error} fieldID={url} /> : null}
    </BlockStack>
  );
}
