// Express's "trust proxy" from TRUST_PROXY. `true` would trust every hop, making the left-most
// X-Forwarded-For entry, which any client can write, the client address that public rate limits
// key on. So a number is the count of proxies in front of the app (1: one load balancer), and
// anything else is Express's list of trusted proxy addresses or subnets ("loopback, 10.0.0.0/8").
/** @param {string | undefined} value */
export function trustProxy(value) {
  const setting = (value ?? "").trim();
  if (setting === "" || setting === "0") return false;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting;
}
