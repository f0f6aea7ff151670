// The Integrations page's action as Shopify admin calls it (session token, form post): making a
// secondary the primary takes a preview, worked out in the background and polled by its run id,
// and then an explicit confirmation; errors say what to do.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forShop } from "../app/db/scoped.server";
import { settledPromotionPreview } from "../app/integrations/promote.server";
import { uploadWorkbook } from "../app/integrations/excel/uploads.server";
import { action, loader } from "../app/routes/app.integrations";
import { loader as previewLoader, type PreviewPoll } from "../app/routes/app.integrations.preview.$runId";
import { loader as home } from "../app/routes/app._index";
import { runKind } from "../app/components/RunHistory";
import { OTHER_SHOP, TEST_SHOP } from "./support/constants";
import { sessionToken } from "./support/shopify";

/** Shopify's bulk export of the catalog: running until the test lets it finish (an empty catalog). */
const bulkExport = { done: false, started: 0 };

// Shopify's token exchange and Admin API, stubbed (the install reads the shop's name and language;
// a preview of Shopify as the primary runs a bulk export).
setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  if (url.includes("/admin/oauth/access_token")) {
    return json({ access_token: "shpat_integrations", scope: "read_products,write_products", expires_in: 3600, refresh_token: "shprt_integrations", refresh_token_expires_in: 7_776_000 });
  }
  if (url.includes("/graphql.json")) {
    const body = input instanceof Request ? await input.clone().text() : typeof init?.body === "string" ? init.body : "";
    const operation = { id: "gid://shopify/BulkOperation/1", createdAt: new Date().toISOString(), errorCode: null, objectCount: "0", rootObjectCount: "0", url: null, partialDataUrl: null, completedAt: null };
    if (body.includes("ActiveBulkQueries")) return json({ data: { running: { nodes: [] }, created: { nodes: [] } } });
    if (body.includes("RunBulkQuery")) {
      bulkExport.started++;
      return json({ data: { bulkOperationRunQuery: { bulkOperation: { ...operation, status: "CREATED" }, userErrors: [] } } });
    }
    if (body.includes("BulkOperationStatus")) return json({ data: { bulkOperation: { ...operation, status: bulkExport.done ? "COMPLETED" : "RUNNING" } } });
    return json({ data: { shop: { name: "Integrations" }, shopLocales: [{ locale: "en", primary: true }] } });
  }
  throw new Error(`unexpected request to ${url}`);
});

const db = forShop(TEST_SHOP);

async function authorized(path: string, init: RequestInit = {}, shop = TEST_SHOP): Promise<Request> {
  return new Request(`http://127.0.0.1:3999${path}`, { ...init, headers: { Authorization: `Bearer ${await sessionToken({ shop })}`, ...init.headers } });
}

/** What the confirmation polls while the preview is worked out (JSON, never cached). */
async function poll(runId: string, shop = TEST_SHOP): Promise<PreviewPoll> {
  const response = await previewLoader({ request: await authorized(`/app/integrations/preview/${runId}`, {}, shop), params: { runId }, context: {} } as never);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  return (await response.json()) as PreviewPoll;
}

