/** A trivial route (no database): the baseline of the passport benchmark, and a liveness probe. */
export const loader = () => new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
