import { describe, expect, it } from 'vitest';
import {
  compileIndexName,
  indexPatternWildcard,
  MAX_INSERTED_VALUE_BYTES,
  sanitizeIndexName,
} from '../../src/outputs/opensearch/index-name.js';

const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 };
const named = (pattern: string, doc: Record<string, unknown>) => compileIndexName(pattern)({ doc, origin });

/** What OpenSearch 2.19's MetadataCreateIndexService.validateIndexOrAliasName and validateIndexName refuse. */
function refusedBecause(name: string): string | undefined {
  if (name === '') return 'empty';
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'forbidden character';
  if (/^[_\-+]/.test(name)) return 'leading _ - +';
  if (name === '.' || name === '..') return '. or ..';
  if (Buffer.byteLength(name) > 255) return 'over 255 bytes';
  if (name.toLowerCase() !== name) return 'not lowercase';
  return undefined;
}

describe('sanitizeIndexName', () => {
  it.each([
    ['ALB-Logs', 'alb-logs'],
    ['a b/c*d?e"f<g>h|i,j#k:l\\m', 'a_b_c_d_e_f_g_h_i_j_k_l_m'],
    ['_hidden', 'hidden'],
    ['-+x', 'x'],
    ['..', 'sluice-unnamed'],
    ['a\u0000b\u0001c\u007fd\u0085e', 'abcde'],
    ['a\u200eb\u202ec\ufeffd', 'abcd'],
    ['lone-\ud83d-surrogate', 'lone-_-surrogate'],
    ['\u0000_x', 'x'],
    ['.user-prefix', '.user-prefix'],
  ])('turns %j into %j', (input, expected) => {
    expect(sanitizeIndexName(input)).toBe(expected);
  });

  it('cuts names to 255 bytes when they are longer', () => {
    expect(Buffer.byteLength(sanitizeIndexName('é'.repeat(300)))).toBeLessThanOrEqual(255);
  });

  it('keeps a surrogate pair whole when the 255-byte cut falls inside it', () => {
    // 252 bytes of a, then a 4-byte emoji: the cut at 255 must drop the whole pair, not half of it.
    const name = sanitizeIndexName(`${'a'.repeat(252)}😀😀`);
    expect(name).toBe('a'.repeat(252));
    const exact = sanitizeIndexName(`${'a'.repeat(251)}😀😀`);
    expect(exact).toBe(`${'a'.repeat(251)}😀`);
    expect(Buffer.byteLength(exact)).toBe(255);
    expect(/\p{Cs}/u.test(exact)).toBe(false);
  });

  it('answers within a second when the name is a megabyte long', () => {
    const started = performance.now();
    const name = sanitizeIndexName('x'.repeat(1024 * 1024));
    // Generous on a loaded machine: the byte-by-byte cut this replaced took ~50 s here.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(name).toBe('x'.repeat(255));
  });
});

describe('compileIndexName', () => {
  it('lowercases field values and replaces invalid characters when a field is inserted', () => {
    expect(named('logs-%{[elb]}-%{+YYYY.MM.dd}', { elb: 'App/My LB', '@timestamp': '2024-02-29T12:00:00Z' })).toBe(
      'logs-app_my_lb-2024.02.29',
    );
  });

  it.each([
    ['.kibana', 'kibana-1970'],
    ['..', '1970'],
    ['.', '1970'],
    ['_all', 'all-1970'],
    ['-x', 'x-1970'],
    ['+x', 'x-1970'],
    ['\u0000.hidden', 'hidden-1970'],
    [' .x', 'x-1970'],
  ])('never starts the name with . - _ + when the leading field holds %j', (value, expected) => {
    expect(named('%{[v]}-%{+YYYY}', { v: value, '@timestamp': 0 })).toBe(expected);
  });

  it('keeps the dot of the pattern itself when the user wrote it', () => {
    expect(named('.sluice-%{[v]}', { v: '.x' })).toBe('.sluice-.x');
  });

  it('bounds each inserted value before it is placed when the field is huge', () => {
    const started = performance.now();
    const name = named('logs-%{[v]}-%{[w]}-end', { v: 'a'.repeat(1024 * 1024), w: 'B'.repeat(1024 * 1024) });
    expect(performance.now() - started).toBeLessThan(1000);
    const bound = 'a'.repeat(MAX_INSERTED_VALUE_BYTES);
    expect(name).toBe(`logs-${bound}-${'b'.repeat(MAX_INSERTED_VALUE_BYTES)}-end`);
  });

  it('never splits a surrogate pair when an inserted value is cut', () => {
    const name = named('x-%{[v]}', { v: `${'a'.repeat(MAX_INSERTED_VALUE_BYTES - 2)}😀` });
    expect(name).toBe(`x-${'a'.repeat(MAX_INSERTED_VALUE_BYTES - 2)}`);
    expect(/\p{Cs}/u.test(name)).toBe(false);
  });

  it.each([
    ['.kibana'],
    ['../../etc/passwd'],
    ['\u0000\u0001\u0002'],
    ['\t\r\n\u2028\u3000'],
    ['a:b,c#d e'],
    ['İSTANBUL ΣΑΣ ǅ'],
    ['\u202eevil\u200d'],
    ['\ud800\udfff\ud83d'],
    ['😀'.repeat(100)],
    ['_'.repeat(300)],
    [''],
    [12345],
    [true],
    [null],
    [{ nested: 'object' }],
    [['a', 'b']],
  ])('produces a name OpenSearch accepts when the value is %j', (value) => {
    for (const pattern of ['%{[v]}', '%{[v]}%{[v]}-x', 'logs-%{[v]}-%{+YYYY.MM.dd}']) {
      const name = named(pattern, { v: value });
      expect(refusedBecause(name), `${pattern} -> ${JSON.stringify(name)}`).toBeUndefined();
      expect(name.startsWith('.'), name).toBe(false);
      expect(/[\p{Cc}\p{Cf}\p{Cs}]/u.test(name), name).toBe(false);
    }
  });
});

describe('indexPatternWildcard', () => {
  it.each([
    ['alb-logs-%{+YYYY.MM.dd}', 'alb-logs-*'],
    ['waf-%{[a]}-%{+YYYY}', 'waf-*-*'],
    ['%{[a]}-x', '*-x'],
    ['.mine-%{[a]}', '.mine-*'],
    ['Static', 'static'],
  ])('matches every name of %s', (pattern, expected) => {
    expect(indexPatternWildcard(pattern)).toBe(expected);
  });
});
