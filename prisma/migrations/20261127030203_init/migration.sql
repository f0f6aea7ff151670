-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL DEFAULT '',
    "primaryLocale" TEXT NOT NULL DEFAULT 'en',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME
);

-- CreateTable
CREATE TABLE "Integration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "primaryOfShop" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "statusMessage" TEXT,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "syncIntervalMinutes" INTEGER NOT NULL DEFAULT 1440,
    "matchBy" TEXT NOT NULL DEFAULT 'sku',
    "lastSyncAt" DATETIME,
    "nextSyncAt" DATETIME,
    "credentials" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "pendingScope" TEXT,
    "pendingTrigger" TEXT,
    "pendingSince" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FieldOwnership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "integrationId" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "vendor" TEXT NOT NULL DEFAULT '',
    "archivedAt" DATETIME,
    "passportHeld" BOOLEAN NOT NULL DEFAULT false,
    "originId" TEXT,
    "completeness" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "title" TEXT NOT NULL DEFAULT '',
    "sku" TEXT,
    "gtin" TEXT,
    "archivedAt" DATETIME,
    "originId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Variant_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FieldValue" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT '',
    "value" TEXT NOT NULL,
    "sourceId" TEXT,
    "editedBy" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FieldChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT '',
    "oldValue" TEXT,
    "newValue" TEXT,
    "sourceId" TEXT,
    "source" TEXT NOT NULL,
    "runId" TEXT,
    "changedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ExternalLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "hash" TEXT,
    "sourceUpdatedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT 'full',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "phase" TEXT,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "unmatched" INTEGER NOT NULL DEFAULT 0,
    "archived" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',
    "errorCount" INTEGER NOT NULL DEFAULT 0,
    "details" TEXT NOT NULL DEFAULT '{}',
    "message" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "heartbeatAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "queuedKey" TEXT,
    "activeKey" TEXT,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 5,
    "lockedBy" TEXT,
    "heartbeatAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "resourceId" TEXT,
    "resourceUpdatedAt" DATETIME,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ComplianceRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Passport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "currentVersion" INTEGER NOT NULL DEFAULT 0,
    "contentHash" TEXT,
    "gtin" TEXT,
    "completeness" INTEGER NOT NULL DEFAULT 0,
    "held" BOOLEAN NOT NULL DEFAULT false,
    "publishedUrls" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PassportVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "passportId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "changes" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Upload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "file" BLOB NOT NULL,
    "createMissing" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'uploaded',
    "preview" TEXT,
    "runId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Integration_primaryOfShop_key" ON "Integration"("primaryOfShop");

-- CreateIndex
CREATE INDEX "Integration_status_nextSyncAt_idx" ON "Integration"("status", "nextSyncAt");

-- CreateIndex
CREATE UNIQUE INDEX "Integration_shop_kind_key" ON "Integration"("shop", "kind");

-- CreateIndex
CREATE INDEX "FieldOwnership_integrationId_idx" ON "FieldOwnership"("integrationId");

-- CreateIndex
CREATE UNIQUE INDEX "FieldOwnership_shop_field_key" ON "FieldOwnership"("shop", "field");

-- CreateIndex
CREATE INDEX "Product_shop_title_idx" ON "Product"("shop", "title");

-- CreateIndex
CREATE INDEX "Product_shop_archivedAt_idx" ON "Product"("shop", "archivedAt");

-- CreateIndex
CREATE INDEX "Product_shop_completeness_idx" ON "Product"("shop", "completeness");

-- CreateIndex
CREATE UNIQUE INDEX "Product_shop_handle_key" ON "Product"("shop", "handle");

-- CreateIndex
CREATE INDEX "Variant_shop_productId_idx" ON "Variant"("shop", "productId");

-- CreateIndex
CREATE INDEX "Variant_shop_sku_idx" ON "Variant"("shop", "sku");

-- CreateIndex
CREATE INDEX "Variant_shop_gtin_idx" ON "Variant"("shop", "gtin");

-- CreateIndex
CREATE INDEX "FieldValue_shop_field_idx" ON "FieldValue"("shop", "field");

-- CreateIndex
CREATE UNIQUE INDEX "FieldValue_entityId_field_locale_key" ON "FieldValue"("entityId", "field", "locale");

-- CreateIndex
CREATE INDEX "FieldChange_entityId_field_changedAt_idx" ON "FieldChange"("entityId", "field", "changedAt");

-- CreateIndex
CREATE INDEX "FieldChange_shop_idx" ON "FieldChange"("shop");

-- CreateIndex
CREATE INDEX "ExternalLink_entityId_idx" ON "ExternalLink"("entityId");

-- CreateIndex
CREATE INDEX "ExternalLink_shop_idx" ON "ExternalLink"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "ExternalLink_integrationId_entityType_externalId_key" ON "ExternalLink"("integrationId", "entityType", "externalId");

-- CreateIndex
CREATE INDEX "SyncRun_shop_integrationId_createdAt_idx" ON "SyncRun"("shop", "integrationId", "createdAt");

-- CreateIndex
CREATE INDEX "SyncRun_status_idx" ON "SyncRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Job_queuedKey_key" ON "Job"("queuedKey");

-- CreateIndex
CREATE UNIQUE INDEX "Job_activeKey_key" ON "Job"("activeKey");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_shop_idx" ON "Job"("shop");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_topic_processedAt_idx" ON "WebhookEvent"("shop", "topic", "processedAt");

-- CreateIndex
CREATE INDEX "ComplianceRequest_shop_idx" ON "ComplianceRequest"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Passport_variantId_key" ON "Passport"("variantId");

-- CreateIndex
CREATE UNIQUE INDEX "Passport_publicId_key" ON "Passport"("publicId");

-- CreateIndex
CREATE INDEX "Passport_shop_idx" ON "Passport"("shop");

-- CreateIndex
CREATE INDEX "Passport_gtin_idx" ON "Passport"("gtin");

-- CreateIndex
CREATE INDEX "PassportVersion_shop_idx" ON "PassportVersion"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "PassportVersion_passportId_version_key" ON "PassportVersion"("passportId", "version");

-- CreateIndex
CREATE INDEX "Upload_shop_idx" ON "Upload"("shop");

