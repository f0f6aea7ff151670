import type { LoaderFunctionArgs } from "@remix-run/node";
import { digitalLinkResponse } from "../passports/public-responses.server";

/** A shop's GS1 Digital Link: /s/{shop}/01/{GTIN}[/22/…][/10/…][/21/…] resolves within that shop only. */
export const loader = ({ request, context }: LoaderFunctionArgs) => digitalLinkResponse(request, context.clientAddress);
