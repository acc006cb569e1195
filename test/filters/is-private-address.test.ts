import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, isUnplaceableIPv4, isUnplaceableIPv6 } from '../../src/filters/is-private-address.js';

/** The same ranges in node:net's BlockList (what the filter used before): the oracle. */
function blockList(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(network, prefix, 'ipv6');
  return list;
}

/** mulberry32: the same addresses on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Addresses near every range's edges, in every textual form of IPv6 (compressed, full, upper case, mapped, zoned). */
function addresses(count: number): string[] {
  const rng = random(42);
  const int = (n: number): number => Math.floor(rng() * n);
  const edgy = [0, 1, 9, 10, 11, 99, 100, 126, 127, 128, 168, 169, 171, 172, 191, 192, 223, 224, 239, 240, 255];
  const octet = (): number => (rng() < 0.5 ? (edgy[int(edgy.length)] ?? 0) : int(256));
  const second = (): number =>
    rng() < 0.5 ? ([0, 15, 16, 31, 32, 63, 64, 127, 128, 167, 168, 253, 254, 255][int(14)] ?? 0) : int(256);
  const v4 = (): string => `${octet()}.${second()}.${int(256)}.${int(256)}`;
  const firstWords = [
    0, 1, 0x2001, 0xfbff, 0xfc00, 0xfdff, 0xfe00, 0xfe7f, 0xfe80, 0xfebf, 0xfec0, 0xfeff, 0xff00, 0xffff,
  ];
  const word = (): number => (rng() < 0.6 ? 0 : rng() < 0.5 ? 0xffff : int(0x10000));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = int(6);
    if (kind === 0) out.push(v4());
    else if (kind === 1) out.push(`::ffff:${v4()}`);
    else if (kind === 2) out.push(`0:0:0:0:0:${rng() < 0.8 ? 'ffff' : word().toString(16)}:${v4()}`);
    else {
      const words = [rng() < 0.5 ? (firstWords[int(firstWords.length)] ?? 0) : word()];
      for (let w = 1; w < 8; w++) words.push(word());
      let text = words.map((w) => w.toString(16)).join(':');
      // Compress the first run of zero words, as most writers do, or leave the full form.
      if (kind === 4) text = text.replace(/(^|:)0(:0)+(:|$)/, '::');
      if (kind === 5) text = rng() < 0.5 ? text.toUpperCase() : `${text.replace(/(^|:)0(:0)*(:|$)/, '::')}%eth0`;
      out.push(text);
    }
  }
  return out;
}

describe('isPrivateAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['224.0.0.251', true],
    ['255.255.255.255', true],
    ['192.0.2.1', false], // documentation ranges are looked up: test databases use them
    ['198.51.100.1', false],
    ['203.0.113.1', false],
    ['8.8.8.8', false],
    ['::', true],
    ['0::0', true],
    ['::0.0.0.0', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::2', false],
    ['1::', false],
    ['fe80::1', true],
    ['FE80::1', true],
    ['fe80::1%eth0', true],
    ['febf::1', true],
    ['fec0::1', false],
    ['fc00::1', true],
    ['fdff:ffff::1', true],
    ['ff02::1', true],
    ['::ffff:192.168.1.1', true],
    ['::FFFF:10.0.0.1', true],
    ['::ffff:a00:1', true], // ::ffff:10.0.0.1 in hex
    ['0:0:0:0:0:ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['::10.0.0.1', false], // IPv4-compatible (deprecated), not mapped
    ['64:ff9b::10.0.0.1', false],
    ['2001:db8::1', false],
    ['2001:db8:1::1', false],
    ['2606:4700::1111', false],
  ];
  it.each(cases)('classifies %s as private: %s', (address, expected) => {
    expect(isPrivateAddress(address, isIP(address) as 4 | 6)).toBe(expected);
  });

  it('agrees with a BlockList of the same ranges when given 20,000 addresses near their edges', () => {
    const oracle = blockList();
    const list = addresses(20_000);
    const disagree = list.filter((address) => {
      const version = isIP(address);
      if (version === 0) throw new Error(`generated a non-address: ${address}`);
      const expected = oracle.check(address.replace(/%.*$/, ''), version === 4 ? 'ipv4' : 'ipv6');
      return isPrivateAddress(address, version as 4 | 6) !== expected;
    });
    expect(disagree).toEqual([]);
    // The sample reaches both answers in both families.
    const counts = { v4: { public: 0, private: 0 }, v6: { public: 0, private: 0 } };
    for (const address of list)
      counts[isIP(address) === 4 ? 'v4' : 'v6'][
        isPrivateAddress(address, isIP(address) as 4 | 6) ? 'private' : 'public'
      ]++;
    expect(Math.min(...Object.values(counts.v4), ...Object.values(counts.v6))).toBeGreaterThan(500);
  });
});

describe('isUnplaceableIPv4', () => {
  it.each([
    [9, 0, false],
    [10, 255, true],
    [100, 63, false],
    [100, 64, true],
    [100, 127, true],
    [100, 128, false],
    [169, 253, false],
    [169, 254, true],
    [172, 15, false],
    [172, 16, true],
    [172, 31, true],
    [172, 32, false],
    [192, 167, false],
    [192, 168, true],
    [223, 255, false],
    [224, 0, true],
  ])('answers %i.%i.x.x: %s', (first, second, expected) => {
    expect(isUnplaceableIPv4(first, second)).toBe(expected);
  });
});

describe('isUnplaceableIPv6', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], true],
    [[0, 0, 0, 0, 0, 0, 0, 1], true],
    [[0, 0, 0, 0, 0, 0, 0, 2], false],
    [[0, 0, 0, 0, 0, 0xffff, 0x0a00, 1], true],
    [[0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808], false],
    [[0, 0, 0, 0, 1, 0xffff, 0x0a00, 1], false],
    [[0xfbff, 0, 0, 0, 0, 0, 0, 1], false],
    [[0xfc00, 0, 0, 0, 0, 0, 0, 1], true],
    [[0xfe80, 0, 0, 0, 0, 0, 0, 1], true],
    [[0xfec0, 0, 0, 0, 0, 0, 0, 1], false],
    [[0xff00, 0, 0, 0, 0, 0, 0, 0], true],
  ])('answers %j: %s', (words, expected) => {
    expect(isUnplaceableIPv6(words)).toBe(expected);
  });
});
