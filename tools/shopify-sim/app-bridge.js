// @ts-check
/// <reference types="@shopify/app-bridge-types" />
/*
 * App Bridge stand-in of the Shopify simulator, served at {sim}/app-bridge.js.
 *
 * Shopify's App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js) cannot be reached
 * here. Load this script instead, the same way:
 *     <script src="{sim}/app-bridge.js" data-api-key="…"></script>
 * (with @shopify/shopify-app-remix: run the app with APP_BRIDGE_URL={sim}/app-bridge.js).
 * It is plain JavaScript, has no dependencies and talks only to the app's own origin and to the
 * simulator that served it. What it does:
 *   - window.shopify: config {apiKey, shop, host, locale, appOrigins, disabledFeatures}, origin,
 *     ready, environment {embedded, mobile, pos, intent}, idToken(), user(), toast.show/hide,
 *     loading(bool), modal / saveBar show/hide/toggle, scopes.query/request/revoke; the other
 *     members of App Bridge's API exist and resolve to "nothing" (resourcePicker → undefined,
 *     picker, intents, reviews, webVitals, support, app.extensions → [], tools, pos → rejected).
 *   - idToken(): a session token for the shop from {sim}/_sim/session-token?shop=…, kept until
 *     10 s before it expires, for the staff member of the page's id_token (its `sub`) if it had one. The shop comes from this script's URL (?shop=), else the page URL
 *     (?shop=, the id_token's dest, or ?host=), else what the page remembered in sessionStorage.
 *   - fetch: requests to the app's origin (and its subdomains, and config.appOrigins) get
 *     `Authorization: Bearer <session token>` unless they carry an Authorization header; a 401 with
 *     `X-Shopify-Retry-Invalid-Session-Request: 1` is retried once with a new token; a response
 *     with `X-Shopify-API-Request-Failure-Reauthorize-Url` sends the top window there. Other
 *     origins are left alone. (Off with <meta name="shopify-disabled-features" content="fetch">.)
 *   - <ui-nav-menu>: its links as a bar at the top of the page; a click dispatches
 *     `shopify:navigate` on the link (the app's router listens, e.g. shopify-app-remix's
 *     AppProvider), or, when nothing listens, loads the page with the embedded parameters and a
 *     fresh id_token, as the admin would.
 *   - <ui-title-bar title>: a heading with its buttons (clicks go to the original buttons).
 *   - <ui-modal> (show/hide/toggle, content, src, variant, "show"/"hide" events), <ui-save-bar>
 *     (a bar with Save/Discard), toasts and a loading bar.
 *   - The bounce page (?shopify-reload=…) reloads the app with a fresh id_token.
 *   - Framed by the simulator's admin page, it reports the app's route and title to it.
 * Not done: the admin's own pages (shopify://admin links), resource pickers, POS, intents, forms
 * with data-save-bar, mobile/POS environments, the auto-redirect into the admin when the app is
 * opened outside it.
 */
