-- AlterTable
ALTER TABLE "FieldValue" ADD COLUMN     "createdAt" TIMESTAMP(3),
ADD COLUMN     "createdRunId" TEXT,
ADD COLUMN     "createdSource" TEXT,
ADD COLUMN     "createdSourceId" TEXT;

