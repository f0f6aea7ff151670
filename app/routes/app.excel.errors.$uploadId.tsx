import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminContext } from "../admin.server";
import { attachment } from "../content-disposition";
import { MerchantError } from "../errors";
import { errorWorkbook } from "../integrations/excel/uploads.server";

/** The uploaded workbook with its bad cells marked red and a comment on each. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  let marked: Awaited<ReturnType<typeof errorWorkbook>>;
  try {
    marked = await errorWorkbook(db, params.uploadId!);
  } catch (error) {
    // No such upload, or no marked copy of it (refused as a whole): say so instead of failing.
    if (error instanceof MerchantError) return new Response(error.message, { status: 409, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    throw error;
  }
  return new Response(new Uint8Array(marked.bytes), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": attachment(marked.fileName),
      "Cache-Control": "no-store",
    },
  });
};
