import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Checkbox,
  DropZone,
  InlineError,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Select,
  Spinner,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import { adminContext } from "../admin.server";
import { MerchantError, merchantMessage } from "../errors";
import { DEFAULT_LIMITS, describeLimits, UPLOAD_KEEP_DAYS } from "../integrations/excel/limits";
import { cancelUpload, checkUpload, commitUpload, getUploadPreview, lastUploadId, storeUpload } from "../integrations/excel/uploads.server";
import { jobQueue } from "../jobs/index.server";
import { getRun } from "../sync/runs.server";
import { countOf, RunProgress } from "../components/RunHistory";
import { DownloadButton } from "../components/DownloadButton";
import { fieldDef, isFieldKey } from "../catalog/fields";
import { NothingToImport, UnmatchedRows, UploadChanges, UploadCounts, UploadIssues, UploadOutcome, UploadWarnings } from "../components/UploadCounts";
import { useLiveRefresh } from "../components/status";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  // Opened from the menu (no upload in the address), the page shows the last upload while it is
  // kept: leaving the page loses neither a preview nor a failed file's marked copy.
  const uploadId = new URL(request.url).searchParams.get("upload") ?? (await lastUploadId(db));
  // An upload of another shop, or one that no longer exists (an old link): the page says so.
  const found = uploadId
    ? await getUploadPreview(db, uploadId).catch((error: unknown) => {
        if (error instanceof MerchantError) return { missing: error.message };
        throw error;
      })
    : null;
  const preview = found && "missing" in found ? null : found;
  const missing = found && "missing" in found ? found.missing : null;
  // The commit's run is on the upload from its start (until then the page shows it waiting).
  const commitRun = preview?.commitRunId ? await getRun(db, preview.commitRunId) : null;
  return { preview, missing, commitRun, limits: describeLimits() };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { db } = await adminContext(request);
  const length = Number(request.headers.get("Content-Length") ?? 0);
  if (length > DEFAULT_LIMITS.maxFileBytes + 64 * 1024) {
    return { error: `This file is too large: the limit is ${Math.round(DEFAULT_LIMITS.maxFileBytes / 1024 / 1024)} MB. Split it into smaller files.` };
  }
  try {
    const form = await request.formData();
    const intent = String(form.get("intent"));
    if (intent === "upload") {
      const file = form.get("file");
      if (!(file instanceof File) || file.size === 0) return { error: "Choose an Excel file (.xlsx) to upload." };
      // Stored now, checked by the page's next request ("check"), whose progress the page shows.
      const uploadId = await storeUpload(db, { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()), createMissing: form.get("createMissing") === "on" });
      return redirect(`/app/excel?upload=${uploadId}`);
    }
    const uploadId = String(form.get("uploadId"));
    if (intent === "check") {
      await checkUpload(db, uploadId);
      return { checked: true };
    }
    if (intent === "commit") await commitUpload(jobQueue(), db, uploadId);
    if (intent === "cancel") {
      await cancelUpload(db, uploadId);
      return redirect("/app/excel");
    }
    return redirect(`/app/excel?upload=${uploadId}`);
  } catch (error) {
    return { error: merchantMessage(error) };
  }
};

/** Why a dropped file is not taken, and what to do. */
function notAWorkbook(fileName: string): string {
  return `${fileName} is not an Excel workbook (.xlsx), so it cannot be uploaded. Open it in Excel, LibreOffice or Numbers, save it as .xlsx (Excel Workbook), then choose that file.`;
}

type Preview = NonNullable<Awaited<ReturnType<typeof loader>>["preview"]>;

