-- DropIndex
DROP INDEX "FieldValue_shop_field_idx";

-- DropIndex
DROP INDEX "FieldChange_shop_idx";

-- DropIndex
DROP INDEX "ExternalLink_shop_idx";

-- DropIndex
DROP INDEX "Passport_shop_idx";

-- DropIndex
DROP INDEX "PassportVersion_shop_idx";

-- CreateIndex
CREATE INDEX "FieldValue_shop_entityId_idx" ON "FieldValue"("shop", "entityId");

-- CreateIndex
CREATE INDEX "FieldChange_shop_entityId_idx" ON "FieldChange"("shop", "entityId");

-- CreateIndex
CREATE INDEX "ExternalLink_shop_entityId_idx" ON "ExternalLink"("shop", "entityId");

-- CreateIndex
CREATE INDEX "Passport_shop_variantId_idx" ON "Passport"("shop", "variantId");

-- CreateIndex
CREATE INDEX "PassportVersion_shop_passportId_idx" ON "PassportVersion"("shop", "passportId");

