-- AlterTable
ALTER TABLE "Integration" ADD COLUMN "runningRunId" TEXT;
ALTER TABLE "Integration" ADD COLUMN "runningSince" DATETIME;

