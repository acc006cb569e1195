/**
 * Addresses a GeoIP database cannot place: private (RFC 1918, RFC 6598 shared, fc00::/7),
 * loopback, link-local, unspecified, multicast and reserved. The documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately NOT here:
 * test databases use them. IPv4-mapped IPv6 addresses are checked against the IPv4 rules.
 */
import { BlockList } from 'node:net';

const unplaceable = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", includes the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast
] as const) {
  unplaceable.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  unplaceable.addSubnet(network, prefix, 'ipv6');
}

/** `version` is what net.isIP returned (4 or 6). */
export function isPrivateAddress(address: string, version: 4 | 6): boolean {
  return unplaceable.check(address, version === 4 ? 'ipv4' : 'ipv6');
}
