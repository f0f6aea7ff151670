import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../admin.server";
import { readPromotionPreview, type PromotionPreviewView } from "../integrations/promote.server";

/** What the "Make primary" confirmation polls: the preview by its run id (null: none of the shop's). */
export interface PreviewPoll {
  runId: string;
  preview: PromotionPreviewView | null;
}

/**
 * A promotion preview's progress, then its summary (or why it failed), by its run id, as JSON:
 * what the "Make primary" confirmation polls while the preview is worked out in the background.
 * Only the shop's own runs: `preview` is null for any other id. (Polled with fetch, which App
 * Bridge gives the session token, rather than a Remix fetcher: a fetcher's revalidation while the
 * page refreshes itself could not find this lazily discovered route, and the page showed a 404.)
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const runId = params.runId ?? "";
  const poll: PreviewPoll = { runId, preview: await readPromotionPreview(db, runId) };
  return Response.json(poll, { headers: { "Cache-Control": "no-store" } });
};
