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

  it('keeps at most max_headers names in the map and tags the event when 1,000 distinct names arrive', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ name: `X-Spam-${i}`, value: String(i) }));
    const doc = run({}, wafDoc([{ name: 'Host', value: 'h' }, ...many, { name: 'host', value: 'again' }]));
    const request = doc.httpRequest as Record<string, unknown>;
    const map = request.header_map as Record<string, unknown>;
    expect(Object.keys(map)).toHaveLength(50);
    expect(map.host).toEqual(['h', 'again']);
    expect(map['x-spam-48']).toBe('48');
    expect(map['x-spam-49']).toBeUndefined();
    expect(doc.tags).toEqual(['_waf_headers_truncated']);
    // The array keeps every header: names there are values, not mapping fields.
    expect(request.headers).toHaveLength(1002);
  });

  it('honours a custom max_headers and tag, and hides sensitive headers past the bound', () => {
    const doc = run(
      { max_headers: 2, tag_on_overflow: 'too_many_headers' },
      wafDoc([
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
        { name: 'C', value: '3' },
        { name: 'Authorization', value: 'Bearer abc' },
      ]),
    );
    const request = doc.httpRequest as Record<string, unknown>;
    expect(request.header_map).toEqual({ a: '1', b: '2' });
    expect(doc.tags).toEqual(['too_many_headers']);
    expect(JSON.stringify(doc)).not.toContain('Bearer abc');
  });

  const names: Array<[string, string, string | undefined]> = [
    ['dots, which OpenSearch would read as object paths', 'X.Forwarded.For', 'x_forwarded_for'],
    ['spaces and symbols', 'A B:c/d"e', 'a_b_c_d_e'],
    ['letters outside ASCII', 'Xätra', 'x_tra'],
    ['a name longer than 64 characters', `X-${'y'.repeat(200)}`, `x-${'y'.repeat(62)}`],
    ['an empty name', '', undefined],
    ['a name of only symbols', '...', '___'],
  ];
  it.each(names)('normalises %s', (_name, header, key) => {
    const doc = run({}, wafDoc([{ name: header, value: 'v' }]));
    const map = (doc.httpRequest as Record<string, unknown>).header_map as Record<string, unknown>;
    expect(Object.keys(map)).toEqual(key === undefined ? [] : [key]);
  });

  it('hides credential headers by default whatever their case or separator', () => {
    const doc = run(
      {},
      wafDoc([
        { name: 'Proxy-Authorization', value: 'Basic cHc=' },
        { name: 'X_API_KEY', value: 'k1' },
        { name: 'x-amz-security-token', value: 'IQoJ' },
      ]),
    );
    expect(JSON.stringify(doc)).not.toMatch(/cHc=|k1|IQoJ/);
  });

  it('leaves a headers value that is not an array alone, and skips entries of the wrong shape', () => {
    expect(run({}, { httpRequest: { headers: { name: 'A', value: '1' } } })).toEqual({
      httpRequest: { headers: { name: 'A', value: '1' } },
    });
    const doc = run(
      {},
      {
        httpRequest: {
          headers: [{ name: ['Authorization'], value: 'x' }, { name: 7 }, [1, 2], { name: 'B', value: { deep: [1] } }],
        },
      },
    );
    expect((doc.httpRequest as Record<string, unknown>).header_map).toEqual({ b: { deep: [1] } });
  });

  it('rejects an unknown mode when validating', () => {
    expect(wafHeadersFilterSchema.safeParse({ type: 'waf_headers', mode: 'encrypt' }).success).toBe(false);
  });
});
