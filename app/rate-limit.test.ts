import { describe, expect, it } from "vitest";
import { clientKey } from "./rate-limit.server";

describe("clientKey", () => {
  it("counts IPv4 clients by address and IPv6 clients by their /64 network", () => {
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    // Two addresses of one subscriber's /64 are one client; another /64 is another.
    expect(clientKey("2001:db8:85a3:1:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:85a3:1::/64");
    expect(clientKey("2001:0db8:85a3:0001::1")).toBe("2001:db8:85a3:1::/64");
    expect(clientKey("2001:db8:85a3:2::1")).toBe("2001:db8:85a3:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientKey(undefined)).toBe("unknown");
  });
});
