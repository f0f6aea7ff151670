-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "records" BYTEA,
ADD COLUMN     "recordsKey" TEXT;

