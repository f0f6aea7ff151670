-- AlterTable
ALTER TABLE "FieldValue" ADD COLUMN "createdAt" DATETIME;
ALTER TABLE "FieldValue" ADD COLUMN "createdRunId" TEXT;
ALTER TABLE "FieldValue" ADD COLUMN "createdSource" TEXT;
ALTER TABLE "FieldValue" ADD COLUMN "createdSourceId" TEXT;

