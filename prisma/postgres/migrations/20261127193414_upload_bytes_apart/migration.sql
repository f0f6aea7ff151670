-- CreateTable
CREATE TABLE "UploadBytes" (
    "shop" TEXT NOT NULL,
    "uploadId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "UploadBytes_pkey" PRIMARY KEY ("uploadId","kind")
);

-- The bytes of uploads still waiting (added by hand: Prisma does not move data).
INSERT INTO "UploadBytes" ("shop", "uploadId", "kind", "bytes") SELECT "shop", "id", 'file', "file" FROM "Upload" WHERE length("file") > 0;
INSERT INTO "UploadBytes" ("shop", "uploadId", "kind", "bytes") SELECT "shop", "id", 'records', "records" FROM "Upload" WHERE "records" IS NOT NULL AND length("records") > 0;

-- AlterTable
ALTER TABLE "Upload" DROP COLUMN "file",
DROP COLUMN "records";

