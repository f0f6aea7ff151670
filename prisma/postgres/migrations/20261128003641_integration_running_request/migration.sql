-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "runningScope" TEXT,
ADD COLUMN     "runningTrigger" TEXT;
