-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN "triggeredAt" DATETIME;

