-- AlterTable
ALTER TABLE "Integration" ADD COLUMN "runningScope" TEXT;
ALTER TABLE "Integration" ADD COLUMN "runningTrigger" TEXT;
