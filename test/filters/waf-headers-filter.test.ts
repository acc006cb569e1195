import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createWafHeadersFilter, wafHeadersFilterSchema } from '../../src/filters/waf-headers-filter.js';
import { makeEvent } from './make-event.js';

function wafDoc(headers: Array<{ name: string; value: string }>): Doc {
  return { timestamp: 1576280412771, httpRequest: { clientIp: '192.0.2.10', uri: '/login', headers } };
}

function run(config: Record<string, unknown>, doc: Doc): Doc {
  const filter = createWafHeadersFilter(wafHeadersFilterSchema.parse({ type: 'waf_headers', ...config }));
  const event = makeEvent(doc);
  expect(filter.apply(event)).toBe(true);
  return event.doc;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('waf_headers filter', () => {
  const headers = [
    { name: 'Host', value: 'example.com' },
    { name: 'User-Agent', value: 'curl/8.0' },
    { name: 'Authorization', value: 'Bearer abc' },
    { name: 'cookie', value: 'session=1' },
    { name: 'X-Forwarded-For', value: '192.0.2.1' },
    { name: 'x-forwarded-for', value: '198.51.100.7' },
  ];

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, unknown]> = [
    [
      'lifts every header with lowercase names, keeps repeats as arrays and redacts secrets',
      {},
      {
        host: 'example.com',
        'user-agent': 'curl/8.0',
        authorization: '[REDACTED]',
        cookie: '[REDACTED]',
        'x-forwarded-for': ['192.0.2.1', '198.51.100.7'],
      },
      [
        { name: 'Host', value: 'example.com' },
        { name: 'User-Agent', value: 'curl/8.0' },
        { name: 'Authorization', value: '[REDACTED]' },
        { name: 'cookie', value: '[REDACTED]' },
        { name: 'X-Forwarded-For', value: '192.0.2.1' },
        { name: 'x-forwarded-for', value: '198.51.100.7' },
      ],
    ],
    [
      'keeps only allowlisted names in any case',
      { allowlist: ['HOST', 'x-forwarded-for'] },
      { host: 'example.com', 'x-forwarded-for': ['192.0.2.1', '198.51.100.7'] },
      expect.arrayContaining([{ name: 'Authorization', value: '[REDACTED]' }]),
    ],
    [
      'redacts an allowlisted sensitive header in the map',
      { allowlist: ['authorization'] },
      { authorization: '[REDACTED]' },
      expect.arrayContaining([{ name: 'Authorization', value: '[REDACTED]' }]),
    ],
    [
      'removes the source array when asked',
      { remove_source: true, allowlist: ['host'] },
      { host: 'example.com' },
      undefined,
    ],
    [
      'hashes sensitive headers in hash mode',
      { mode: 'hash', allowlist: ['cookie'] },
      { cookie: sha256('session=1') },
      expect.arrayContaining([{ name: 'cookie', value: sha256('session=1') }]),
    ],
    [
      'uses a custom redaction list and replacement',
      { redact_headers: ['User-Agent'], replacement: '***', allowlist: ['user-agent', 'authorization'] },
      { 'user-agent': '***', authorization: 'Bearer abc' },
      expect.arrayContaining([
        { name: 'User-Agent', value: '***' },
        { name: 'Authorization', value: 'Bearer abc' },
      ]),
    ],
  ];
  it.each(cases)('%s', (_name, config, expectedMap, expectedArray) => {
    const doc = run(config, wafDoc(structuredClone(headers)));
    const request = doc.httpRequest as Record<string, unknown>;
    expect(request.header_map).toEqual(expectedMap);
    expect(request.headers).toEqual(expectedArray);
  });

  it('writes to a custom target from a custom source', () => {
    const doc = run(
      { source: '[req][hdrs]', target: 'headers' },
      { req: { hdrs: [{ name: 'Set-Cookie', value: 'a=1' }] } },
    );
    expect(doc).toEqual({
      req: { hdrs: [{ name: 'Set-Cookie', value: '[REDACTED]' }] },
      headers: { 'set-cookie': '[REDACTED]' },
    });
  });

  it('keys with HMAC when a hash key is set', () => {
    const doc = run({ mode: 'hash', hash_key: 'k1' }, wafDoc([{ name: 'Authorization', value: 'Bearer abc' }]));
    const expected = createHmac('sha256', 'k1').update('Bearer abc').digest('hex');
    expect((doc.httpRequest as Record<string, unknown>).header_map).toEqual({ authorization: expected });
  });

  it('keeps three or more repeats of a header in order', () => {
    const doc = run(
      {},
      wafDoc([
        { name: 'Via', value: 'a' },
        { name: 'VIA', value: 'b' },
        { name: 'via', value: 'c' },
      ]),
    );
    expect((doc.httpRequest as Record<string, unknown>).header_map).toEqual({ via: ['a', 'b', 'c'] });
  });

  it('treats a header named __proto__ as a plain key', () => {
    const doc = run(
      {},
      wafDoc([
        { name: '__proto__', value: 'x' },
        { name: '__PROTO__', value: 'y' },
      ]),
    );
    const map = (doc.httpRequest as Record<string, unknown>).header_map as Record<string, unknown>;
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(JSON.stringify(map)).toBe('{"__proto__":["x","y"]}');
  });

  it('skips malformed entries and leaves events without headers alone', () => {
    const doc = run({}, { httpRequest: { headers: [null, 'x', { value: 'v' }, { name: 'A', value: '1' }] } });
    expect((doc.httpRequest as Record<string, unknown>).header_map).toEqual({ a: '1' });
    expect(run({}, { httpRequest: { uri: '/' } })).toEqual({ httpRequest: { uri: '/' } });
  });

  it('rejects an unknown mode when validating', () => {
    expect(wafHeadersFilterSchema.safeParse({ type: 'waf_headers', mode: 'encrypt' }).success).toBe(false);
  });
});
