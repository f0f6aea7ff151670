-- DropIndex
DROP INDEX "FieldValue_entityId_field_locale_key";

-- AlterTable
ALTER TABLE "FieldValue" DROP CONSTRAINT "FieldValue_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "FieldValue_pkey" PRIMARY KEY ("entityId", "field", "locale");

