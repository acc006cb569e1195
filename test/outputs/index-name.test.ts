import { describe, expect, it } from 'vitest';
import { compileIndexName, indexPatternWildcard, sanitizeIndexName } from '../../src/outputs/opensearch/index-name.js';

const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 };

describe('sanitizeIndexName', () => {
  it.each([
    ['ALB-Logs', 'alb-logs'],
    ['a b/c*d?e"f<g>h|i,j#k:l\\m', 'a_b_c_d_e_f_g_h_i_j_k_l_m'],
    ['_hidden', 'hidden'],
    ['-+x', 'x'],
    ['..', 'sluice-unnamed'],
  ])('turns %s into %s', (input, expected) => {
    expect(sanitizeIndexName(input)).toBe(expected);
  });

  it('cuts names to 255 bytes when they are longer', () => {
    expect(Buffer.byteLength(sanitizeIndexName('é'.repeat(300)))).toBeLessThanOrEqual(255);
  });
});

describe('compileIndexName', () => {
  it('lowercases field values and replaces invalid characters when a field is inserted', () => {
    const name = compileIndexName('logs-%{[elb]}-%{+YYYY.MM.dd}');
    expect(name({ doc: { elb: 'App/My LB', '@timestamp': '2024-02-29T12:00:00Z' }, origin })).toBe(
      'logs-app_my_lb-2024.02.29',
    );
  });
});

describe('indexPatternWildcard', () => {
  it.each([
    ['alb-logs-%{+YYYY.MM.dd}', 'alb-logs-*'],
    ['waf-%{[a]}-%{+YYYY}', 'waf-*-*'],
    ['static', 'static'],
  ])('matches every name of %s', (pattern, expected) => {
    expect(indexPatternWildcard(pattern)).toBe(expected);
  });
});
