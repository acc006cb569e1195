import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { type Condition, compileCondition, conditionSchema } from '../../src/filters/condition.js';

const doc: Doc = {
  elb_status_code: 404,
  target_status_code: '503',
  request_processing_time: -1,
  sent_bytes: 1048.5,
  request_method: 'GET',
  request_url: 'https://example.com:443/login?user=a',
  client_ip: null,
  ok: true,
  httpRequest: { country: 'DE', headers: [{ name: 'Host', value: 'x' }] },
};

describe('compileCondition', () => {
  const cases: Array<[string, Condition, boolean]> = [
    ['equals holds for a number', { equals: { field: 'elb_status_code', value: 404 } }, true],
    ['equals holds for a number written as a string', { equals: { field: 'elb_status_code', value: '404' } }, true],
    ['equals fails for another value', { equals: { field: 'elb_status_code', value: 200 } }, false],
    ['equals holds for a nested dotted path', { equals: { field: 'httpRequest.country', value: 'DE' } }, true],
    ['equals holds for a bracket path', { equals: { field: '[httpRequest][country]', value: 'DE' } }, true],
    ['equals null holds for a null field', { equals: { field: 'client_ip', value: null } }, true],
    ['equals null fails for a missing field', { equals: { field: 'nope', value: null } }, false],
    ['equals a boolean holds', { equals: { field: 'ok', value: true } }, true],
    ['equals "true" holds for a boolean', { equals: { field: 'ok', value: 'true' } }, true],
    ['in holds when one value matches', { in: { field: 'request_method', values: ['POST', 'GET'] } }, true],
    ['in holds for a numeric string', { in: { field: 'elb_status_code', values: ['404', '500'] } }, true],
    ['in fails when no value matches', { in: { field: 'request_method', values: ['POST', 'PUT'] } }, false],
    ['matches holds for a regex', { matches: { field: 'request_url', pattern: '/login\\b' } }, true],
    ['matches is case sensitive by default', { matches: { field: 'request_method', pattern: '^get$' } }, false],
    [
      'matches ignores case when asked',
      { matches: { field: 'request_method', pattern: '^get$', case_insensitive: true } },
      true,
    ],
    ['matches tests numbers as text', { matches: { field: 'elb_status_code', pattern: '^4\\d\\d$' } }, true],
    ['matches fails for a missing field', { matches: { field: 'missing', pattern: '.*' } }, false],
    ['matches fails for an object', { matches: { field: 'httpRequest', pattern: '.*' } }, false],
    ['gt holds for a larger number', { gt: { field: 'elb_status_code', value: 400 } }, true],
    ['gt fails for an equal number', { gt: { field: 'elb_status_code', value: 404 } }, false],
    ['gte holds for an equal number', { gte: { field: 'elb_status_code', value: 404 } }, true],
    ['gte fails for a smaller number', { gte: { field: 'elb_status_code', value: 500 } }, false],
    ['lt holds for a smaller number', { lt: { field: 'elb_status_code', value: 500 } }, true],
    ['lt fails for an equal number', { lt: { field: 'elb_status_code', value: 404 } }, false],
    ['lte holds for an equal number', { lte: { field: 'elb_status_code', value: 404 } }, true],
    ['lte fails for a larger number', { lte: { field: 'elb_status_code', value: 403 } }, false],
    ["lt holds for ALB's -1 (not dispatched)", { lt: { field: 'request_processing_time', value: 0 } }, true],
    ['gt compares fractions', { gt: { field: 'sent_bytes', value: 1048 } }, true],
    ['gte fails for a numeric string', { gte: { field: 'target_status_code', value: 500 } }, false],
    ['lt fails for a numeric string', { lt: { field: 'target_status_code', value: 600 } }, false],
    ['gt fails for a null field', { gt: { field: 'client_ip', value: 0 } }, false],
    ['lt fails for a missing field', { lt: { field: 'nope', value: 0 } }, false],
    ['lt fails for a boolean', { lt: { field: 'ok', value: 2 } }, false],
    ['gt fails for an object', { gt: { field: 'httpRequest', value: 0 } }, false],
    ['between holds inside the range', { between: { field: 'elb_status_code', min: 400, max: 499 } }, true],
    ['between includes min', { between: { field: 'elb_status_code', min: 404, max: 410 } }, true],
    ['between includes max', { between: { field: 'elb_status_code', min: 400, max: 404 } }, true],
    ['between fails outside the range', { between: { field: 'elb_status_code', min: 500, max: 599 } }, false],
    ['between fails for a numeric string', { between: { field: 'target_status_code', min: 500, max: 599 } }, false],
    ['not gte holds for a smaller number (no 5xx)', { not: { gte: { field: 'elb_status_code', value: 500 } } }, true],
    ['exists holds for a present field', { exists: 'httpRequest.headers' }, true],
    ['exists fails for a null field', { exists: 'client_ip' }, false],
    ['exists fails for a missing field', { exists: 'httpRequest.nope' }, false],
    [
      'all holds when every part holds',
      { all: [{ exists: 'request_url' }, { equals: { field: 'ok', value: true } }] },
      true,
    ],
    ['all fails when one part fails', { all: [{ exists: 'request_url' }, { exists: 'client_ip' }] }, false],
    ['any holds when one part holds', { any: [{ exists: 'client_ip' }, { exists: 'request_url' }] }, true],
    ['any fails when no part holds', { any: [{ exists: 'client_ip' }, { exists: 'nope' }] }, false],
    ['not inverts', { not: { exists: 'client_ip' } }, true],
    [
      'nested combinators compose',
      {
        all: [
          { not: { in: { field: 'request_method', values: ['POST'] } } },
          { any: [{ matches: { field: 'httpRequest.country', pattern: '^D' } }, { exists: 'x' }] },
        ],
      },
      true,
    ],
  ];
  it.each(cases)('%s', (_name, condition, expected) => {
    const parsed = conditionSchema.parse(condition);
    expect(compileCondition(parsed)(doc)).toBe(expected);
  });

  it('throws a typed error when given an empty condition without validation', () => {
    expect(() => compileCondition({})).toThrow(expect.objectContaining({ code: 'ERR_FILTER_BUILD' }));
  });
});

