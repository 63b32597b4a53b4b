import { BlockList, isIP } from "node:net";

// Matches a client address against a list of addresses and CIDR ranges (METRICS_ALLOW). IPv4 peers
// on a dual-stack socket arrive as IPv4-mapped IPv6 ("::ffff:10.0.0.5") and are matched as IPv4.

export interface AllowList {
  allows(address: string | undefined): boolean;
}

export function createAllowList(entries: readonly string[]): AllowList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", bits] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return {
    allows(address) {
      if (!address) return false;
      const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 6 ? "ipv6" : "ipv4");
    },
  };
}
