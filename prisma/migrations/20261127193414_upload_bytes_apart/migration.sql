-- CreateTable
CREATE TABLE "UploadBytes" (
    "shop" TEXT NOT NULL,
    "uploadId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "bytes" BLOB NOT NULL,

    PRIMARY KEY ("uploadId", "kind")
);

-- The bytes of uploads still waiting (added by hand: Prisma does not move data).
INSERT INTO "UploadBytes" ("shop", "uploadId", "kind", "bytes") SELECT "shop", "id", 'file', "file" FROM "Upload" WHERE length("file") > 0;
INSERT INTO "UploadBytes" ("shop", "uploadId", "kind", "bytes") SELECT "shop", "id", 'records', "records" FROM "Upload" WHERE "records" IS NOT NULL AND length("records") > 0;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Upload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "recordsKey" TEXT,
    "createMissing" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'uploaded',
    "preview" TEXT,
    "runId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Upload" ("createMissing", "createdAt", "fileName", "id", "integrationId", "preview", "recordsKey", "runId", "shop", "status", "updatedAt") SELECT "createMissing", "createdAt", "fileName", "id", "integrationId", "preview", "recordsKey", "runId", "shop", "status", "updatedAt" FROM "Upload";
DROP TABLE "Upload";
ALTER TABLE "new_Upload" RENAME TO "Upload";
CREATE INDEX "Upload_shop_idx" ON "Upload"("shop");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