describe('conditionSchema', () => {
  const invalid: Array<[string, unknown, string]> = [
    ['an unknown key', { equal: { field: 'a', value: 1 } }, 'Unrecognized key'],
    ['two keys at once', { exists: 'a', equals: { field: 'a', value: 1 } }, 'exactly one of'],
    ['no key', {}, 'exactly one of'],
    ['an invalid regex', { matches: { field: 'a', pattern: '(' } }, 'not a valid JavaScript regular expression'],
    ['an invalid field path', { exists: '[]' }, 'not a field path'],
    ['an empty all', { all: [] }, 'expected array to have >=1 items'],
    ['an unknown key deep inside', { any: [{ not: { exits: 'a' } }], extra: 1 }, 'Unrecognized key'],
    ['an object value in equals', { equals: { field: 'a', value: { x: 1 } } }, 'Invalid input'],
    ['a quoted number in gte', { gte: { field: 'a', value: '500' } }, 'expected number'],
    ['a comparison without a value', { lt: { field: 'a' } }, 'expected number'],
    ['an unknown key in a comparison', { gt: { field: 'a', value: 1, inclusive: true } }, 'Unrecognized key'],
    ['a range whose min is above its max', { between: { field: 'a', min: 599, max: 500 } }, 'min must not be greater'],
    ['a range without max', { between: { field: 'a', min: 500 } }, 'expected number'],
    [
      'two comparisons in one condition',
      { gt: { field: 'a', value: 1 }, lt: { field: 'a', value: 9 } },
      'exactly one of',
    ],
  ];
  it.each(invalid)('rejects %s', (_name, input, message) => {
    const result = conditionSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});
