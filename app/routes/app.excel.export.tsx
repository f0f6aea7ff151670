import type { LoaderFunctionArgs } from "@remix-run/node";
import { PassThrough, Readable } from "node:stream";
import { adminContext } from "../admin.server";
import { attachment } from "../content-disposition";
import { writeCatalogWorkbook, type ExportFilter } from "../integrations/excel/export.server";
import { shopHandle } from "../shop-handle";

/** The catalog (or a filtered part of it) in the template's format, streamed as it is written. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shop } = await adminContext(request);
  const params = new URL(request.url).searchParams;
  const archived = params.get("archived");
  const filter: ExportFilter = {
    search: params.get("q") ?? undefined,
    archived: archived === "exclude" || archived === "only" ? archived : "include",
    missingPassportData: params.get("missing") === "1",
  };
  const stream = new PassThrough();
  void writeCatalogWorkbook(db, stream, filter).catch((error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))));
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": attachment(`passport-products-${shopHandle(shop)}.xlsx`),
      "Cache-Control": "no-store",
    },
  });
};
