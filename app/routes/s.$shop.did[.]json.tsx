import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopDidResponse } from "../passports/public-responses.server";

/** The DID document of the shop's did:web (did:web:{host}:s:{shop}), the issuer of its passports' credentials. */
export const loader = ({ request, params, context }: LoaderFunctionArgs) => shopDidResponse(request, params.shop ?? "", context.clientAddress);
