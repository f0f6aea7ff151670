import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../admin.server";
import { errorWorkbook } from "../integrations/excel/uploads.server";

/** The uploaded workbook with its bad cells marked red and a comment on each. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const { fileName, bytes } = await errorWorkbook(db, params.uploadId!);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="${fileName.replace(/["\\]/g, "")}"`,
      "Cache-Control": "no-store",
    },
  });
};
