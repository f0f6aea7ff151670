// A minimal Shopify admin around the embedded app: `GET /admin/apps/<handle>[/<path>]?shop=…` and
// `GET /store/<name>/apps/<handle>[/<path>]` answer a page with a top bar (shop name), a side bar and
// the app in an iframe, loaded the way Shopify admin loads it:
//   {app}/<path, default /app>?embedded=1&shop=…&host=<base64 "admin.shopify.com/store/<name>">
//     &id_token=<fresh session token>&locale=en   (plus the page's other query parameters)
// The app page loads the App Bridge stand-in (`/app-bridge.js`), which reports its route and title
// back to this page (postMessage), so the address bar follows the app as on Shopify.
import type { ShopifySimulator } from "./sim.ts";
import { validShopDomain } from "./store.ts";

export interface AdminShellRequest {
  /** Shop domain (from `?shop=` or `/store/<name>`), or null when none was given. */
  shop: string | null;
  /** App handle from the URL (any handle is accepted). */
  handle: string;
  /** Path inside the app, "" for the app's home. */
  appPath: string;
  /** The page's query (shop removed before it is passed on to the app). */
  query: URLSearchParams;
  /** How the shell was addressed, for the address-bar sync. */
  style: "admin" | "store";
}

export interface AdminShellPage {
  status: number;
  html: string;
}

/** Where the embedded app is loaded when the admin URL names no path. */
export const DEFAULT_APP_PATH = "/app";

/** Query parameters Shopify admin sets on the app's URL (never taken from the admin page's own query). */
const RESERVED = ["embedded", "shop", "host", "id_token", "locale", "hmac", "session", "timestamp"];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `host` as Shopify passes it: base64 of "admin.shopify.com/store/<name>", without padding. */
export function adminHostParam(shop: string): string {
  const name = shop.replace(/\.myshopify\.(com|io)$/i, "");
  // Standard base64 (not base64url): @shopify/shopify-api's sanitizeHost accepts only [0-9a-zA-Z+/].
  return Buffer.from(`admin.shopify.com/store/${name}`).toString("base64").replace(/=+$/, "");
}

