-- CreateTable
CREATE TABLE "PassportFormerGtin" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "passportId" TEXT NOT NULL,
    "gtin" TEXT NOT NULL,
    "replacedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PassportFormerGtin_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PassportFormerGtin_gtin_idx" ON "PassportFormerGtin"("gtin");

