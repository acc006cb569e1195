import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../src/core/field-path.js';
import { type Condition, compileCondition } from '../../src/filters/condition.js';
import { compareCase, fieldsOf, type PreparedCase, type PreparedEvent } from '../../src/pipeline-test/compare-case.js';
import type { CaseOutcome } from '../../src/pipeline-test/pipeline-harness.js';

const at = { file: 't.test.yml', line: 3, column: 7 };
const label = (index: number) => `${index} (out-${index})`;

function event(spec: {
  record?: number;
  fields?: Record<string, unknown>;
  conditions?: Condition[];
  outputs?: number[];
}): PreparedEvent {
  return {
    at,
    record: spec.record,
    fields: Object.entries(spec.fields ?? {}).map(([name, value]) => ({ name, path: parseFieldPath(name), value, at })),
    conditions: (spec.conditions ?? []).map((condition) => ({ condition, holds: compileCondition(condition), at })),
    outputs: spec.outputs,
  };
}

const outcome: CaseOutcome = {
  events: [
    { record: 1, sub: 0, doc: { status: 200, ua: { name: 'curl', os: 'Other' }, tags: ['a'] }, outputs: [0] },
    { record: 3, sub: 0, doc: { status: 503, ip: null }, outputs: [0, 1] },
  ],
  dropped: [2],
  deadLetters: [{ record: 4, code: 'ERR_RECORD_PARSE', reason: 'alb: line has 7 fields' }],
};

/** Each row: what the case expects, and the mismatches (subject: check) it must yield. */
const cases: [string, PreparedCase, string[]][] = [
  ['nothing, when a case checks nothing', {}, []],
  [
    'nothing, when every expectation holds',
    {
      events: [
        event({ record: 1, fields: { status: 200, 'ua.name': 'curl', tags: ['a'] }, outputs: [0] }),
        event({ conditions: [{ gte: { field: 'status', value: 500 } }, { not: { exists: 'ip' } }], outputs: [0, 1] }),
      ],
      dropped: [2],
      deadLetters: [{ record: 4, code: 'ERR_RECORD_PARSE', reason: /7 fields/ }],
    },
    [],
  ],
  [
    'a wrong field value, named with its nested path',
    { events: [event({ fields: { ua: { name: 'wget', os: 'Other' } } }), event({})] },
    ['event 1 (record 1): field ua.name'],
  ],
  [
    'a number where the event holds a string, and a missing field',
    { events: [event({ fields: { status: '200', 'geoip.city': 'Berlin' } }), event({})] },
    ['event 1 (record 1): field status', 'event 1 (record 1): field geoip.city'],
  ],
  [
    'a condition that does not hold',
    { events: [event({}), event({ conditions: [{ lt: { field: 'status', value: 500 } }] })] },
    ['event 2 (record 3): condition {"lt":{"field":"status","value":500}}'],
  ],
  ['a wrong record', { events: [event({ record: 2 }), event({})] }, ['event 1 (record 1): record']],
  [
    'wrong routes',
    { events: [event({ outputs: [0, 1] }), event({ outputs: [1] })] },
    ['event 1 (record 1): outputs', 'event 2 (record 3): outputs'],
  ],
  ['one event fewer than produced', { events: [event({})] }, ['events: count', 'event 2 (record 3): not expected']],
  ['one event more than produced', { events: [event({}), event({}), event({})] }, ['events: count']],
  ['other drops', { dropped: [] }, ['dropped: records of the events a filter dropped']],
  [
    'another dead-letter code',
    { deadLetters: [{ record: 4, code: 'ERR_RECORD_TOO_LARGE' }] },
    ['dead letters: entries'],
  ],
  [
    'a reason that does not match',
    { deadLetters: [{ record: 4, code: 'ERR_RECORD_PARSE', reason: /^json/ }] },
    ['dead letters: entries'],
  ],
  ['no dead letters where there is one', { deadLetters: [] }, ['dead letters: entries']],
];

describe('compareCase', () => {
  it.each(cases)('reports %s', (_what, expected, mismatches) => {
    const found = compareCase(expected, outcome, label).map((m) => `${m.subject}: ${m.check}`);
    expect(found).toEqual(mismatches);
  });

  it('shows the expected and the actual value when a field differs', () => {
    const [mismatch] = compareCase({ events: [event({ fields: { status: 201 } }), event({})] }, outcome, label);
    expect(mismatch).toMatchObject({ expected: '201', actual: '200', at, event: 0 });
  });

  it('shows the values of the fields a condition reads when it does not hold', () => {
    const condition: Condition = { all: [{ exists: 'ip' }, { equals: { field: 'status', value: 503 } }] };
    const [mismatch] = compareCase({ events: [event({}), event({ conditions: [condition] })] }, outcome, label);
    expect(mismatch!.actual).toBe('does not hold (ip is null; status is 503)');
  });

  it('names outputs by index and name when routes differ', () => {
    const [mismatch] = compareCase({ events: [event({ outputs: [] }), event({})] }, outcome, label);
    expect(mismatch).toMatchObject({ expected: '(none)', actual: '0 (out-0)' });
  });

  it('lists every actual entry with its reason when dead letters differ', () => {
    const [mismatch] = compareCase({ deadLetters: [] }, outcome, label);
    expect(mismatch).toMatchObject({ expected: '(none)', actual: 'record 4 ERR_RECORD_PARSE: alb: line has 7 fields' });
  });
});

describe('fieldsOf', () => {
  it('lists each field a nested condition reads once, in order', () => {
    const condition: Condition = {
      any: [
        { not: { exists: 'a' } },
        { all: [{ matches: { field: 'b', pattern: 'x' } }, { between: { field: 'a', min: 1, max: 2 } }] },
        { in: { field: 'c', values: [1] } },
      ],
    };
    expect(fieldsOf(condition)).toEqual(['a', 'b', 'c']);
  });
});
