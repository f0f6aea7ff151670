-- AlterTable
ALTER TABLE "Integration" ADD COLUMN "statusBeforeUninstall" TEXT;
ALTER TABLE "Integration" ADD COLUMN "statusMessageBeforeUninstall" TEXT;

