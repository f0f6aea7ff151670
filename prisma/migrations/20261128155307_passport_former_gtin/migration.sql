-- CreateTable
CREATE TABLE "PassportFormerGtin" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "passportId" TEXT NOT NULL,
    "gtin" TEXT NOT NULL,
    "replacedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "PassportFormerGtin_gtin_idx" ON "PassportFormerGtin"("gtin");

