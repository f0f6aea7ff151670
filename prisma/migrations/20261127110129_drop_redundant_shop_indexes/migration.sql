-- DropIndex
DROP INDEX "FieldValue_shop_entityId_idx";

-- DropIndex
DROP INDEX "FieldChange_shop_entityId_idx";

-- DropIndex
DROP INDEX "ExternalLink_shop_entityId_idx";

-- DropIndex
DROP INDEX "PassportVersion_shop_passportId_idx";

