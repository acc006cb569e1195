import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createRedactFilter, redactFilterSchema } from '../../src/filters/redact-filter.js';
import { makeEvent } from './make-event.js';

function run(config: Record<string, unknown>, doc: Doc): Doc {
  const filter = createRedactFilter(redactFilterSchema.parse({ type: 'redact', ...config }));
  const event = makeEvent(doc);
  expect(filter.apply(event)).toBe(true);
  return event.doc;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('redact filter', () => {
  const strings: Array<[string, string, string]> = [
    [
      'password in an ALB request URL',
      'https://example.com:443/login?user=bob&password=hunter2&next=/',
      'https://example.com:443/login?user=bob&password=[REDACTED]&next=/',
    ],
    ['a WAF args query string', 'password=hunter2&user=bob', 'password=[REDACTED]&user=bob'],
    ['any case of the name', 'x?PassWord=a1&Token=b2', 'x?PassWord=[REDACTED]&Token=[REDACTED]'],
    [
      'every default name',
      'a?passwd=1&pwd=2&secret=3&api_key=4&apikey=5&access_token=6',
      'a?passwd=[REDACTED]&pwd=[REDACTED]&secret=[REDACTED]&api_key=[REDACTED]&apikey=[REDACTED]&access_token=[REDACTED]',
    ],
    ['a value up to whitespace', 'GET /a?token=abc HTTP/1.1', 'GET /a?token=[REDACTED] HTTP/1.1'],
    ['a value up to a fragment', '/a?token=abc#top', '/a?token=[REDACTED]#top'],
    ['a name that only ends like a secret', '/a?user_token=abc&mytoken=x', '/a?user_token=abc&mytoken=x'],
    ['an empty value', '/a?password=&x=1', '/a?password=&x=1'],
    ['a string without secrets', 'https://example.com/index.html', 'https://example.com/index.html'],
  ];
  it.each(strings)('hides %s', (_name, input, expected) => {
    expect(run({}, { request_url: input }).request_url).toBe(expected);
  });

  it('hides default headers in a WAF array and in a flattened map', () => {
    const doc = run(
      {},
      {
        httpRequest: {
          headers: [
            { name: 'Authorization', value: 'Basic dXNlcjpwYXNz' },
            { name: 'Cookie', value: 'session=abc' },
            { name: 'Host', value: 'example.com' },
          ],
          header_map: { authorization: 'Basic dXNlcjpwYXNz', 'set-cookie': ['a=1', 'b=2'], host: 'example.com' },
        },
      },
    );
    expect(doc.httpRequest).toEqual({
      headers: [
        { name: 'Authorization', value: '[REDACTED]' },
        { name: 'Cookie', value: '[REDACTED]' },
        { name: 'Host', value: 'example.com' },
      ],
      header_map: { authorization: '[REDACTED]', 'set-cookie': ['[REDACTED]', '[REDACTED]'], host: 'example.com' },
    });
  });

  it('hides custom headers at custom places only', () => {
    const doc = run(
      { headers: ['X-Api-Key'], header_fields: ['req.h'] },
      { req: { h: { 'x-api-key': 'k', authorization: 'a' } }, httpRequest: { header_map: { 'x-api-key': 'k' } } },
    );
    expect(doc).toEqual({
      req: { h: { 'x-api-key': '[REDACTED]', authorization: 'a' } },
      httpRequest: { header_map: { 'x-api-key': 'k' } },
    });
  });

  it('hides whole fields by path, objects included, and leaves null and missing fields', () => {
    const doc = run(
      { fields: ['user.email', '[user][profile]', 'nothing', 'empty'], query_params: [] },
      { user: { email: 'a@example.com', profile: { a: 1 } }, empty: null },
    );
    expect(doc).toEqual({ user: { email: '[REDACTED]', profile: '[REDACTED]' }, empty: null });
  });

  it('hashes with SHA-256 in hash mode', () => {
    const doc = run(
      { mode: 'hash', fields: ['email', 'n'] },
      {
        email: 'a@example.com',
        n: 5,
        url: '/?password=hunter2',
        httpRequest: { headers: [{ name: 'cookie', value: 'c' }] },
      },
    );
    expect(doc).toEqual({
      email: sha256('a@example.com'),
      n: sha256('5'),
      url: `/?password=${sha256('hunter2')}`,
      httpRequest: { headers: [{ name: 'cookie', value: sha256('c') }] },
    });
  });

  it('keys the hash with hash_key', () => {
    const doc = run({ mode: 'hash', hash_key: 'secret-key', fields: ['email'] }, { email: 'a@example.com' });
    expect(doc.email).toBe(createHmac('sha256', 'secret-key').update('a@example.com').digest('hex'));
    expect(doc.email).not.toBe(sha256('a@example.com'));
  });

  it('searches strings at any depth of the whole event by default', () => {
    const doc = run({}, { a: { b: ['x', { c: 'q?token=1' }] }, n: 1, flag: true, missing: null });
    expect(doc).toEqual({ a: { b: ['x', { c: 'q?token=[REDACTED]' }] }, n: 1, flag: true, missing: null });
  });

  it('searches only pattern_fields when given', () => {
    const doc = run({ pattern_fields: ['request_url'] }, { request_url: '/?pwd=1', other: '/?pwd=2' });
    expect(doc).toEqual({ request_url: '/?pwd=[REDACTED]', other: '/?pwd=2' });
  });

  const patterns: Array<[string, string, string, string]> = [
    ['hides the whole match', '\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b', 'card 1234-5678-9012-3456 ok', 'card [REDACTED] ok'],
    ['hides only the value group', 'ssn:(?<value>\\d+)', 'ssn:123 and ssn:456', 'ssn:[REDACTED] and ssn:[REDACTED]'],
    ['ignores matches of zero length', 'x*', 'abc', 'abc'],
  ];
  it.each(patterns)('%s of a custom pattern', (_name, pattern, input, expected) => {
    expect(run({ patterns: [pattern], query_params: [] }, { message: input }).message).toBe(expected);
  });

  it('does nothing when the when condition fails', () => {
    const doc = run({ when: { exists: 'waf' } }, { request_url: '/?password=1' });
    expect(doc.request_url).toBe('/?password=1');
  });

  it('rejects an invalid pattern and a parameter name with = when validating', () => {
    expect(redactFilterSchema.safeParse({ type: 'redact', patterns: ['('] }).success).toBe(false);
    expect(redactFilterSchema.safeParse({ type: 'redact', query_params: ['a=b'] }).success).toBe(false);
  });
});
