// The Integrations page's action as Shopify admin calls it (session token, form post): making a
// secondary the primary takes a preview and then an explicit confirmation; errors say what to do.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forShop } from "../app/db/scoped.server";
import { action, loader } from "../app/routes/app.integrations";
import { loader as home } from "../app/routes/app._index";
import { TEST_SHOP } from "./support/constants";
import { sessionToken } from "./support/shopify";

// Shopify's token exchange and Admin API, stubbed (the install reads the shop's name and language).
setAbstractFetchFunc(async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input);
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  if (url.includes("/admin/oauth/access_token")) {
    return json({ access_token: "shpat_integrations", scope: "read_products,write_products", expires_in: 3600, refresh_token: "shprt_integrations", refresh_token_expires_in: 7_776_000 });
  }
  if (url.includes("/graphql.json")) return json({ data: { shop: { name: "Integrations" }, shopLocales: [{ locale: "en", primary: true }] } });
  throw new Error(`unexpected request to ${url}`);
});

const db = forShop(TEST_SHOP);

async function authorized(path: string, init: RequestInit = {}): Promise<Request> {
  return new Request(`http://127.0.0.1:3999${path}`, { ...init, headers: { Authorization: `Bearer ${await sessionToken({ shop: TEST_SHOP })}`, ...init.headers } });
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
    const preview = await post({ intent: "previewPromotion", id });
    expect(preview).toMatchObject({
      ok: true,
      promotion: { integration: "excel", dryRun: true, previewed: false, formerPrimary: { integration: "shopify", matchBy: "sku", ownedFields: expect.arrayContaining(["title"]) } },
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
