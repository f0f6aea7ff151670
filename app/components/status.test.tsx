// A run's badge: one that succeeded with records it could not take must not look all green.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RunStatusBadge } from "./status";

const badge = (status: string, failed?: number) =>
  renderToStaticMarkup(
    <AppProvider i18n={en}>
      <RunStatusBadge status={status} failed={failed} />
    </AppProvider>,
  ).replace(/<[^>]+>/g, " ");

describe("RunStatusBadge", () => {
  it("says how many records failed in a run that succeeded", () => {
    expect(badge("succeeded", 0)).toContain("Succeeded");
    expect(badge("succeeded", 3)).toContain("Succeeded, 3 failed");
    expect(badge("failed", 3)).toContain("Failed");
  });
});