function PreviewCard({ preview, busy }: { preview: Preview; busy: boolean }) {
  const valid = preview.status === "previewed";
  const skipped = Object.entries(preview.run?.details.skippedByField ?? {});
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {valid ? `Preview of ${preview.fileName}` : `${preview.fileName} cannot be imported`}
        </Text>
        {preview.message ? <Banner tone="critical">{preview.message}</Banner> : null}
        {valid && preview.run ? <UploadCounts run={preview.run} /> : null}
        {valid && preview.run ? <UnmatchedRows run={preview.run} createMissing={preview.createMissing} matchBy={preview.matchBy} /> : null}
        {skipped.length ? (
          <Banner tone="info" title="Some values will not be written">
            <List type="bullet">
              {skipped.map(([field, n]) => {
                const label = isFieldKey(field) ? fieldDef(field).label : field;
                return (
                  <List.Item key={field}>
                    {countOf(n, `${label} value`, `${label} values`)}: another integration owns this field, or it is edited by hand in the app (see Field ownership).
                  </List.Item>
                );
              })}
            </List>
          </Banner>
        ) : null}
        {preview.errors.length ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {countOf(preview.errors.length, "problem", "problems")} to fix
            </Text>
            <UploadIssues issues={preview.errors} shown={50} moreWhere={preview.markedCopy ? " in the marked file" : ""} />
            {preview.markedCopy ? (
              <Box>
                <DownloadButton url={`/app/excel/errors/${preview.uploadId}`} fileName="errors.xlsx">
                  Download the file with the problems marked
                </DownloadButton>
              </Box>
            ) : null}
          </BlockStack>
        ) : null}
        {preview.warnings.length ? (
          <UploadWarnings warnings={preview.warnings} />
        ) : null}
        {valid && preview.changes.length ? <UploadChanges changes={preview.changes} count={preview.changeCount} /> : null}
        {valid && preview.nothingToImport ? <NothingToImport unmatched={preview.run?.counts.unmatched ?? 0} skipped={preview.run?.counts.skipped ?? 0} /> : null}
        {valid ? (
          <ButtonGroup>
            {preview.nothingToImport ? null : (
              <Form method="post">
                <input type="hidden" name="uploadId" value={preview.uploadId} />
                <input type="hidden" name="intent" value="commit" />
                <Button submit variant="primary" loading={busy}>
                  Import these changes
                </Button>
              </Form>
            )}
            <Form method="post">
              <input type="hidden" name="uploadId" value={preview.uploadId} />
              <input type="hidden" name="intent" value="cancel" />
              <Button submit disabled={busy}>
                Cancel
              </Button>
            </Form>
          </ButtonGroup>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/**
 * A stored upload being checked: the page asks for the check once (a reload while it runs does not
 * start another) and shows the preview run's progress until the preview is ready.
 */
function CheckingCard({ preview }: { preview: Preview }) {
  const check = useFetcher<typeof action>();
  const { uploadId, status } = preview;
  useEffect(() => {
    if (status === "uploaded" && check.state === "idle" && check.data === undefined) {
      check.submit({ intent: "check", uploadId }, { method: "post" });
    }
  }, [status, uploadId, check]);
  const failed = check.data && "error" in check.data ? check.data.error : null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Checking {preview.fileName}…
        </Text>
        {failed ? (
          <Banner tone="critical">{failed}</Banner>
        ) : preview.run?.status === "running" && preview.run.total ? (
          <RunProgress run={preview.run} />
        ) : preview.run?.status === "preview" ? (
          // Every row is compared: the preview is being saved.
          <InlineStack gap="200" blockAlign="center">
            <Spinner size="small" accessibilityLabel="Saving the preview" />
            <Text as="p" tone="subdued">
              Every row is checked. Saving the preview…
            </Text>
          </InlineStack>
        ) : (
          <InlineStack gap="200" blockAlign="center">
            <Spinner size="small" accessibilityLabel="Reading the file" />
            <Text as="p" tone="subdued">
              Reading the file…
            </Text>
          </InlineStack>
        )}
        <Text as="p" tone="subdued">
          Every cell is checked and compared with your catalog. Nothing changes until you have seen the preview and confirmed it.
        </Text>
      </BlockStack>
    </Card>
  );
}

function ExportCard() {
  const [search, setSearch] = useState("");
  const [archived, setArchived] = useState("include");
  const [missing, setMissing] = useState(false);
  const params = new URLSearchParams({ ...(search ? { q: search } : {}), archived, ...(missing ? { missing: "1" } : {}) });
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Export products
        </Text>
        <TextField label="Only products matching" value={search} onChange={setSearch} autoComplete="off" placeholder="Title, handle or SKU" />
        <Select
          label="Archived in source"
          options={[
            { label: "Include archived products", value: "include" },
            { label: "Leave them out", value: "exclude" },
            { label: "Only archived products", value: "only" },
          ]}
          value={archived}
          onChange={setArchived}
        />
        <Checkbox label="Only products with missing passport data" checked={missing} onChange={setMissing} />
        <DownloadButton url={`/app/excel/export?${params.toString()}`} fileName="passport-products.xlsx">
          Export to Excel
        </DownloadButton>
      </BlockStack>
    </Card>
  );
}

