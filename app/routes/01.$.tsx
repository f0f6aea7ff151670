import type { LoaderFunctionArgs } from "@remix-run/node";
import { digitalLinkResponse } from "../passports/public-responses.server";

/**
 * GS1 Digital Link without a shop: /01/{GTIN}[/22/…][/10/…][/21/…] resolves to the variant's
 * passport in the shop that has carried the GTIN longest. Shops publish /s/{shop}/01/… instead.
 */
export const loader = ({ request, context }: LoaderFunctionArgs) => digitalLinkResponse(request, context.clientAddress);
