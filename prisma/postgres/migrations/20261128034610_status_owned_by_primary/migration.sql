-- "Product status" became a field after shops had connected: their primary integration, which
-- provides it (Shopify and Excel both do), was never given it, so nobody wrote it. Give it to the
-- primary where the shop has no owner for it yet (a field switched off by the merchant has a row,
-- and stays off), and forget the primary's record hashes so its next run writes every status.
UPDATE "ExternalLink" SET "hash" = NULL
WHERE "integrationId" IN (
  SELECT i."id" FROM "Integration" AS i
  WHERE i."primaryOfShop" IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM "FieldOwnership" AS o WHERE o."shop" = i."shop" AND o."field" = 'status')
);

INSERT INTO "FieldOwnership" ("id", "shop", "field", "integrationId", "updatedAt")
SELECT 'status' || md5(random()::text || i."id"), i."shop", 'status', i."id", now()
FROM "Integration" AS i
WHERE i."primaryOfShop" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM "FieldOwnership" AS o WHERE o."shop" = i."shop" AND o."field" = 'status');
