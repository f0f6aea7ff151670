// Resets the test database's catalog between tests: every shop's products, variants, values and
// their history, links, passports, runs, ownership, integrations and webhook events.
import { db } from "../../app/db.server";

export async function clearCatalog(): Promise<void> {
  await db.$transaction([
    db.webhookEvent.deleteMany(),
    db.fieldChange.deleteMany(),
    db.fieldValue.deleteMany(),
    db.externalLink.deleteMany(),
    db.passportVersion.deleteMany(),
    db.passport.deleteMany(),
    db.variant.deleteMany(),
    db.product.deleteMany(),
    db.syncRun.deleteMany(),
    db.fieldOwnership.deleteMany(),
    db.integration.deleteMany(),
  ]);
}
