-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "runningRunId" TEXT,
ADD COLUMN     "runningSince" TIMESTAMP(3);

