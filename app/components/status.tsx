// Small shared admin UI pieces: status badges, dates, and live refresh while work is running.
import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";
import { Badge } from "@shopify/polaris";

const STATUS_TONE = {
  active: "success",
  paused: "attention",
  error: "critical",
  disconnected: undefined,
} as const;

const STATUS_LABEL: Record<string, string> = {
  active: "Active",
  paused: "Paused",
  error: "Error",
  disconnected: "Disconnected",
};

export function IntegrationStatusBadge({ status }: { status: string }) {
  const tone = STATUS_TONE[status as keyof typeof STATUS_TONE];
  return <Badge tone={tone}>{STATUS_LABEL[status] ?? status}</Badge>;
}

export function RoleBadge({ role }: { role: "primary" | "secondary" }) {
  return <Badge tone={role === "primary" ? "info" : undefined}>{role === "primary" ? "Primary" : "Secondary"}</Badge>;
}

const RUN_TONE: Record<string, "success" | "critical" | "info" | "attention" | undefined> = {
  succeeded: "success",
  failed: "critical",
  running: "info",
  queued: "attention",
  preview: undefined,
};
const RUN_LABEL: Record<string, string> = {
  succeeded: "Succeeded",
  failed: "Failed",
  running: "Running",
  queued: "Waiting",
  preview: "Preview",
};

/** A run's status; a run that succeeded with records it could not take says so (they are in its errors). */
export function RunStatusBadge({ status, failed = 0 }: { status: string; failed?: number }) {
  if (status === "succeeded" && failed > 0) return <Badge tone="warning">{`Succeeded, ${failed} failed`}</Badge>;
  return <Badge tone={RUN_TONE[status]}>{RUN_LABEL[status] ?? status}</Badge>;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
}

/** Reloads the page's data every `ms` while `active` (a run is in progress). */
export function useLiveRefresh(active: boolean, ms = 1500): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, ms);
    return () => clearInterval(timer);
  }, [active, ms, revalidator]);
}