(function () {
  "use strict";

  /** @type {any} */
  const globalWindow = window;
  if (globalWindow.__shopifySimAppBridge) return;
  globalWindow.__shopifySimAppBridge = true;

  // ---------------------------------------------------------------------------------------------
  // Where we are: the simulator (this script's origin), the shop, the host, the API key.

  const script = /** @type {HTMLScriptElement | null} */ (
    document.currentScript || document.querySelector('script[src*="app-bridge.js"]')
  );
  const scriptUrl = script && script.src ? new URL(script.src, location.href) : null;
  const SIM = scriptUrl ? scriptUrl.origin : "__SHOPIFY_SIM_ORIGIN__";
  const page = new URLSearchParams(location.search);
  const STORE_KEY = "shopify-sim-app-bridge";
  const EMBED_PARAMS = ["embedded", "shop", "host", "id_token", "locale", "hmac", "session", "timestamp"];
  const SHOP_RE = /^[a-z0-9][a-z0-9-]*\.myshopify\.(com|io)$/;

  /** @param {string | null | undefined} value */
  function shopDomain(value) {
    if (!value) return null;
    const v = String(value).trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    return SHOP_RE.test(v) ? v : null;
  }

  /** @param {string} b64 */
  function decodeBase64(b64) {
    const s = b64.replace(/-/g, "+").replace(/_/g, "/");
    return atob(s + "===".slice((s.length + 3) % 4));
  }

  /** @param {string | null} host base64 of "admin.shopify.com/store/<name>" (or "<shop>/admin") */
  function shopFromHost(host) {
    if (!host) return null;
    try {
      const decoded = decodeBase64(host);
      const store = /^admin\.shopify\.com\/store\/([a-z0-9][a-z0-9-]*)/i.exec(decoded);
      return store ? `${store[1].toLowerCase()}.myshopify.com` : shopDomain(decoded.replace(/\/admin.*$/, ""));
    } catch {
      return null;
    }
  }

  /** @param {string} shop */
  function hostFor(shop) {
    return btoa(`admin.shopify.com/store/${shop.replace(/\.myshopify\.(com|io)$/, "")}`).replace(/=+$/, "");
  }

  /** @param {string} token @returns {Record<string, unknown> | null} */
  function claimsOf(token) {
    try {
      return JSON.parse(decodeBase64(token.split(".")[1] || ""));
    } catch {
      return null;
    }
  }

  /** @param {string} name */
  function meta(name) {
    const el = /** @type {HTMLMetaElement | null} */ (document.querySelector(`meta[name="${name}"]`));
    return el ? el.content : null;
  }

  /** @param {string | null | undefined} value */
  function list(value) {
    return value ? value.split(/[\s,]+/).filter(Boolean) : [];
  }

  /** @type {{shop?: string, host?: string, locale?: string, apiKey?: string}} */
  let stored = {};
  try {
    stored = JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}") || {};
  } catch {
    stored = {};
  }

  const urlToken = page.get("id_token");
  const urlClaims = urlToken ? claimsOf(urlToken) : null;
  const shop =
    shopDomain(scriptUrl && scriptUrl.searchParams.get("shop")) ||
    shopDomain(page.get("shop")) ||
    shopDomain(urlClaims && typeof urlClaims.dest === "string" ? urlClaims.dest : null) ||
    shopFromHost(page.get("host")) ||
    shopDomain(stored.shop) ||
    "";
  const host = page.get("host") || (stored.shop === shop && stored.host) || (shop ? hostFor(shop) : "");
  const locale = page.get("locale") || stored.locale || navigator.language || "en";
  const apiKey = (script && script.getAttribute("data-api-key")) || meta("shopify-api-key") || stored.apiKey || "";
  try {
    if (shop) sessionStorage.setItem(STORE_KEY, JSON.stringify({ shop, host, locale, apiKey }));
  } catch {
    // storage unavailable: every page then needs ?shop=
  }

  /** @type {import("@shopify/app-bridge-types").ShopifyGlobal["config"]} */
  const config = {
    apiKey,
    shop: shop || undefined,
    host: host || undefined,
    locale,
    appOrigins: list(meta("shopify-app-origins") || (script && script.getAttribute("data-app-origins"))),
    disabledFeatures: list(meta("shopify-disabled-features") || (script && script.getAttribute("data-disabled-features"))),
  };
  if (!shop) console.warn("shopify-sim App Bridge: no shop; open the app with ?shop=<name>.myshopify.com or load app-bridge.js?shop=…");

  // ---------------------------------------------------------------------------------------------
  // Session tokens.

  const nativeFetch = window.fetch.bind(window);
  /** @type {{token: string, expiresAt: number} | null} */
  let current = null;
  /** The staff member the admin opened the page for (its id_token's subject): later tokens are theirs too. @type {string | null} */
  let pageUser = null;
  if (urlToken && urlClaims && typeof urlClaims.exp === "number" && shopDomain(String(urlClaims.dest || "")) === shop) {
    current = { token: urlToken, expiresAt: urlClaims.exp * 1000 };
    if (/^\d+$/.test(String(urlClaims.sub))) pageUser = String(urlClaims.sub);
  }
  /** @type {Promise<string> | null} */
  let pending = null;
  /** @type {{id: number, name: string, email: string, accountAccess: string} | null} */
  let staff = null;
  /** @type {string[]} */
  let grantedScopes = [];

  async function requestToken() {
    if (!shop) throw new Error("shopify-sim App Bridge: no shop, so no session token (open the app with ?shop=…)");
    const user = pageUser === null ? "" : `&user=${pageUser}`;
    const res = await nativeFetch(`${SIM}/_sim/session-token?shop=${encodeURIComponent(shop)}${user}`, { cache: "no-store", credentials: "omit" });
    const body = await res.json().catch(() => null);
    if (!res.ok || !body || typeof body.token !== "string") {
      throw new Error(`shopify-sim App Bridge: no session token for ${shop}: ${(body && body.error) || `HTTP ${res.status}`}`);
    }
    current = { token: body.token, expiresAt: Date.now() + Number(body.expiresIn) * 1000 };
    staff = body.user;
    grantedScopes = Array.isArray(body.scopes) ? body.scopes : [];
    return current.token;
  }

  /** A session token, fetched again 10 s before it expires. @returns {Promise<string>} */
  function idToken() {
    if (current && current.expiresAt - Date.now() > 10_000) return Promise.resolve(current.token);
    pending = pending || requestToken().finally(() => (pending = null));
    return pending;
  }

  /** @returns {Promise<string | null>} */
  async function tokenOrNull() {
    try {
      return await idToken();
    } catch (error) {
      console.warn(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Authenticated fetch.

  const RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request";
  const REAUTHORIZE_HEADER = "X-Shopify-API-Request-Failure-Reauthorize-Url";

  /** @param {string} url */
  function isAppRequest(url) {
    let u;
    try {
      u = new URL(url, location.href);
    } catch {
      return false;
    }
    if (u.origin === location.origin) return true;
    if (u.protocol === location.protocol && u.port === location.port && u.hostname.endsWith(`.${location.hostname}`)) return true;
    return (config.appOrigins || []).some((o) => {
      try {
        return new URL(o).origin === u.origin;
      } catch {
        return false;
      }
    });
  }

  /** @param {Request} request @param {string | null} token */
  function withToken(request, token) {
    if (!token) return request;
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return new Request(request, { headers });
  }

  /** @param {RequestInfo | URL} input @param {RequestInit} [init] @returns {Promise<Response>} */
  async function authenticatedFetch(input, init) {
    if ((config.disabledFeatures || []).includes("fetch")) return nativeFetch(input, init);
    let request;
    try {
      request = new Request(input, init);
    } catch {
      return nativeFetch(input, init);
    }
    if (!isAppRequest(request.url) || request.headers.has("Authorization")) return nativeFetch(request);
    const spare = request.clone();
    let response = await nativeFetch(withToken(request, await tokenOrNull()));
    if (response.status === 401 && response.headers.get(RETRY_HEADER) === "1") {
      current = null;
      response = await nativeFetch(withToken(spare, await tokenOrNull()));
    }
    const reauthorize = response.headers.get(REAUTHORIZE_HEADER);
    if (reauthorize) window.open(reauthorize, "_top");
    return response;
  }
  window.fetch = authenticatedFetch;

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers. Everything drawn lives in shadow roots (or a layer appended to <body> on
  // first use), so the app's server-rendered markup stays as React hydrates it.

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {...(Node | string)} children
   * @returns {HTMLElement}
   */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    el.append(...children);
    return el;
  }

  /** @param {string} css */
  function style(css) {
    return h("style", {}, css);
  }

  const FONT = `font:13px/1.4 -apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,"Helvetica Neue",sans-serif`;
  const BUTTON_CSS = `
button{${FONT};border:0;border-radius:8px;padding:6px 12px;cursor:pointer;background:#fff;color:#303030;box-shadow:inset 0 -1px 0 #b5b5b5,inset 0 0 0 1px #e3e3e3}
button:hover{background:#f7f7f7}
button.primary{background:#303030;color:#fff;box-shadow:inset 0 -1px 0 #000}
button.primary:hover{background:#1a1a1a}
button.critical{color:#8e1f0b}
button.primary.critical{background:#c70a24;color:#fff}
button.breadcrumb{background:transparent;box-shadow:none;padding:4px 6px;font-size:16px}
button[disabled]{opacity:.5;cursor:default}`;

  /** @type {{host: HTMLElement, toasts: HTMLElement, loading: HTMLElement} | null} */
  let layer = null;
  function overlay() {
    if (layer && layer.host.isConnected) return layer;
    if (!document.body) return null;
    const hostEl = h("div", { "data-shopify-sim-overlay": "" });
    const root = hostEl.attachShadow({ mode: "open" });
    const toasts = h("div", { class: "toasts" });
    const loading = h("div", { class: "loading", hidden: "" });
    root.append(
      style(`
.toasts{position:fixed;left:50%;bottom:24px;transform:translateX(-50%);display:flex;flex-direction:column;gap:8px;align-items:center;z-index:2147483000}
.toast{${FONT};display:flex;gap:12px;align-items:center;background:#303030;color:#fff;border-radius:10px;padding:10px 12px 10px 16px;box-shadow:0 4px 16px rgba(0,0,0,.25);max-width:480px}
.toast.error{background:#8e1f0b}
.toast button{${FONT};background:transparent;color:inherit;border:0;cursor:pointer;padding:2px 6px;border-radius:6px}
.toast button.action{text-decoration:underline}
.loading{position:fixed;top:0;left:0;right:0;height:3px;overflow:hidden;z-index:2147483001;background:rgba(44,110,203,.2)}
.loading::after{content:"";position:absolute;top:0;bottom:0;width:40%;background:#2c6ecb;animation:slide 1.1s infinite ease-in-out}
.loading[hidden]{display:none}
@keyframes slide{from{left:-40%}to{left:100%}}`),
      loading,
      toasts,
    );
    document.body.append(hostEl);
    layer = { host: hostEl, toasts, loading };
    layer.loading.hidden = !isLoading;
    return layer;
  }

  /** @param {() => void} fn */
  function whenReady(fn) {
    if (document.body) fn();
    else document.addEventListener("DOMContentLoaded", fn, { once: true });
  }

  let toastSeq = 0;
  /** @type {Map<string, {el: HTMLElement, timer: number}>} */
  const openToasts = new Map();

  /** @param {string} message @param {import("@shopify/app-bridge-types").ToastOptions} [options] */
  function showToast(message, options) {
    const opts = options || {};
    const id = `shopify-sim-toast-${++toastSeq}`;
    whenReady(() => {
      const ui = overlay();
      if (!ui) return;
      const close = h("button", { class: "close", "aria-label": "Dismiss" }, "×");
      const el = h("div", { class: opts.isError ? "toast error" : "toast", role: opts.isError ? "alert" : "status", id }, h("span", {}, String(message)));
      if (opts.action) {
        const action = h("button", { class: "action" }, opts.action);
        action.addEventListener("click", () => {
          hideToast(id);
          if (opts.onAction) opts.onAction();
        });
        el.append(action);
      }
      close.addEventListener("click", () => {
        hideToast(id);
        if (opts.onDismiss) opts.onDismiss();
      });
      el.append(close);
      ui.toasts.append(el);
      openToasts.set(id, { el, timer: window.setTimeout(() => hideToast(id), opts.duration ?? 5000) });
    });
    return id;
  }

  /** @param {string} id */
  function hideToast(id) {
    const toast = openToasts.get(id);
    if (!toast) return;
    clearTimeout(toast.timer);
    toast.el.remove();
    openToasts.delete(id);
  }

  let isLoading = false;
  /** @param {boolean} on */
  function setLoading(on) {
    isLoading = on;
    whenReady(() => {
      const ui = overlay();
      if (ui) ui.loading.hidden = !isLoading;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Navigation and the admin page around the app.

  /** @type {Set<unknown>} */
  const navigateListeners = new Set();
  for (const target of /** @type {any[]} */ ([window, document])) {
    const add = target.addEventListener;
    const remove = target.removeEventListener;
    /** @param {string} type @param {unknown} listener @param {unknown} [options] */
    target.addEventListener = function (type, listener, options) {
      if (type === "shopify:navigate" && listener) navigateListeners.add(listener);
      return add.call(this, type, listener, options);
    };
    /** @param {string} type @param {unknown} listener @param {unknown} [options] */
    target.removeEventListener = function (type, listener, options) {
      if (type === "shopify:navigate") navigateListeners.delete(listener);
      return remove.call(this, type, listener, options);
    };
  }

  /** Loads an app URL as the admin loads the app: embedded parameters and a fresh id_token. @param {URL} url */
  async function loadAppDocument(url) {
    const next = new URL(url.href);
    next.searchParams.set("embedded", "1");
    if (shop) next.searchParams.set("shop", shop);
    if (host) next.searchParams.set("host", host);
    next.searchParams.set("locale", locale);
    const token = await tokenOrNull();
    if (token) next.searchParams.set("id_token", token);
    location.assign(next.href);
  }

  /** Follows an app link from the nav menu or the title bar. @param {Element} anchor */
  function navigate(anchor) {
    const href = anchor.getAttribute("href");
    if (!href) return;
    const url = new URL(href, location.href);
    if (url.protocol === "shopify:") {
      showToast(`${href}: the simulator has no admin pages`, { isError: true });
      return;
    }
    const target = anchor.getAttribute("target");
    if (url.origin !== location.origin || (target && target !== "_self")) {
      window.open(url.href, target || "_top");
      return;
    }
    const event = new CustomEvent("shopify:navigate", { bubbles: true, cancelable: true, composed: true });
    const routerListens = navigateListeners.size > 0 && anchor.isConnected;
    anchor.dispatchEvent(event);
    if (!routerListens && !event.defaultPrevented) void loadAppDocument(url);
  }

  function parentOrigin() {
    const ancestors = location.ancestorOrigins;
    return ancestors && ancestors.length ? ancestors[0] : "*";
  }

  /** @param {Record<string, unknown>} message */
  function tellAdmin(message) {
    if (window.parent === window) return;
    try {
      window.parent.postMessage({ source: "shopify-sim-app-bridge", ...message }, parentOrigin());
    } catch {
      // not framed by the simulator's admin page
    }
  }

  /** @type {Set<SimElement>} */
  const navMenus = new Set();
  function routeChanged() {
    for (const menu of navMenus) menu.schedule();
    const u = new URL(location.href);
    for (const p of EMBED_PARAMS) u.searchParams.delete(p);
    tellAdmin({ type: "location", path: u.pathname, search: u.search });
  }
  for (const method of /** @type {const} */ (["pushState", "replaceState"])) {
    const original = history[method];
    /** @param {...any} args */
    history[method] = function (...args) {
      const result = original.apply(this, /** @type {any} */ (args));
      queueMicrotask(routeChanged);
      return result;
    };
  }
  window.addEventListener("popstate", routeChanged);
  whenReady(routeChanged);

  // Framed by the simulator's admin page, the title bar is drawn there (as Shopify admin draws it
  // above the app); its buttons come back here as "action" messages.
  // Known at once when the admin page has the simulator's origin; otherwise its "hello" says so.
  /** @type {string | null} */
  let adminOrigin = window.parent !== window && location.ancestorOrigins && location.ancestorOrigins[0] === SIM ? SIM : null;
  /** @type {Map<string, Element>} */
  let titleActions = new Map();
  let actionSeq = 0;
  let lastTitleBar = "";

  /** @param {string} title @param {{el: Element, kind: string}[]} items */
  function titleBarChanged(title, items) {
    const described = items.map(({ el, kind }) => ({
      kind,
      label: labelOf(el),
      critical: el.getAttribute("tone") === "critical",
      disabled: el.hasAttribute("disabled"),
    }));
    const summary = JSON.stringify([title, described]);
    if (summary === lastTitleBar) {
      // same bar, new elements (React may have replaced them): keep the keys, point them at the new elements
      const keys = Array.from(titleActions.keys());
      titleActions = new Map(items.map(({ el }, i) => [keys[i] || `a${++actionSeq}`, el]));
      return;
    }
    lastTitleBar = summary;
    titleActions = new Map();
    const buttons = items.map(({ el }, i) => {
      const key = `a${++actionSeq}`;
      titleActions.set(key, el);
      return { key, ...described[i] };
    });
    tellAdmin({ type: "title", title, buttons });
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (window.parent === window || event.source !== window.parent || !data || data.source !== "shopify-sim-admin") return;
    if (data.type === "hello" && adminOrigin === null) {
      adminOrigin = event.origin;
      lastTitleBar = "";
      for (const bar of Array.from(document.querySelectorAll("ui-title-bar"))) if (bar instanceof SimElement) bar.schedule();
    } else if (data.type === "action" && event.origin === adminOrigin) {
      const el = titleActions.get(String(data.key));
      if (el && el.isConnected && !el.hasAttribute("disabled")) activate(el);
    }
  });

  /** @param {Element} el */
  function pageTitleBar(el) {
    return el.tagName === "UI-TITLE-BAR" && !el.closest("ui-modal");
  }

  // ---------------------------------------------------------------------------------------------
  // App Bridge's custom elements.

  class SimElement extends HTMLElement {
    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      this.queued = false;
      this.observer = new MutationObserver(() => this.schedule());
    }
    connectedCallback() {
      this.observer.observe(this, { childList: true, subtree: true, attributes: true, characterData: true });
      this.render();
    }
    disconnectedCallback() {
      this.observer.disconnect();
    }
    schedule() {
      if (this.queued) return;
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        if (this.isConnected) this.render();
      });
    }
    render() {}
  }

  /**
   * A button in the shadow root that stands for a button or link of the app.
   * @param {Element} original @param {string} kind "primary" | "secondary" | "breadcrumb"
   */
  function proxyButton(original, kind) {
    const label = labelOf(original);
    const button = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: kind }, kind === "breadcrumb" ? `‹ ${label}` : label));
    if (original.getAttribute("tone") === "critical") button.classList.add("critical");
    if (original.hasAttribute("disabled")) button.disabled = true;
    if (original.hasAttribute("loading") && original.getAttribute("loading") !== "false") button.setAttribute("aria-busy", "true");
    button.addEventListener("click", () => activate(original));
    return button;
  }

  /** @param {Element} el */
  function labelOf(el) {
    return (el.textContent || "").trim() || el.getAttribute("aria-label") || "…";
  }

  /** What clicking a title bar / modal / save bar button does: the app's own button or link. @param {Element} original */
  function activate(original) {
    if (original instanceof HTMLAnchorElement && original.getAttribute("href") && !original.hasAttribute("onclick")) navigate(original);
    else if (original instanceof HTMLElement) original.click();
  }

  /** @param {Element[]} links */
  function activeLink(links) {
    let best = null;
    let bestLength = -1;
    for (const link of links) {
      let path;
      try {
        path = new URL(link.getAttribute("href") || "", location.href).pathname.replace(/\/+$/, "") || "/";
      } catch {
        continue;
      }
      const here = location.pathname.replace(/\/+$/, "") || "/";
      if ((here === path || here.startsWith(path === "/" ? "/" : `${path}/`)) && path.length > bestLength) {
        best = link;
        bestLength = path.length;
      }
    }
    return best;
  }

  class NavMenu extends SimElement {
    /** @override */
    connectedCallback() {
      navMenus.add(this);
      super.connectedCallback();
    }
    /** @override */
    disconnectedCallback() {
      navMenus.delete(this);
      super.disconnectedCallback();
    }
    /** @override */
    render() {
      const links = Array.from(this.children).filter((el) => el.tagName === "A");
      const active = activeLink(links);
      const nav = h("nav", { "aria-label": "App navigation", part: "nav" });
      for (const link of links) {
        const a = h("a", { href: link.getAttribute("href") || "#", part: "link" }, (link.textContent || "").trim());
        if (link.getAttribute("rel") === "home") a.classList.add("home");
        if (link === active) a.setAttribute("aria-current", "page");
        a.addEventListener("click", (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          navigate(link);
        });
        nav.append(a);
      }
      this.root.replaceChildren(
        style(`
:host{display:block;position:sticky;top:0;z-index:400}
:host([hidden]){display:none}
nav{${FONT};display:flex;flex-wrap:wrap;gap:4px;align-items:center;min-height:44px;padding:4px 12px;background:#fff;border-bottom:1px solid #e3e3e3;box-shadow:0 1px 0 rgba(0,0,0,.04)}
a{color:#303030;text-decoration:none;padding:6px 10px;border-radius:8px}
a:hover{background:#f1f1f1}
a.home{font-weight:600}
a[aria-current=page]{background:#ebebeb;font-weight:600}`),
      );
      if (links.length) this.root.append(nav);
    }
  }

  class TitleBar extends SimElement {
    /** @override */
    disconnectedCallback() {
      super.disconnectedCallback();
      // The page went away without a new title bar: the admin shows the document's title.
      queueMicrotask(() => {
        if (!Array.from(document.querySelectorAll("ui-title-bar")).some(pageTitleBar)) titleBarChanged(document.title, []);
      });
    }
    /** @override */
    render() {
      this.root.replaceChildren(style(`:host{display:${adminOrigin ? "none" : "block"}}:host([hidden]){display:none}${BUTTON_CSS}
.bar{${FONT};display:flex;align-items:center;gap:8px;flex-wrap:wrap;padding:12px 0 16px}
h1{font-size:20px;line-height:28px;font-weight:700;margin:0;flex:1;color:#303030}
.actions{display:flex;gap:8px;flex-wrap:wrap}`));
      const modal = this.closest("ui-modal");
      if (modal) {
        if (modal instanceof SimElement) modal.schedule();
        return;
      }
      const title = this.getAttribute("title") ?? document.title;
      /** @type {{el: Element, kind: string}[]} */
      const items = [];
      for (const child of Array.from(this.children)) {
        for (const el of child.tagName === "SECTION" ? Array.from(child.children) : [child]) {
          const variant = el.getAttribute("variant");
          items.push({ el, kind: variant === "breadcrumb" || variant === "primary" ? variant : "secondary" });
        }
      }
      // breadcrumbs, title, secondary actions, primary action
      const order = ["breadcrumb", "secondary", "primary"];
      items.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
      titleBarChanged(title, items);
      if (adminOrigin) return;
      const proxies = items.map(({ el, kind }) => proxyButton(el, kind));
      this.root.append(
        h(
          "div",
          { class: "bar", part: "title-bar" },
          ...proxies.filter((_, i) => items[i].kind === "breadcrumb"),
          h("h1", {}, title),
          h("div", { class: "actions" }, ...proxies.filter((_, i) => items[i].kind !== "breadcrumb")),
        ),
      );
    }
  }

  class Modal extends SimElement {
    constructor() {
      super();
      this.open = false;
      /** @type {HTMLElement | null} */
      this.contentEl = null;
      /** @type {HTMLIFrameElement | null} */
      this.frame = null;
      this.heading = h("h2", {});
      this.footer = h("footer", {});
      this.body = h("div", { class: "body" });
      this.slotEl = h("slot", {});
      const close = h("button", { type: "button", class: "close", "aria-label": "Close" }, "×");
      close.addEventListener("click", () => void this.hide());
      this.dialog = h("div", { class: "dialog", role: "dialog", "aria-modal": "true", part: "dialog" }, h("header", {}, this.heading, close), this.body, this.footer);
      this.backdrop = h("div", { class: "backdrop", hidden: "" }, this.dialog);
      this.backdrop.addEventListener("click", (event) => {
        if (event.target === this.backdrop) void this.hide();
      });
      /** @param {KeyboardEvent} event */
      this.onKey = (event) => {
        if (event.key === "Escape") void this.hide();
      };
      this.root.append(
        style(`${BUTTON_CSS}
:host{display:contents}
.backdrop{position:fixed;inset:0;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center;z-index:2147482000}
.backdrop[hidden]{display:none}
.dialog{${FONT};background:#fff;border-radius:12px;box-shadow:0 12px 40px rgba(0,0,0,.3);width:min(620px,calc(100vw - 32px));max-height:calc(100vh - 32px);display:flex;flex-direction:column;overflow:hidden}
.dialog.small{width:min(380px,calc(100vw - 32px))}
.dialog.large{width:min(980px,calc(100vw - 32px))}
.dialog.max{width:calc(100vw - 32px);height:calc(100vh - 32px)}
header{display:flex;align-items:center;justify-content:space-between;padding:12px 16px;background:#f3f3f3;border-bottom:1px solid #e3e3e3}
h2{font-size:14px;margin:0}
button.close{box-shadow:none;background:transparent;font-size:18px;padding:0 6px}
.body{overflow:auto;flex:1;padding:16px}
.body iframe{border:0;width:100%;height:100%;min-height:360px}
footer{display:flex;justify-content:flex-end;gap:8px;padding:12px 16px;border-top:1px solid #e3e3e3}
footer:empty{display:none}
::slotted(ui-title-bar),::slotted(ui-save-bar){display:none !important}`),
        this.backdrop,
      );
    }
    /** Where React (App Bridge React's <Modal>) portals the modal's content. */
    get content() {
      if (!this.contentEl) {
        this.contentEl = h("div", { "data-shopify-sim-modal-content": "" });
        this.append(this.contentEl);
      }
      return this.contentEl;
    }
    set content(el) {
      if (this.contentEl && this.contentEl !== el) this.contentEl.remove();
      this.contentEl = el || null;
      if (el && el.parentNode !== this) this.append(el);
    }
    get src() {
      return this.getAttribute("src") || undefined;
    }
    set src(value) {
      if (value) this.setAttribute("src", value);
      else this.removeAttribute("src");
    }
    get variant() {
      const v = this.getAttribute("variant");
      return v === "small" || v === "large" || v === "max" ? v : "base";
    }
    set variant(value) {
      this.setAttribute("variant", value);
    }
    get contentWindow() {
      return this.open && this.frame ? this.frame.contentWindow : null;
    }
    show() {
      if (!this.open) {
        this.open = true;
        document.addEventListener("keydown", this.onKey);
        this.render();
        this.dispatchEvent(new CustomEvent("show"));
      }
      return Promise.resolve();
    }
    hide() {
      if (this.open) {
        this.open = false;
        document.removeEventListener("keydown", this.onKey);
        this.render();
        this.dispatchEvent(new CustomEvent("hide"));
      }
      return Promise.resolve();
    }
    toggle() {
      return this.open ? this.hide() : this.show();
    }
    /** @override */
    disconnectedCallback() {
      document.removeEventListener("keydown", this.onKey);
      super.disconnectedCallback();
    }
    /** @override */
    render() {
      this.backdrop.hidden = !this.open;
      this.dialog.className = `dialog ${this.variant}`;
      const titleBar = Array.from(this.children).find((el) => el.tagName === "UI-TITLE-BAR");
      this.heading.textContent = titleBar ? titleBar.getAttribute("title") || "" : "";
      const buttons = titleBar ? Array.from(titleBar.children).flatMap((el) => (el.tagName === "SECTION" ? Array.from(el.children) : [el])) : [];
      this.footer.replaceChildren(
        ...buttons.filter((b) => b.getAttribute("variant") !== "primary").map((b) => proxyButton(b, "secondary")),
        ...buttons.filter((b) => b.getAttribute("variant") === "primary").map((b) => proxyButton(b, "primary")),
      );
      const src = this.src;
      if (src && this.open) {
        const url = new URL(src, location.href).href;
        if (!this.frame || this.frame.src !== url) {
          this.frame = /** @type {HTMLIFrameElement} */ (h("iframe", { src: url, title: this.heading.textContent || "Modal" }));
          this.body.replaceChildren(this.frame);
        }
      } else if (!src && this.body.firstChild !== this.slotEl) {
        this.frame = null;
        this.body.replaceChildren(this.slotEl);
      }
    }
  }

  class SaveBar extends SimElement {
    constructor() {
      super();
      this.visible = false;
    }
    get showing() {
      return this.visible;
    }
    get discardConfirmation() {
      const v = this.getAttribute("discardconfirmation");
      return v !== null && v !== "false";
    }
    set discardConfirmation(value) {
      if (value) this.setAttribute("discardconfirmation", "");
      else this.removeAttribute("discardconfirmation");
    }
    show() {
      if (!this.visible) {
        this.visible = true;
        this.render();
        this.dispatchEvent(new CustomEvent("show"));
      }
      return Promise.resolve();
    }
    hide() {
      if (this.visible) {
        this.visible = false;
        this.render();
        this.dispatchEvent(new CustomEvent("hide"));
      }
      return Promise.resolve();
    }
    toggle() {
      return this.visible ? this.hide() : this.show();
    }
    /** @override */
    render() {
      this.root.replaceChildren(
        style(`${BUTTON_CSS}
.bar{${FONT};position:fixed;top:0;left:0;right:0;z-index:2147481000;display:flex;align-items:center;gap:8px;padding:10px 16px;background:#1a1a1a;color:#fff}
.bar span{flex:1;font-weight:600}`),
      );
      if (!this.visible) return;
      const buttons = Array.from(this.children).filter((el) => el.tagName === "BUTTON");
      const save = buttons.find((b) => b.getAttribute("variant") === "primary");
      const discard = buttons.find((b) => b.getAttribute("variant") !== "primary");
      const bar = h("div", { class: "bar", role: "region", "aria-label": "Unsaved changes", part: "save-bar" }, h("span", {}, "Unsaved changes"));
      if (discard) {
        const b = proxyButton(discard, "secondary");
        if (!(discard.textContent || "").trim()) b.textContent = "Discard";
        if (this.discardConfirmation) {
          b.addEventListener("click", (event) => {
            if (!window.confirm("Discard all unsaved changes?")) event.stopImmediatePropagation();
          }, { capture: true });
        }
        bar.append(b);
      }
      if (save) {
        const b = proxyButton(save, "primary");
        if (!(save.textContent || "").trim()) b.textContent = "Save";
        bar.append(b);
      }
      this.root.append(bar);
    }
  }

  /** @param {string} name @param {CustomElementConstructor} element */
  function define(name, element) {
    if (!customElements.get(name)) customElements.define(name, element);
  }
  define("ui-nav-menu", NavMenu);
  define("ui-title-bar", TitleBar);
  define("ui-modal", Modal);
  define("ui-save-bar", SaveBar);

  // ---------------------------------------------------------------------------------------------
  // window.shopify

  /** @param {string} id @param {"show" | "hide" | "toggle"} action */
  function byId(id, action) {
    const el = /** @type {any} */ (document.getElementById(id));
    return el && typeof el[action] === "function" ? Promise.resolve(el[action]()).then(() => undefined) : Promise.resolve();
  }

  function scopeDetail() {
    return { granted: grantedScopes.slice(), required: grantedScopes.slice(), optional: [] };
  }

  /** @param {string} what */
  const notSimulated = (what) => () => Promise.reject(new Error(`${what} is not available in the Shopify simulator`));
  const posCart = /** @type {any} */ ({});
  for (const name of ["fetch", "setCustomer", "removeCustomer", "addAddress", "updateAddress", "applyCartDiscount", "applyCartCodeDiscount", "removeCartDiscount", "removeAllDiscounts", "addCartProperties", "removeCartProperties", "addCustomSale", "clear", "addLineItem", "updateLineItem", "removeLineItem", "setLineItemDiscount", "removeLineItemDiscount", "addLineItemProperties", "removeLineItemProperties"]) {
    posCart[name] = notSimulated("POS");
  }
  posCart.subscribe = () => () => undefined;

  /** @type {import("@shopify/app-bridge-types").ShopifyGlobal} */
  const shopify = {
    config,
    origin: SIM,
    ready: Promise.resolve(),
    setSignals() {},
    environment: { embedded: true, mobile: false, pos: false, intent: false },
    loading: (on) => setLoading(on !== false),
    idToken,
    user: async () => {
      if (!staff) await requestToken();
      const u = staff || { id: 0, name: "", email: "", accountAccess: "" };
      return { id: u.id, name: u.name, email: u.email, accountAccess: u.accountAccess };
    },
    toast: { show: showToast, hide: hideToast },
    resourcePicker: async () => {
      showToast("The resource picker is not available in the Shopify simulator", { isError: true });
      return undefined;
    },
    picker: async () => ({ selected: Promise.resolve(undefined) }),
    scanner: { capture: notSimulated("The scanner") },
    modal: { show: (id) => byId(id, "show"), hide: (id) => byId(id, "hide"), toggle: (id) => byId(id, "toggle") },
    saveBar: {
      show: (id) => byId(id, "show"),
      hide: (id) => byId(id, "hide"),
      toggle: (id) => byId(id, "toggle"),
      leaveConfirmation: () => {
        const dirty = Array.from(document.querySelectorAll("ui-save-bar")).some((el) => el instanceof SaveBar && el.showing);
        return !dirty || window.confirm("Leave this page? Unsaved changes will be lost.") ? Promise.resolve() : new Promise(() => undefined);
      },
    },
    pos: { cart: posCart, close: notSimulated("POS"), device: notSimulated("POS"), location: notSimulated("POS") },
    intents: { register: () => () => undefined, request: { value: null, subscribe: () => () => undefined } },
    webVitals: { onReport: async () => undefined },
    support: { registerHandler: async () => undefined },
    reviews: { request: async () => ({ success: false, code: "merchant-ineligible", message: "Reviews are not available in the Shopify simulator" }) },
    scopes: {
      query: async () => {
        if (!grantedScopes.length) await tokenOrNull();
        return scopeDetail();
      },
      request: async () => ({ result: "granted-all", detail: scopeDetail() }),
      revoke: async () => ({ detail: scopeDetail() }),
    },
    app: { extensions: async () => [] },
    shopifyQL: { available: async () => false },
    tools: { register: () => () => undefined, unregister: () => undefined, clear: () => undefined },
  };
  window.shopify = shopify;

  // ---------------------------------------------------------------------------------------------
  // The bounce page (/auth/session-token?shopify-reload=<url>): back to the app with a fresh token.

  const reload = page.get("shopify-reload");
  if (reload) {
    idToken().then(
      (token) => {
        const requested = new URL(reload, location.href);
        const next = new URL(requested.pathname + requested.search + requested.hash, location.origin);
        next.searchParams.set("id_token", token);
        location.replace(next.href);
      },
      (error) => console.warn(error instanceof Error ? error.message : String(error)),
    );
  }
})();
