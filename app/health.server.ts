import { db } from "./db.server";
import { config } from "./config.server";

export interface Health {
  ok: boolean;
  database: { ok: boolean; provider: string; error?: string };
}

export async function checkHealth(): Promise<Health> {
  const provider = config().database.provider;
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return { ok: true, database: { ok: true, provider } };
  } catch (error) {
    // The message names the failure without leaking connection strings.
    const message = error instanceof Error ? error.message.split("\n")[0] : "unknown error";
    return { ok: false, database: { ok: false, provider, error: message.replace(/\/\/[^@\s]*@/g, "//***@") } };
  }
}
