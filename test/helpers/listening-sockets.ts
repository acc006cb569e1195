import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

const LISTEN = '0A';

/** /proc/net/tcp writes an address as 32-bit words in host (little-endian) byte order. */
function wordBytes(word: string): number[] {
  return [6, 4, 2, 0].map((i) => Number.parseInt(word.slice(i, i + 2), 16));
}

function decode(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Shortest form for the two cases that matter here: the wildcard and IPv4-mapped addresses.
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${bytes.slice(12).join('.')}`;
  return text;
}

/**
 * The local addresses this machine's kernel has a TCP socket listening on for `port`, read
 * from /proc/net/tcp and /proc/net/tcp6 (what is bound, whatever the process says it asked for).
 */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== LISTEN) continue;
      const [address, portHex] = local.split(':');
      if (Number.parseInt(portHex!, 16) === port) found.push(decode(address!));
    }
  }
  return found;
}

/** This machine's IPv4 addresses outside loopback (empty when it has only loopback). */
export function externalIpv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal && isIPv4(i.address))
    .map((i) => i!.address);
}
