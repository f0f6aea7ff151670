import type { LoaderFunctionArgs } from "@remix-run/node";
import { PassThrough, Readable } from "node:stream";
import { adminContext } from "../admin.server";
import { attachment } from "../content-disposition";
import { writeTemplate } from "../integrations/excel/template";
import { shopSettings } from "../shop-settings.server";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The import template: instructions, every catalog field, validation lists and two examples. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await adminContext(request);
  const { primaryLocale } = await shopSettings(db);
  const stream = new PassThrough();
  void writeTemplate(stream, { primaryLocale }).catch((error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))));
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: { "Content-Type": XLSX, "Content-Disposition": attachment("passport-import-template.xlsx"), "Cache-Control": "no-store" },
  });
};
