-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "triggeredAt" TIMESTAMP(3);

