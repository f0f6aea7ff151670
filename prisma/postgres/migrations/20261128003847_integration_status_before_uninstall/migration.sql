-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "statusBeforeUninstall" TEXT,
ADD COLUMN     "statusMessageBeforeUninstall" TEXT;

