import { describe, expect, it } from "vitest";
import { createAllowList } from "./allow-list.ts";

describe("createAllowList (METRICS_ALLOW)", () => {
  const list = createAllowList(["127.0.0.0/8", "::1/128", "10.1.0.0/16", "192.168.7.9", "fd00::/8"]);
  const rows: Array<[rule: string, address: string | undefined, allowed: boolean]> = [
    ["an IPv4 range admits an address inside it", "127.0.0.1", true],
    ["an IPv4 range admits its last address", "10.1.255.255", true],
    ["an IPv4 range refuses the next network", "10.2.0.1", false],
    ["a single address admits itself", "192.168.7.9", true],
    ["a single address refuses its neighbour", "192.168.7.10", false],
    ["IPv4-mapped IPv6 is matched as IPv4", "::ffff:10.1.2.3", true],
    ["IPv4-mapped IPv6 outside the ranges is refused", "::ffff:203.0.113.5", false],
    ["an IPv6 range admits an address inside it", "fd12:3456::1", true],
    ["IPv6 loopback from its /128", "::1", true],
    ["a public IPv6 address is refused", "2001:db8::1", false],
    ["a public IPv4 address is refused", "203.0.113.5", false],
    ["no address (a closed socket) is refused", undefined, false],
    ["something that is not an address is refused", "localhost", false],
  ];
  for (const [rule, address, allowed] of rows) {
    it(rule, () => {
      expect(list.allows(address)).toBe(allowed);
    });
  }

  it("an empty list admits no one", () => {
    expect(createAllowList([]).allows("127.0.0.1")).toBe(false);
  });
});
