import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { cloneJson } from '../../src/filters/clone-json.js';
import { createRedactFilter, redactFilterSchema } from '../../src/filters/redact-filter.js';
import { defaultQueryParams, defaultSensitiveHeaders } from '../../src/filters/sensitive-names.js';
import { createWafHeadersFilter, wafHeadersFilterSchema } from '../../src/filters/waf-headers-filter.js';
import { makeEvent } from '../filters/make-event.js';
import { hostileText } from './arbitraries.js';
import { check, expectNoPollution } from './fuzz-settings.js';

/**
 * A secret: three random cores joined by characters a URL may hold unencoded in that place. The
 * property asks that no core survives, so a value hidden only in part fails too. Each core starts
 * with `Q`, so no hex digest (hash mode) or replacement text can contain one by chance.
 */
interface Secret {
  text: string;
  cores: string[];
}

const core = fc.stringMatching(/^[A-Za-z0-9]{7}$/).map((text) => `Q${text}`);

function secret(joiners: string): fc.Arbitrary<Secret> {
  return fc
    .tuple(core, core, core, fc.constantFrom(...joiners), fc.constantFrom(...joiners))
    .map(([a, b, c, j1, j2]) => ({ text: `${a}${j1}${b}${j2}${c}`, cores: [a, b, c] }));
}

/** What a query value may hold unencoded (RFC 3986 pchar, `/` and `?`), `&` and `#` aside: they end it. */
const querySecret = secret("-._~!$'()*+,;=:@/?");
/** What userinfo may hold unencoded (unreserved, sub-delims, `:`): `@`, `/`, `?` and `#` must be encoded. */
const userinfoSecret = secret("-._~!$&'()*+,;=");
/** A header value: anything. */
const headerSecret = secret(' -._~!$&\'()*+,;=:@/?#"\\{}[]<>');

/** A character of a name as a client may write it: any case, maybe percent-encoded once, twice or three times. */
function spelled(character: string, levels: number, upper: boolean, hexUpper: boolean): string {
  let text = upper ? character.toUpperCase() : character;
  for (let i = 0; i < levels; i++) {
    let encoded = '';
    for (const c of text) {
      const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
      encoded += `%${hexUpper ? hex.toUpperCase() : hex}`;
    }
    text = encoded;
  }
  return text;
}

/**
 * A default secret name written one of the ways the redactor claims to read (sensitive-names.ts):
 * any case, `-` for `_`, characters percent-encoded up to three times, inside `a[...]` brackets
 * (plain or encoded). `maxLevels` bounds the encoding where the context encodes once more.
 */
function alias(names: readonly string[], maxLevels: number): fc.Arbitrary<string> {
  return fc
    .record({
      name: fc.constantFrom(...names),
      dash: fc.boolean(),
      spelling: fc.array(
        fc.record({
          levels: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: maxLevels })),
          upper: fc.boolean(),
          hexUpper: fc.boolean(),
        }),
        { minLength: 32, maxLength: 32 },
      ),
      bracket: fc.constantFrom('', '', 'user[', 'a[b][', 'user%5B', 'user%5b'),
      tail: fc.constantFrom('', '[]', '[][]'),
    })
    .map(({ name, dash, spelling, bracket, tail }) => {
      const written = dash ? name.replaceAll('_', '-') : name;
      const body = [...written].map((c, i) =>
        spelled(c, spelling[i]!.levels, spelling[i]!.upper, spelling[i]!.hexUpper),
      );
      if (bracket === '') return body.join('');
      const close = bracket.endsWith('[') ? ']' : bracket.endsWith('B') ? '%5D' : '%5d';
      return `${bracket}${body.join('')}${close}${bracket.endsWith('[') ? tail : ''}`;
    });
}

/** Parameters around the secret one: plain names and values, no separators of their own. */
const noise = fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[A-Za-z0-9._~-]{0,8}$/)), {
  maxLength: 3,
});
const params = (pairs: Array<[string, string]>) => pairs.map(([name, value]) => `${name}=${value}`);

/** A query string or URL holding `name=secret` in one of the places the redactor claims to look. */
const secretInUrl = fc
  .record({
    name: alias(defaultQueryParams, 3),
    shallowName: alias(defaultQueryParams, 2),
    secret: querySecret,
    user: userinfoSecret,
    before: noise,
    after: noise,
    host: fc.constantFrom('example.com', 'h.example:8443', '[2001:db8::1]'),
    place: fc.constantFrom(
      'query',
      'start',
      'fragment',
      'path-parameter',
      'encoded-redirect',
      'userinfo',
      'encoded-userinfo',
    ),
  })
  .map(({ name, shallowName, secret, user, before, after, host, place }) => {
    const tail = after.length > 0 ? `&${params(after).join('&')}` : '';
    const query = [...params(before), `${name}=${secret.text}`].join('&') + tail;
    switch (place) {
      case 'query':
        return { text: `https://${host}/a/b?${query}`, cores: secret.cores };
      case 'start':
        return { text: query, cores: secret.cores };
      case 'fragment':
        return { text: `/cb#${query}`, cores: secret.cores };
      case 'path-parameter': {
        // A path parameter's value ends at `;` and `?`, so it cannot hold them.
        const value = secret.text.replace(/[;?]/g, '_');
        return { text: `/a;${name}=${value}?${params(after).join('&')}`, cores: secret.cores };
      }
      case 'encoded-redirect': {
        const target = `/next?${[...params(before), `${shallowName}=${secret.text}`].join('&')}${tail}`;
        return { text: `/login?next=${encodeURIComponent(target)}&x=1`, cores: secret.cores };
      }
      case 'userinfo':
        return { text: `https://bob:${user.text}@${host}/p?${params(after).join('&')}`, cores: user.cores };
      default: // 'encoded-userinfo'
        return {
          text: `/r?u=${encodeURIComponent(`https://bob:${user.text}@${host}/p`)}&x=1`,
          cores: user.cores,
        };
    }
  });

