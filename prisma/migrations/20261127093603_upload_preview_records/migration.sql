-- AlterTable
ALTER TABLE "Upload" ADD COLUMN "records" BLOB;
ALTER TABLE "Upload" ADD COLUMN "recordsKey" TEXT;