export default function ExcelPage() {
  const { preview, missing, commitRun, limits } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [createMissing, setCreateMissing] = useState(false);
  const uploading = navigation.state === "submitting" && navigation.formData?.get("intent") === "upload";
  const committing = preview?.status === "committing";
  const checking = preview?.status === "uploaded" || preview?.status === "checking";
  // A commit whose integration was paused or disconnected meanwhile waits: the page says why instead of refreshing.
  useLiveRefresh(checking || (committing && !preview.commitBlocked));

  // A file once uploaded is no longer the one to upload.
  const uploadId = preview?.uploadId;
  useEffect(() => {
    setFile(null);
    setFileError(null);
  }, [uploadId]);
  // The drop zone takes .xlsx files only: another file is refused with what to do, and the file
  // chosen before stays chosen.
  const onDrop = useCallback((_all: File[], accepted: File[], rejected: File[]) => {
    if (accepted[0]) {
      setFile(accepted[0]);
      setFileError(null);
    } else if (rejected[0]) {
      setFileError(notAWorkbook(rejected[0].name));
    }
  }, []);
  const upload = () => {
    if (!file) return;
    const data = new FormData();
    data.set("intent", "upload");
    data.set("file", file);
    if (createMissing) data.set("createMissing", "on");
    submit(data, { method: "post", encType: "multipart/form-data" });
  };

  return (
    <Page title="Import & export">
      <TitleBar title="Import & export" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && "error" in result && result.error ? <Banner tone="critical">{result.error}</Banner> : null}
            {missing ? <Banner tone="warning">{missing} Upload the file again to see its preview.</Banner> : null}
            {committing ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Importing {preview.fileName}…
                  </Text>
                  {preview.commitBlocked && !commitRun ? (
                    <Banner tone="warning">{preview.commitBlocked}</Banner>
                  ) : commitRun?.status === "failed" ? (
                    // Its job tries again (the upload would be failed otherwise): nothing is saved yet.
                    <Banner tone="warning">{commitRun.message ?? "The import did not go through. Passport tries again in a moment; nothing is saved yet."}</Banner>
                  ) : commitRun ? (
                    <RunProgress run={commitRun} />
                  ) : (
                    <ProgressBar progress={5} size="small" animated />
                  )}
                </BlockStack>
              </Card>
            ) : null}
            {preview?.status === "committed" || preview?.status === "failed" ? <UploadOutcome fileName={preview.fileName} status={preview.status} run={commitRun} /> : null}
            {preview?.status === "expired" ? (
              <Banner tone="warning" title={`${preview.fileName} has expired`}>
                <p>Files that are not imported within {UPLOAD_KEEP_DAYS} days are deleted. Upload the file again to see a new preview.</p>
              </Banner>
            ) : null}
            {preview && checking ? <CheckingCard preview={preview} /> : null}
            {preview && ["previewed", "invalid", "rejected"].includes(preview.status) ? <PreviewCard preview={preview} busy={navigation.state !== "idle"} /> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Import products
                </Text>
                <Text as="p">Upload a workbook in Passport&apos;s format. Nothing changes until you have seen the preview and confirmed it. Start from the template or from an export.</Text>
                <DownloadButton url="/app/excel/template" fileName="passport-import-template.xlsx">
                  Download the template
                </DownloadButton>
                <DropZone
                  id="excel-upload-file"
                  accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  type="file"
                  allowMultiple={false}
                  onDrop={onDrop}
                  label="Workbook (.xlsx)"
                  error={fileError !== null}
                >
                  {file ? (
                    <Box padding="400">
                      <Text as="p">
                        {file.name} ({Math.round(file.size / 1024)} KB)
                      </Text>
                    </Box>
                  ) : (
                    <DropZone.FileUpload actionHint="Excel workbook (.xlsx), up to 25 MB" />
                  )}
                </DropZone>
                {fileError ? <InlineError message={fileError} fieldID="excel-upload-file" /> : null}
                <Checkbox
                  label="Also create products that exist nowhere else"
                  helpText="Rows that match no variant become new products (for example products you do not sell on Shopify). Otherwise they are listed as unmatched."
                  checked={createMissing}
                  onChange={setCreateMissing}
                />
                {uploading ? (
                  <InlineStack gap="200" blockAlign="center">
                    <Spinner size="small" accessibilityLabel="Uploading" />
                    <Text as="p" tone="subdued">
                      Uploading {file?.name}…
                    </Text>
                  </InlineStack>
                ) : null}
                <InlineStack>
                  <Button variant="primary" onClick={upload} disabled={!file || uploading}>
                    Upload and preview
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <ExportCard />
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Limits
                </Text>
                <List type="bullet">
                  {limits.map((l) => (
                    <List.Item key={l}>{l}</List.Item>
                  ))}
                </List>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
