import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import yazl from "yazl";
import { adminContext } from "../admin.server";
import { attachment } from "../content-disposition";
import { fillQrZip } from "../passports/listing.server";
import { shopHandle } from "../shop-handle";

/** The label zip (QR codes as SVG and PNG + labels.csv), streamed while it is made. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shop } = await adminContext(request);
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as unknown as Readable;
  void fillQrZip(db, zip).catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  return new Response(Readable.toWeb(output) as ReadableStream, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": attachment(`passport-qr-codes-${shopHandle(shop)}.zip`),
      "Cache-Control": "no-store",
    },
  });
};
