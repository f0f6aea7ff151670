import type { LoaderFunctionArgs } from "@remix-run/node";
import { qrResponse } from "../passports/public-responses.server";

export const loader = ({ request, params, context }: LoaderFunctionArgs) => qrResponse(request, params.publicId ?? "", "svg", context.clientAddress);
