#!/usr/bin/env node
// Before `npm test`: the browser tests need Debian's Chromium and the spreadsheet round trips need
// LibreOffice. Installs them with apt-get when they are missing (as root or with sudo); otherwise
// says what to install. Never downloads a browser of its own.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const missing = [];
if (!existsSync("/usr/bin/chromium")) missing.push("chromium");
if (spawnSync("sh", ["-c", "command -v soffice"]).status !== 0) missing.push("libreoffice-calc-nogui");
if (missing.length === 0) process.exit(0);

const root = process.getuid?.() === 0;
const sudo = !root && spawnSync("sh", ["-c", "command -v sudo"]).status === 0;
if (!root && !sudo) {
  console.error(`The tests need these Debian packages: ${missing.join(", ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`);
  process.exit(1);
}
console.error(`Installing ${missing.join(", ")} (apt-get) for the browser and spreadsheet tests…`);
const run = (args) => execFileSync(root ? args[0] : "sudo", root ? args.slice(1) : args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
run(["apt-get", "update", "-qq"]);
run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing]);
