import type { LoaderFunctionArgs } from "@remix-run/node";
import { digitalLinkResponse } from "../passports/public-responses.server";

/** GS1 Digital Link with a serial number (/01/{GTIN}/21/{serial}): passports are per variant, so the GTIN decides. */
export const loader = ({ request, params, context }: LoaderFunctionArgs) => digitalLinkResponse(request, params.gtin ?? "", context.clientAddress);
