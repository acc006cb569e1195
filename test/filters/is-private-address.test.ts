import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/filters/is-private-address.js';

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
    ['224.0.0.251', true],
    ['255.255.255.255', true],
    ['192.0.2.1', false], // documentation ranges are looked up: test databases use them
    ['198.51.100.1', false],
    ['203.0.113.1', false],
    ['8.8.8.8', false],
    ['::', true],
    ['::1', true],
    ['fe80::1', true],
    ['fc00::1', true],
    ['fdff:ffff::1', true],
    ['ff02::1', true],
    ['::ffff:192.168.1.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:db8::1', false],
    ['2001:db8:1::1', false],
    ['2606:4700::1111', false],
  ];
  it.each(cases)('classifies %s as private: %s', (address, expected) => {
    expect(isPrivateAddress(address, isIP(address) as 4 | 6)).toBe(expected);
  });
});