/** Parses an admin URL path; null when the path is not an admin app page. */
export function parseAdminShellPath(pathname: string, query: URLSearchParams): AdminShellRequest | null {
  const admin = /^\/admin\/apps\/([^/]+)(\/.*)?$/.exec(pathname);
  const store = admin ? null : /^\/store\/([^/]+)\/apps\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!admin && !store) return null;
  const shopParam = query.get("shop");
  const shop = store ? `${decodeURIComponent(store[1]!).toLowerCase()}.myshopify.com` : shopParam ? shopParam.trim().toLowerCase() : null;
  const rest = (admin ? admin[2] : store![3]) ?? "";
  return {
    shop,
    handle: decodeURIComponent((admin ? admin[1] : store![2])!),
    appPath: rest === "/" ? "" : rest,
    query,
    style: admin ? "admin" : "store",
  };
}

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:13px/1.4 -apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,"Helvetica Neue",sans-serif;background:#f1f1f1;color:#303030;display:flex;flex-direction:column}
.topbar{flex:0 0 56px;background:#1a1a1a;color:#e3e3e3;display:flex;align-items:center;gap:16px;padding:0 16px}
.logo{font-weight:700;font-size:15px;color:#fff;letter-spacing:.2px}
.logo small{font-weight:500;color:#8a8a8a;margin-left:6px;font-size:11px;text-transform:uppercase;letter-spacing:.6px}
.search{flex:1;max-width:480px;margin:0 auto;height:32px;border-radius:8px;background:#303030;color:#8a8a8a;display:flex;align-items:center;padding:0 12px}
.shop{display:flex;align-items:center;gap:8px;color:#fff}
.avatar{width:28px;height:28px;border-radius:8px;background:#36fba1;color:#1a1a1a;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:12px}
.shop small{display:block;color:#8a8a8a;font-size:11px}
.layout{flex:1;display:flex;min-height:0}
.sidebar{flex:0 0 220px;padding:12px 8px;background:#ebebeb;border-right:1px solid #e3e3e3}
.sidebar div{padding:6px 10px;border-radius:8px;color:#8a8a8a}
.sidebar .section{margin-top:16px;font-size:12px;font-weight:600;color:#616161}
.sidebar .app{background:#fff;color:#303030;font-weight:600}
main{flex:1;display:flex;flex-direction:column;min-width:0}
.appbar{flex:0 0 48px;display:flex;align-items:center;gap:10px;padding:0 20px;border-bottom:1px solid #e3e3e3;background:#f1f1f1}
.appicon{width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,#2c6ecb,#5fb3f9)}
.appbar strong{font-size:14px}
#page-title{color:#303030;font-weight:600;flex:1}
#page-title:not(:empty)::before{content:"›";margin:0 8px;color:#8a8a8a;font-weight:400}
#title-actions{display:flex;gap:8px}
#breadcrumbs:empty{display:none}
.appbar button{font:inherit;border:0;border-radius:8px;padding:6px 12px;cursor:pointer;background:#fff;color:#303030;box-shadow:inset 0 -1px 0 #b5b5b5,inset 0 0 0 1px #e3e3e3}
.appbar button.primary{background:#303030;color:#fff;box-shadow:inset 0 -1px 0 #000}
.appbar button.critical{color:#8e1f0b}
.appbar button.primary.critical{background:#c70a24;color:#fff}
.appbar button.breadcrumb{background:transparent;box-shadow:none;padding:4px 6px}
.appbar button[disabled]{opacity:.5;cursor:default}
iframe{flex:1;width:100%;border:0;background:#f1f1f1}
.message{max-width:640px;margin:48px auto;background:#fff;border-radius:12px;padding:20px 24px;box-shadow:0 1px 0 rgba(0,0,0,.07)}
.message h1{font-size:16px;margin:0 0 8px}
.message code{background:#f1f1f1;padding:1px 4px;border-radius:4px}
`;

function page(title: string, shopName: string | null, shopDomain: string | null, appName: string, body: string, script = ""): string {
  const initials = (shopName ?? "?")
    .split(/\s+/)
    .map((w) => w[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="topbar">
  <span class="logo">shopify<small>simulator</small></span>
  <span class="search">Search</span>
  ${shopName ? `<span class="shop" id="shop"><span class="avatar">${escapeHtml(initials)}</span><span>${escapeHtml(shopName)}<small>${escapeHtml(shopDomain ?? "")}</small></span></span>` : ""}
</header>
<div class="layout">
  <nav class="sidebar" aria-label="Admin">
    <div>Home</div><div>Orders</div><div>Products</div><div>Customers</div><div>Analytics</div>
    <div class="section">Apps</div>
    <div class="app">${escapeHtml(appName)}</div>
  </nav>
  <main>
    <div class="appbar"><span class="appicon"></span><strong>${escapeHtml(appName)}</strong><span id="breadcrumbs"></span><span id="page-title"></span><span id="title-actions"></span></div>
    ${body}
  </main>
</div>
${script}
</body>
</html>
`;
}

/**
 * The admin page for a request. `frameOrigin` is where the app is loaded from (the app URL, or the
 * app frame proxy in front of it); null when the simulator has no app URL.
 */
export async function renderAdminShell(sim: ShopifySimulator, req: AdminShellRequest, frameOrigin: string | null): Promise<AdminShellPage> {
  const appName = sim.appName;
  if (!req.shop) {
    const shops = [...sim.shops.values()];
    const items = shops.length
      ? `<ul>${shops
          .map((s) => `<li><a href="/admin/apps/${encodeURIComponent(req.handle)}?shop=${encodeURIComponent(s.domain)}">${escapeHtml(s.name)}</a> (${escapeHtml(s.domain)}${s.installed ? ", installed" : ""})</li>`)
          .join("")}</ul>`
      : "<p>The simulator knows no shop yet.</p>";
    return {
      status: 400,
      html: page(
        `${appName} · Shopify admin (simulator)`,
        null,
        null,
        appName,
        `<div class="message"><h1>Which shop?</h1><p>Open <code>/admin/apps/${escapeHtml(req.handle)}?shop=&lt;name&gt;.myshopify.com</code> or <code>/store/&lt;name&gt;/apps/${escapeHtml(req.handle)}</code>.</p>${items}</div>`,
      ),
    };
  }
  if (!validShopDomain(req.shop)) {
    return {
      status: 400,
      html: page(
        `${appName} · Shopify admin (simulator)`,
        null,
        null,
        appName,
        `<div class="message"><h1>Not a shop domain</h1><p><code>${escapeHtml(req.shop)}</code> is not a shop domain (expected <code>&lt;name&gt;.myshopify.com</code>).</p></div>`,
      ),
    };
  }
  // Opening the admin of a shop makes it known (seeded, not installed): the app's token exchange
  // on the first request installs it, as on Shopify.
  const shop = sim.ensureShop(req.shop);
  const title = `${appName} · ${shop.name} · Shopify admin (simulator)`;
  if (!frameOrigin) {
    return {
      status: 503,
      html: page(
        title,
        shop.name,
        shop.domain,
        appName,
        `<div class="message"><h1>No app URL configured</h1><p>The simulator does not know where the app runs. Start it with <code>--app-url http://localhost:3000</code> ` +
          `(or <code>PUT /_sim/app-url {"appUrl": "http://localhost:3000"}</code>), run the app with ` +
          `<code>SHOPIFY_ADMIN_API_ORIGIN=${escapeHtml(sim.url)}</code> and <code>APP_BRIDGE_URL=${escapeHtml(sim.url)}/app-bridge.js</code>, then reload this page.</p>` +
          `<p>Or run <code>npm run demo</code>, which does all of this.</p></div>`,
      ),
    };
  }
  const { token } = await sim.issueSessionToken(shop.domain);
  const src = new URL((req.appPath || DEFAULT_APP_PATH).replace(/^\/*/, "/"), frameOrigin);
  for (const [key, value] of req.query) if (!RESERVED.includes(key)) src.searchParams.append(key, value);
  src.searchParams.set("embedded", "1");
  src.searchParams.set("shop", shop.domain);
  src.searchParams.set("host", adminHostParam(shop.domain));
  src.searchParams.set("id_token", token);
  src.searchParams.set("locale", "en");

  const name = shop.domain.replace(/\.myshopify\.(com|io)$/, "");
  const base = req.style === "store" ? `/store/${encodeURIComponent(name)}/apps/${encodeURIComponent(req.handle)}` : `/admin/apps/${encodeURIComponent(req.handle)}`;
  const config = { frameOrigin: new URL(frameOrigin).origin, base, shopQuery: req.style === "admin" ? `shop=${encodeURIComponent(shop.domain)}` : "", appName, shopName: shop.name };
  const script = `<script>
(function () {
  var cfg = ${JSON.stringify(config).replace(/</g, "\\u003c")};
  var frame = document.getElementById("app-frame");
  var titleEl = document.getElementById("page-title");
  var actionsEl = document.getElementById("title-actions");
  var breadcrumbsEl = document.getElementById("breadcrumbs");
  function button(b) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = String(b.kind) + (b.critical ? " critical" : "");
    el.textContent = (b.kind === "breadcrumb" ? "‹ " : "") + String(b.label);
    el.disabled = !!b.disabled;
    el.addEventListener("click", function () {
      frame.contentWindow.postMessage({ source: "shopify-sim-admin", type: "action", key: b.key }, cfg.frameOrigin);
    });
    return el;
  }
  // Tell the App Bridge stand-in that this page draws its title bar (it also knows when this page
  // has the simulator's own origin).
  frame.addEventListener("load", function () {
    frame.contentWindow.postMessage({ source: "shopify-sim-admin", type: "hello" }, cfg.frameOrigin);
  });
  // The App Bridge stand-in in the app reports its route and its title bar (see tools/shopify-sim/app-bridge.js).
  window.addEventListener("message", function (event) {
    if (event.origin !== cfg.frameOrigin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.source !== "shopify-sim-app-bridge") return;
    if (data.type === "location" && typeof data.path === "string" && data.path.charAt(0) === "/") {
      var q = data.search ? data.search.replace(/^\\?/, "") : "";
      var query = [cfg.shopQuery, q].filter(Boolean).join("&");
      history.replaceState(null, "", cfg.base + data.path + (query ? "?" + query : ""));
    } else if (data.type === "title" && typeof data.title === "string") {
      titleEl.textContent = data.title;
      var buttons = Array.isArray(data.buttons) ? data.buttons : [];
      breadcrumbsEl.replaceChildren.apply(breadcrumbsEl, buttons.filter(function (b) { return b.kind === "breadcrumb"; }).map(button));
      actionsEl.replaceChildren.apply(actionsEl, buttons.filter(function (b) { return b.kind !== "breadcrumb"; }).map(button));
      document.title = (data.title ? data.title + " · " : "") + cfg.appName + " · " + cfg.shopName + " · Shopify admin (simulator)";
    }
  });
})();
</script>`;
  return {
    status: 200,
    html: page(
      title,
      shop.name,
      shop.domain,
      appName,
      `<iframe id="app-frame" name="app-iframe" title="${escapeHtml(appName)}" src="${escapeHtml(src.href)}" allow="clipboard-read; clipboard-write"></iframe>`,
      script,
    ),
  };
}
