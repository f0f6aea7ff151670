-- A refused file check's run says so itself since this release (details: its context and
-- "refused"). Those refused before were cleared to "{}", and only the upload that was checked named
-- them (its preview's previewRunId): they get what a refused check's run has now.
UPDATE "SyncRun" SET "details" = '{"context":{"preview":"upload"},"refused":true}'
WHERE "trigger" = 'upload' AND "status" = 'failed' AND "details" = '{}'
  AND "id" IN (SELECT substring("preview" from '"previewRunId":"([^"]+)"') FROM "Upload" WHERE "preview" IS NOT NULL);
