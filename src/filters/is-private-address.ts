/**
 * Addresses a GeoIP database cannot place: private (RFC 1918, RFC 6598 shared, fc00::/7),
 * loopback, link-local, unspecified, multicast and reserved. The documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately NOT here:
 * test databases use them. IPv4-mapped IPv6 addresses are checked against the IPv4 rules.
 *
 * Every geoip cache miss asks this, so it reads the text in place: no objects, no regex
 * (node:net's BlockList built a SocketAddress per check). The test holds it equal to a
 * BlockList of the same ranges.
 */

/** By the first two octets: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4, 240/4. */
export function isUnplaceableIPv4(first: number, second: number): boolean {
  if (first === 0 || first === 10 || first === 127 || first >= 224) return true;
  if (first === 100) return (second & 0xc0) === 64;
  if (first === 169) return second === 254;
  if (first === 172) return (second & 0xf0) === 16;
  return first === 192 && second === 168;
}

/** By the eight 16-bit words: ::, ::1, fc00::/7, fe80::/10, ff00::/8, and ::ffff:a.b.c.d by the IPv4 rules. */
export function isUnplaceableIPv6(words: ArrayLike<number>): boolean {
  const w = (i: number): number => words[i] ?? 0;
  const first = w(0);
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00) return true;
  if (first !== 0 || w(1) !== 0 || w(2) !== 0 || w(3) !== 0 || w(4) !== 0) return false;
  if (w(5) === 0xffff) return isUnplaceableIPv4(w(6) >> 8, w(6) & 0xff);
  return w(5) === 0 && w(6) === 0 && (w(7) === 0 || w(7) === 1);
}

const words = new Uint16Array(8);
const tail = new Uint16Array(8);

/** The decimal number at `start` up to the next non-digit; returns it, or -1 for none. */
function decimalAt(text: string, start: number): number {
  let value = -1;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = (value < 0 ? 0 : value * 10) + digit;
  }
  return value;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * Parses the groups of `text` in [start, end) into `into` (words and a dotted IPv4 ending,
 * which takes two); returns how many words it wrote.
 */
function parseGroups(text: string, start: number, end: number, into: Uint16Array): number {
  let count = 0;
  let pos = start;
  while (pos < end && count < 8) {
    let value = 0;
    let i = pos;
    for (; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === 58 /* : */) break;
      if (code === 46 /* . */) {
        // The last group is an IPv4 address: its first two octets make one word, the last two another.
        const a = decimalAt(text, pos);
        const second = text.indexOf('.', pos) + 1;
        const b = decimalAt(text, second);
        const third = text.indexOf('.', second) + 1;
        const c = decimalAt(text, third);
        const d = decimalAt(text, text.indexOf('.', third) + 1);
        into[count++] = (a << 8) | b;
        if (count < 8) into[count++] = (c << 8) | d;
        return count;
      }
      value = (value << 4) | hexDigit(code);
    }
    into[count++] = value;
    pos = i + 1;
  }
  return count;
}

/** `version` is what net.isIP returned (4 or 6): the text is a valid address of that version. */
export function isPrivateAddress(address: string, version: 4 | 6): boolean {
  if (version === 4) {
    return isUnplaceableIPv4(decimalAt(address, 0), decimalAt(address, address.indexOf('.') + 1));
  }
  const zone = address.indexOf('%');
  const end = zone < 0 ? address.length : zone;
  const gap = address.indexOf('::');
  words.fill(0);
  if (gap < 0 || gap >= end) {
    parseGroups(address, 0, end, words);
  } else {
    parseGroups(address, 0, gap, words);
    const after = parseGroups(address, gap + 2, end, tail);
    for (let i = 0; i < after; i++) words[8 - after + i] = tail[i] ?? 0;
  }
  return isUnplaceableIPv6(words);
}
