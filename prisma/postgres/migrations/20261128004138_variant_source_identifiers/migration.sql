-- AlterTable
ALTER TABLE "Variant" ADD COLUMN     "sourceGtin" TEXT,
ADD COLUMN     "sourceSku" TEXT;

-- CreateIndex
CREATE INDEX "Variant_shop_sourceSku_idx" ON "Variant"("shop", "sourceSku");

-- CreateIndex
CREATE INDEX "Variant_shop_sourceGtin_idx" ON "Variant"("shop", "sourceGtin");


-- The new columns are filled by the primary's runs, which skip records unchanged since their last
-- run: forget those (as an ownership change does), so the next run fills them for every variant.
UPDATE "ExternalLink" SET "hash" = NULL WHERE "integrationId" IN (SELECT "id" FROM "Integration" WHERE "primaryOfShop" IS NOT NULL);
