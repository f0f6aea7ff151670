import type { LoaderFunctionArgs } from "@remix-run/node";
import { passportResponse } from "../passports/public-responses.server";

/** The public passport: HTML for people, UNTP JSON-LD for machines (Accept or the .jsonld suffix). */
export const loader = ({ request, params, context }: LoaderFunctionArgs) => passportResponse(request, params.publicId ?? "", context.clientAddress);
