import { checkHealth } from "../health.server";

/** Public liveness/readiness check: 200 when the database answers, 503 otherwise. */
export const loader = async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