/** A default sensitive header name in any case, `_` for `-`. */
const headerName = fc
  .tuple(
    fc.constantFrom(...defaultSensitiveHeaders),
    fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
    fc.boolean(),
  )
  .map(([name, upper, underscore]) => {
    const written = underscore ? name.replaceAll('-', '_') : name;
    return [...written].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
  });

const build = (mode: 'replace' | 'hash') => createRedactFilter(redactFilterSchema.parse({ type: 'redact', mode }));

function expectHidden(text: string, cores: readonly string[]): void {
  for (const c of cores) expect(text, `the secret part ${c} is hidden`).not.toContain(c);
}

/** Puts `value` at a path of hostile keys under `doc`, inside arrays and objects, up to 8 levels below the root. */
function placeAt(doc: Doc, keys: readonly string[], inArray: readonly boolean[], value: unknown): void {
  let current: Record<string, unknown> = doc;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const next: Record<string, unknown> = {};
    const slot = inArray[i] ? [next] : next;
    Object.defineProperty(current, key, {
      value: last ? (inArray[i] ? [value] : value) : slot,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    current = next;
  });
}

describe('redaction on generated secrets (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it.each(['replace', 'hash'] as const)(
    'hides every secret in URLs and query strings at any depth of a document in %s mode',
    (mode) => {
      const filter = build(mode);
      check(
        fc.property(
          fc.array(secretInUrl, { minLength: 1, maxLength: 3 }),
          fc.array(
            fc.tuple(
              fc.array(hostileText(6), { minLength: 1, maxLength: 8 }),
              fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
            ),
          ),
          (secrets, places) => {
            const doc: Doc = { request_url: secrets[0]!.text };
            secrets.forEach((s, i) => {
              const place = places[i];
              if (place !== undefined) placeAt(doc, place[0], place[1], s.text);
              else doc[`url_${i}`] = `"GET ${s.text} HTTP/1.1"`;
            });
            const event = makeEvent(doc);
            filter.apply(event);
            const out = JSON.stringify(event.doc);
            for (const s of secrets) expectHidden(out, s.cores);
            if (mode === 'replace') {
              const again = makeEvent(cloneJson(event.doc));
              filter.apply(again);
              expect(JSON.stringify(again.doc), 'redacting twice changes nothing').toBe(out);
            }
          },
        ),
        500,
      );
    },
  );

  it('hides every secret in raw text that never became a document, and twice is once', () => {
    const filter = build('replace');
    check(
      fc.property(fc.array(secretInUrl, { minLength: 1, maxLength: 3 }), hostileText(20), (secrets, filler) => {
        // An ALB-like raw line: the request quoted, the rest any text (the parse failed, after all).
        const raw = `h2 ${filler} "GET ${secrets[0]!.text} HTTP/1.1" ${secrets
          .slice(1)
          .map((s) => s.text)
          .join(' ')}`;
        const once = filter.redactText!(raw);
        for (const s of secrets) expectHidden(once, s.cores);
        expect(filter.redactText!(once)).toBe(once);
      }),
      500,
    );
  });

  it.each(['replace', 'hash'] as const)(
    'hides sensitive header values in WAF arrays, flattened maps and raw WAF text in %s mode',
    (mode) => {
      const redact = build(mode);
      const flatten = createWafHeadersFilter(wafHeadersFilterSchema.parse({ type: 'waf_headers', mode }));
      check(
        fc.property(
          fc.array(fc.tuple(headerName, headerSecret), { minLength: 1, maxLength: 4 }),
          fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.stringMatching(/^[a-z0-9 ]{0,10}$/)), {
            maxLength: 4,
          }),
          (sensitive, other) => {
            const list = [
              ...other.map(([name, value]) => ({ name, value })),
              ...sensitive.map(([name, s]) => ({ name, value: s.text })),
            ];
            const waf = () => ({ httpRequest: { headers: list.map((h) => ({ ...h })), uri: '/a', args: 'q=1' } });
            const cores = sensitive.flatMap(([, s]) => s.cores);
            // The redact filter on the array, then again after waf_headers flattened it into a map.
            const doc = waf();
            redact.apply(makeEvent(doc));
            expectHidden(JSON.stringify(doc), cores);
            const flat = waf();
            flatten.apply(makeEvent(flat));
            expectHidden(JSON.stringify(flat), cores);
            // Raw WAF text as it reaches the dead-letter: every filter's redactText in turn.
            const raw = JSON.stringify(waf());
            const hidden = redact.redactText!(flatten.redactText!(raw));
            expectHidden(hidden, cores);
            if (mode === 'replace') expect(redact.redactText!(hidden)).toBe(hidden);
          },
        ),
        400,
      );
    },
  );
});
