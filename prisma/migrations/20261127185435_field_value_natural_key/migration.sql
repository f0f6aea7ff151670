-- A value's key (entityId, field, locale) is its primary key, and its id goes. WITHOUT ROWID (added by
-- hand: Prisma cannot express it) stores the rows in key order: one B-tree instead of a table and
-- its key's index, so a sync writes each value once instead of three times.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_FieldValue" (
    "shop" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT '',
    "value" TEXT NOT NULL,
    "sourceId" TEXT,
    "editedBy" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME,
    "createdSource" TEXT,
    "createdSourceId" TEXT,
    "createdRunId" TEXT,

    PRIMARY KEY ("entityId", "field", "locale")
) WITHOUT ROWID;
INSERT INTO "new_FieldValue" ("createdAt", "createdRunId", "createdSource", "createdSourceId", "editedBy", "entityId", "field", "locale", "shop", "sourceId", "updatedAt", "value") SELECT "createdAt", "createdRunId", "createdSource", "createdSourceId", "editedBy", "entityId", "field", "locale", "shop", "sourceId", "updatedAt", "value" FROM "FieldValue";
DROP TABLE "FieldValue";
ALTER TABLE "new_FieldValue" RENAME TO "FieldValue";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

