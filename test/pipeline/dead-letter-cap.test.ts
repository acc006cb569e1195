import { describe, expect, it } from 'vitest';
import type { DeadLetterCap } from '../../src/core/pipeline-settings.js';
import { deadLetterCapExceeded } from '../../src/pipeline/dead-letter-cap.js';

const cap: DeadLetterCap = { maxRecords: 1000, maxRatio: 0.5, ratioMinRecords: 100 };
const COUNT = 'max_dead_letter_records_per_object (1000)';
const RATIO = 'max_dead_letter_ratio (0.5)';

describe('deadLetterCapExceeded', () => {
  it.each([
    { when: 'nothing failed', deadLettered: 0, records: 50_000, cap, passed: [] },
    { when: 'a few records of many failed', deadLettered: 3, records: 203, cap, passed: [] },
    { when: 'exactly the count failed', deadLettered: 1000, records: 100_000, cap, passed: [] },
    { when: 'one more than the count failed', deadLettered: 1001, records: 100_000, cap, passed: [COUNT] },
    { when: 'most of a small sample failed', deadLettered: 80, records: 99, cap, passed: [] },
    { when: 'most of the minimum sample failed', deadLettered: 51, records: 100, cap, passed: [RATIO] },
    { when: 'exactly the ratio failed', deadLettered: 50, records: 100, cap, passed: [] },
    { when: 'a whole first batch failed', deadLettered: 2000, records: 2000, cap, passed: [COUNT, RATIO] },
    {
      when: 'the count is 0 and one record failed',
      deadLettered: 1,
      records: 1,
      cap: { ...cap, maxRecords: 0 },
      passed: ['max_dead_letter_records_per_object (0)'],
    },
    {
      when: 'the ratio is 1 and rejected events outnumber the records',
      deadLettered: 900,
      records: 400,
      cap: { ...cap, maxRatio: 1 },
      passed: [],
    },
  ])('names the limits passed ($passed) when $when', ({ deadLettered, records, cap, passed }) => {
    const reason = deadLetterCapExceeded(cap, deadLettered, records);
    if (passed.length === 0) {
      expect(reason).toBeUndefined();
      return;
    }
    expect(reason).toBe(
      `${deadLettered} of the first ${records} records would go to the dead-letter, more than ` +
        `${passed.join(' and ')} allows; the object is quarantined and the rest of it is not read`,
    );
  });
});