/** Posts the page's form, as its buttons do. */
async function post(fields: Record<string, string>) {
  const request = await authorized("/app/integrations", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return action({ request, params: {}, context: {} } as never);
}

async function primaryKind(): Promise<string | undefined> {
  return (await db.integration.findFirst({ where: { primaryOfShop: { not: null } } }))?.kind;
}

async function excelId(): Promise<string> {
  return (await db.integration.findFirstOrThrow({ where: { kind: "excel" } })).id;
}

beforeAll(async () => {
  await home({ request: await authorized("/app"), params: {}, context: {} } as never); // installs the shop: Shopify is the primary
});

beforeEach(async () => {
  // Shopify primary, Excel a connected secondary.
  const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
  await db.integration.updateMany({ data: { primaryOfShop: null } });
  await db.integration.update({ where: { id: shopify.id }, data: { primaryOfShop: TEST_SHOP, status: "active" } });
  expect(await post({ intent: "connect", kind: "excel" })).toMatchObject({ ok: true });
});

describe("making a secondary integration the primary", () => {
  it("the preview changes nothing; only the confirmation promotes", async () => {
    const id = await excelId();
    // Excel has nothing to work out (its next upload regroups): its summary comes at once, without a run.
    const preview = await post({ intent: "previewPromotion", id });
    expect(preview).toMatchObject({
      ok: true,
      preview: {
        runId: null,
        status: "finished",
        summary: { integration: "excel", dryRun: true, previewed: false, formerPrimary: { integration: "shopify", matchBy: "sku", ownedFields: expect.arrayContaining(["title"]) } },
      },
    });
    expect(await primaryKind()).toBe("shopify");

    // No other intent promotes, whatever it is called.
    expect(await post({ intent: "promote", id })).toEqual({ ok: false, message: "Unknown action." });
    expect(await primaryKind()).toBe("shopify");

    expect(await post({ intent: "confirmPromotion", id })).toEqual({
      ok: true,
      message: "Excel is now the primary integration. Shopify is now a secondary integration. Your next upload regroups your variants by its products. Every passport keeps its address and QR code.",
    });
    expect(await primaryKind()).toBe("excel");
  });

  it("Shopify's preview starts at once with its run id and writes nothing; the page polls it; the confirmation promotes once it finished", async () => {
    await post({ intent: "confirmPromotion", id: await excelId() });
    expect(await primaryKind()).toBe("excel");
    const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    const runsBefore = await db.syncRun.count();
    bulkExport.done = false;

    const started = await post({ intent: "previewPromotion", id: shopify.id });
    expect(started).toMatchObject({ ok: true, preview: { integrationId: shopify.id, integration: "shopify", status: "running", summary: null } });
    const runId = (started as { preview: { runId: string } }).preview.runId;
    expect(runId).toEqual(expect.any(String));
    // Nothing written but the preview's run.
    expect(await primaryKind()).toBe("excel");
    expect(await db.syncRun.count()).toBe(runsBefore + 1);
    expect(await db.integration.findUniqueOrThrow({ where: { id: shopify.id } })).toMatchObject({ status: "active", pendingScope: shopify.pendingScope, primaryOfShop: null });

    // Polled: running. Starting again (the modal reopened) shows the same preview; confirming now is refused.
    expect(await poll(runId)).toMatchObject({ runId, preview: { runId, status: "running" } });
    expect(await post({ intent: "previewPromotion", id: shopify.id })).toMatchObject({ ok: true, preview: { runId, status: "running" } });
    expect(await post({ intent: "confirmPromotion", id: shopify.id, runId })).toEqual({
      ok: false,
      message: "The primary integration was not changed. The preview is still being worked out. Confirm once it shows what would change.",
    });
    expect(bulkExport.started).toBe(1);
    // Another shop's session reads nothing of it.
    expect(await poll(runId, OTHER_SHOP)).toEqual({ runId, preview: null });

    bulkExport.done = true;
    await settledPromotionPreview(runId);
    expect(await poll(runId)).toMatchObject({ preview: { status: "finished", summary: { integration: "shopify", previewed: true, formerPrimary: { integration: "excel" } } } });
    expect(await primaryKind()).toBe("excel");
    // Without the preview it is refused; with it, it promotes.
    expect(await post({ intent: "confirmPromotion", id: shopify.id })).toEqual({
      ok: false,
      message: "The primary integration was not changed. Passport has not shown what making Shopify the primary would change. Choose Make primary to see it first.",
    });
    expect(await post({ intent: "confirmPromotion", id: shopify.id, runId })).toEqual({
      ok: true,
      message:
        "Shopify is now the primary integration. Excel is now a secondary integration. A full sync of Shopify has started: it regroups your variants by Shopify's products. Every passport keeps its address and QR code.",
    });
    expect(await primaryKind()).toBe("shopify");
  });

  it("says what went wrong and what to do, and changes nothing", async () => {
    const id = await excelId();
    await post({ intent: "confirmPromotion", id });
    expect(await post({ intent: "confirmPromotion", id })).toEqual({ ok: false, message: "The primary integration was not changed. Excel is already the primary integration." });

    await db.integration.updateMany({ data: { primaryOfShop: null } });
    const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    await db.integration.update({ where: { id: shopify.id }, data: { primaryOfShop: TEST_SHOP } });
    expect(await post({ intent: "disconnect", id })).toMatchObject({ ok: true });
    expect(await post({ intent: "previewPromotion", id })).toEqual({
      ok: false,
      message: "Passport could not work out what would change, so nothing was changed. Excel is disconnected; connect it again first.",
    });
    expect(await post({ intent: "confirmPromotion", id })).toEqual({ ok: false, message: "The primary integration was not changed. Excel is disconnected; connect it again first." });
    expect(await primaryKind()).toBe("shopify");
  });

  it("the page knows which integrations can become primary, and the fields a disconnect would release", async () => {
    const data = (await loader({ request: await authorized("/app/integrations"), params: {}, context: {} } as never)) as Awaited<ReturnType<typeof loader>>;
    const excel = data.integrations.find((i) => i.kind === "excel")!;
    expect(excel).toMatchObject({ role: "secondary", status: "active", canBePrimary: true });
    // Excel provides every field; on connect it took those nobody had (Shopify kept its own).
    expect(excel.ownedFields).toContain("materials");
    expect(excel.ownedFields).not.toContain("title");
    expect(await post({ intent: "disconnect", id: excel.id })).toEqual({ ok: true, message: "Disconnected. Its data stays in your catalog." });
    expect(await db.fieldOwnership.count({ where: { integrationId: excel.id } })).toBe(0);
  });
});

describe("the Shopify integration's settings", () => {
  const stored = async () => JSON.parse((await db.integration.findFirstOrThrow({ where: { kind: "shopify" } })).settings) as Record<string, unknown>;

  it("reports every setting that cannot be saved, each on its field, and saves nothing", async () => {
    const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    const before = await stored();
    const result = await post({ intent: "settings", id: shopify.id, "subset.query": "tag:pilot", "subset.first": "-5", "metafieldMap.materials": "materials", "metafieldMap.careInstructions": "care" });
    expect(result).toEqual({
      ok: false,
      intent: "settings",
      id: shopify.id,
      message: "Nothing was saved: 3 settings need fixing. Each is marked on its field.",
      settingsErrors: {
        "subset.first": '"-5" is not a number of products. Enter a whole number from 1 to 5,000, or leave it empty for no limit.',
        "metafieldMap.materials": '"materials" is not a metafield name. Write it as namespace.key, for example custom.material.',
        "metafieldMap.careInstructions": '"care" is not a metafield name. Write it as namespace.key, for example custom.material.',
      },
    });
    expect(await stored()).toEqual(before);
  });

  it("saves valid settings", async () => {
    const shopify = await db.integration.findFirstOrThrow({ where: { kind: "shopify" } });
    const result = await post({ intent: "settings", id: shopify.id, "subset.query": "tag:pilot", "subset.first": "20", "metafieldMap.careInstructions": "custom.care" });
    expect(result).toMatchObject({ ok: true, intent: "settings", id: shopify.id, message: expect.stringMatching(/^Settings saved\./) });
    expect(await stored()).toMatchObject({ subset: { query: "tag:pilot", first: 20 }, metafieldMap: { careInstructions: "custom.care" }, pushFields: [] });
    // Back to every product.
    await post({ intent: "settings", id: shopify.id });
    expect(await stored()).toMatchObject({ subset: null, metafieldMap: {} });
  });
});

describe("the sync history", () => {
  it("marks the check of a refused file as such, and a failed import not", async () => {
    const refused = await uploadWorkbook(db, { name: "notes.xlsx", bytes: new TextEncoder().encode("handle,title\nfoo,bar\n"), createMissing: false });
    expect(refused.status).toBe("rejected");
    const checkRunId = refused.run?.id;
    expect(checkRunId).toEqual(expect.any(String));
    // An import that failed: its run is its own, not an upload's check.
    const failedImport = await db.syncRun.create({ data: { shop: TEST_SHOP, integrationId: await excelId(), trigger: "upload", scope: "partial", status: "failed", message: "The import failed." } });

    const data = (await home({ request: await authorized("/app"), params: {}, context: {} } as never)) as Awaited<ReturnType<typeof home>>;
    const byId = new Map(data.runs.map((r) => [r.id, r]));
    expect(runKind(byId.get(checkRunId!)!)).toBe("fileCheck");
    expect(runKind(byId.get(failedImport.id)!)).toBe("sync");
  });
});
