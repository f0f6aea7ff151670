// Runs before each test file (in its own process): test configuration and a fresh database, set
// before any app module reads them.
import { afterAll } from "vitest";
import type {} from "../app/db.server"; // for the type of globalThis.__passportDb
import { createTestDatabase } from "./support/database";
import { TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEY } from "./support/constants";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY = TEST_API_KEY;
process.env.SHOPIFY_API_SECRET = TEST_API_SECRET;
process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1:3999";
process.env.ENCRYPTION_KEY = TEST_ENCRYPTION_KEY;
process.env.PASSPORT_BACKGROUND = "off";

const database = await createTestDatabase();
process.env.DATABASE_URL = database.url;
process.env.PASSPORT_TEST_DB_FILE = database.file ?? "";

afterAll(async () => {
  // Only a client the tests opened needs closing (app/db.server.ts keeps it on globalThis).
  await globalThis.__passportDb?.$disconnect().catch(() => undefined);
  await database.drop();
});
