// GraphQL tooling config (codegen, editor support) for the Admin API documents the app sends.
// Types are generated from the offline Admin schema (tools/shopify-admin-schema), never downloaded:
// app/integrations/shopify/codegen.mjs unpacks it into the output folder first, and
// shopifyApiProject uses a schema file already present there. Run `node app/integrations/shopify/codegen.mjs`.
import { ApiType, shopifyApiProject } from "@shopify/api-codegen-preset";

export const ADMIN_API_VERSION = "2026-10";
export const ADMIN_TYPES_DIR = "./app/integrations/shopify/types";

export default {
  projects: {
    default: shopifyApiProject({
      apiType: ApiType.Admin,
      apiVersion: ADMIN_API_VERSION,
      documents: ["./app/**/*.{ts,tsx}", "!./app/**/*.test.ts", "!./app/**/*.test.tsx", "!./app/generated/**", "!./app/integrations/shopify/types/**"],
      outputDir: ADMIN_TYPES_DIR,
    }),
  },
};
