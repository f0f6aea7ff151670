// Serves the App Bridge stand-in (app-bridge.js, plain browser JavaScript checked by tsc through
// the reference below).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- a browser script, not a module: an import would run it
/// <reference path="./app-bridge.js" />
import { readFileSync } from "node:fs";

let source: string | null = null;

/** The script, with the simulator's origin as its fallback (it normally uses the origin it was loaded from). */
export function appBridgeScript(simOrigin: string): string {
  source ??= readFileSync(new URL("./app-bridge.js", import.meta.url), "utf8");
  return source.replace('"__SHOPIFY_SIM_ORIGIN__"', JSON.stringify(simOrigin));
}
