import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { createRedactFilter, redactFilterSchema } from '../../src/filters/redact-filter.js';
import { makeEvent } from './make-event.js';

function build(config: Record<string, unknown> = {}) {
  return createRedactFilter(redactFilterSchema.parse({ type: 'redact', ...config }));
}

function run(config: Record<string, unknown>, doc: Doc): Doc {
  const event = makeEvent(doc);
  expect(build(config).apply(event)).toBe(true);
  return event.doc;
}

const url = (text: string) => run({}, { request_url: text }).request_url;

/** An object nested `depth` levels deep under `a`, with `leaf` at the bottom. */
function nested(depth: number, leaf: unknown): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value as Record<string, unknown>;
}

describe('redact filter on hostile input', () => {
  const names: Array<[string, string, string]> = [
    ['client_secret', '/t?client_secret=s3cr3t&grant_type=x', '/t?client_secret=[REDACTED]&grant_type=x'],
    ['refresh_token', '/t?refresh_token=r1', '/t?refresh_token=[REDACTED]'],
    ['id_token', '/cb#x?id_token=eyJ1', '/cb#x?id_token=[REDACTED]'],
    ['session_token', '/a?session_token=st', '/a?session_token=[REDACTED]'],
    [
      'a presigned S3 URL',
      '/o.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=IQoJb3JpZ2lu&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
      '/o.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]&X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]',
    ],
    ['an Azure SAS signature', '/c/b?sv=2022-11-02&sig=abc%2Bdef%3D', '/c/b?sv=2022-11-02&sig=[REDACTED]'],
    ['api-key with a dash', '/v1?api-key=k-123', '/v1?api-key=[REDACTED]'],
    ['a percent-encoded name', '/login?%70assword=hunter2', '/login?%70assword=[REDACTED]'],
    ['a twice-encoded name', '/login?%2570assword=hunter2', '/login?%2570assword=[REDACTED]'],
    [
      'a bracketed name',
      '/signup?user[password]=hunter2&user[name]=bob',
      '/signup?user[password]=[REDACTED]&user[name]=bob',
    ],
    ['an encoded bracketed name', '/signup?user%5Bpassword%5D=hunter2', '/signup?user%5Bpassword%5D=[REDACTED]'],
    ['an encoded bracketed name in any case', '/s?USER%5bPassWord%5d=x', '/s?USER%5bPassWord%5d=[REDACTED]'],
    ['a nested bracket', '/s?a[b][token][]=x', '/s?a[b][token][]=[REDACTED]'],
    [
      'a secret inside an encoded redirect target',
      '/login?next=%2Faccount%3Ftoken%3Dabc123%26tab%3D2&x=1',
      '/login?next=%2Faccount%3Ftoken%3D[REDACTED]%26tab%3D2&x=1',
    ],
    ['a value up to a double quote', '"GET /a?token=abc" 200', '"GET /a?token=[REDACTED]" 200'],
    ['a path parameter, up to the query', '/a;jsessionid=ABC?page=2&x=1', '/a;jsessionid=[REDACTED]?page=2&x=1'],
    ['an OAuth fragment', '/cb#access_token=at1&token_type=bearer', '/cb#access_token=[REDACTED]&token_type=bearer'],
    ['a query value through a literal ?', '/a?token=abc?def&x=1', '/a?token=[REDACTED]&x=1'],
    ['a WAF args string at its start', 'pwd=1&PWD=2', 'pwd=[REDACTED]&PWD=[REDACTED]'],
  ];
  it.each(names)('hides %s by default', (_name, input, expected) => {
    expect(url(input)).toBe(expected);
  });

  const userinfo: Array<[string, string, string]> = [
    ['user and password', 'https://bob:hunter2@example.com/a?q=1', 'https://[REDACTED]@example.com/a?q=1'],
    ['a token as the user', 'https://ghp_abc123@github.com/org/repo.git', 'https://[REDACTED]@github.com/org/repo.git'],
    ['any scheme', 'redis://:pw@cache:6379/0', 'redis://[REDACTED]@cache:6379/0'],
    ['the last @ of the authority', 'https://a@b:c@d@example.com/', 'https://[REDACTED]@example.com/'],
    ['a URL inside text', 'see http://u:p@h.example/x now', 'see http://[REDACTED]@h.example/x now'],
    ['a URL inside a query value', '/r?u=https://u:p@h.example/', '/r?u=https://[REDACTED]@h.example/'],
    ['an encoded URL', '/r?u=https%3A%2F%2Fu%3Ap%40h.example%2F', '/r?u=https%3A%2F%2F[REDACTED]%40h.example%2F'],
    // Found by the fuzz suite (test/fuzz/redaction.test.ts): RFC 3986 allows sub-delims such as ' in userinfo.
    ['a password with an apostrophe', "https://bob:it's@example.com/", 'https://[REDACTED]@example.com/'],
    [
      'an encoded URL whose password has an apostrophe (encodeURIComponent keeps it)',
      "/r?u=https%3A%2F%2Fbob%3Ait's%40h.example%2F",
      '/r?u=https%3A%2F%2F[REDACTED]%40h.example%2F',
    ],
    ['no userinfo, an @ in the path', 'https://example.com/users/@bob', 'https://example.com/users/@bob'],
    ['no userinfo, an @ in the query', 'https://example.com/?to=a@b.example', 'https://example.com/?to=a@b.example'],
    ['no URL at all', 'mailto:a@b.example', 'mailto:a@b.example'],
  ];
  it.each(userinfo)('hides URL userinfo: %s', (_name, input, expected) => {
    expect(url(input)).toBe(expected);
  });

  it('hashes userinfo in hash mode', () => {
    const sha = createHash('sha256').update('bob:hunter2').digest('hex');
    expect(run({ mode: 'hash' }, { u: 'https://bob:hunter2@h/' }).u).toBe(`https://${sha}@h/`);
  });

  it('leaves userinfo when url_userinfo is off', () => {
    expect(run({ url_userinfo: false }, { u: 'https://bob:x@h/' }).u).toBe('https://bob:x@h/');
  });

  it('hides the default credential headers in a WAF array and a flattened map', () => {
    const doc = run(
      {},
      {
        httpRequest: {
          headers: [
            { name: 'Proxy-Authorization', value: 'Basic cHJveHk6cHc=' },
            { name: 'X-Api-Key', value: 'k1' },
            { name: 'X-Amz-Security-Token', value: 'IQoJ' },
            { name: 'x_api_key', value: 'k2' },
            { name: 'Accept', value: '*/*' },
          ],
          header_map: { 'proxy-authorization': 'Basic cHJveHk6cHc=', 'x-api-key': ['k1', 'k2'], accept: '*/*' },
        },
      },
    );
    expect(JSON.stringify(doc)).not.toMatch(/cHJveHk6cHc=|k1|k2|IQoJ/);
    expect(JSON.stringify(doc)).toContain('*/*');
  });

  it('redacts a raw ALB line with the same string rules when asked for text', () => {
    const raw =
      'https 2024-05-01T00:00:00.000000Z app/x 192.0.2.1:1 10.0.0.1:80 0 0 0 200 200 1 1 ' +
      '"GET https://bob:pw@example.com:443/a?user%5Bpassword%5D=hunter2&X-Amz-Signature=abc HTTP/1.1" "curl/8"';
    const redacted = build().redactText!(raw);
    expect(redacted).toBe(
      'https 2024-05-01T00:00:00.000000Z app/x 192.0.2.1:1 10.0.0.1:80 0 0 0 200 200 1 1 ' +
        '"GET https://[REDACTED]@example.com:443/a?user%5Bpassword%5D=[REDACTED]&X-Amz-Signature=[REDACTED] HTTP/1.1" "curl/8"',
    );
  });

  it('redacts header values in a raw WAF line when asked for text', () => {
    const raw =
      '{"httpRequest":{"headers":[{"name":"Authorization","value":"Bearer eyJ\\"x"},{"name":"Host","value":"h"}],' +
      '"args":"password=hunter2","uri":"/a"}}';
    expect(build().redactText!(raw)).toBe(
      '{"httpRequest":{"headers":[{"name":"Authorization","value":"[REDACTED]"},{"name":"Host","value":"h"}],' +
        '"args":"password=[REDACTED]","uri":"/a"}}',
    );
  });

  it('redacts text even when the when condition would skip the event', () => {
    expect(build({ when: { exists: 'nothing' } }).redactText!('/a?token=x')).toBe('/a?token=[REDACTED]');
  });

  it('survives a document nested 10,000 levels and hides what lies below max_depth', () => {
    const doc = { top: '/a?token=shallow', deep: nested(10_000, '/a?password=bottom') };
    const out = run({}, doc);
    expect(out.top).toBe('/a?token=[REDACTED]');
    const text = JSON.stringify(out, (_key, value) => value); // shallow enough to serialize now
    expect(text).not.toContain('bottom');
    expect(text).toContain('"[REDACTED]"');
    // The subtree is cut at max_depth (default 32) levels below the event root.
    let cursor: unknown = out.deep;
    let depth = 1;
    while (cursor !== null && typeof cursor === 'object') {
      cursor = (cursor as Record<string, unknown>).a;
      depth++;
    }
    expect(cursor).toBe('[REDACTED]');
    expect(depth).toBe(32);
  });

  it('survives a deep array and a deep field in hash mode', () => {
    let array: unknown = ['/a?token=bottom'];
    for (let i = 0; i < 10_000; i++) array = [array];
    const out = run({ mode: 'hash', fields: ['secret'] }, { list: array, secret: nested(10_000, 'x') });
    expect(out.secret).toBe('[REDACTED]');
    expect(JSON.stringify(out)).not.toContain('bottom');
  });

  // No timing bound: a rule that backtracks quadratically would take hours on 1 MB, not seconds.
  it('gets through 1 MB strings built to make the rules backtrack', () => {
    const n = 1_000_000;
    const shapes = [
      `?${'a'.repeat(n)}`,
      '&a'.repeat(n / 2),
      `%3F${'a'.repeat(n)}`,
      '%3Fa%3D'.repeat(n / 7),
      `://${'a'.repeat(n)}`,
      'a://b'.repeat(n / 5),
      `%3A%2F%2F${'a'.repeat(n)}`,
      `"name":"${'a'.repeat(n)}"value"`,
      `"name":"authorization","value":"${'\\"'.repeat(n / 2)}`,
      `?${'['.repeat(n)}]`,
      '&passwor'.repeat(n / 8),
    ];
    const filter = build();
    for (const shape of shapes) {
      const text = `${shape}=%3D%@`;
      expect(filter.redactText!(text).length).toBeGreaterThan(0);
      expect(run({}, { v: text }).v).toEqual(expect.any(String));
    }
  });

  it('keeps redacting when values are not strings where strings are expected', () => {
    const doc = run(
      { fields: ['a.b'], header_fields: ['h', 'm'] },
      {
        a: 'not an object',
        h: [{ name: 5, value: 'x' }, { name: ['Authorization'], value: 'y' }, 'z', null],
        m: 'not a map',
        n: [1, true, null, { s: '/a?token=t' }],
        big: `${'x'.repeat(1_000_000)}&password=p`,
      },
    );
    expect((doc.n as unknown[])[3]).toEqual({ s: '/a?token=[REDACTED]' });
    expect((doc.big as string).endsWith('&password=[REDACTED]')).toBe(true);
  });
});
