// Lint: typescript-eslint's recommended rules over the app, tools, tests and benchmarks.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "build/**", "bench/.build/**", "app/generated/**", "extensions/**/assets/**", "**/*.generated.d.ts", "app/integrations/shopify/types/**", "test-results/**", "data/**"],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
);
