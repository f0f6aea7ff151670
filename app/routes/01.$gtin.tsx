import type { LoaderFunctionArgs } from "@remix-run/node";
import { digitalLinkResponse } from "../passports/public-responses.server";

/** GS1 Digital Link: /01/{GTIN} resolves to the variant's passport. */
export const loader = ({ request, params, context }: LoaderFunctionArgs) => digitalLinkResponse(request, params.gtin ?? "", context.clientAddress);
