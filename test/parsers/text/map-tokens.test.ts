import { describe, expect, it } from 'vitest';
import { RecordParseError } from '../../../src/core/errors.js';
import { toNumber } from '../../../src/parsers/text/map-tokens.js';

const context = { key: 'k', record: 1 };

describe('toNumber', () => {
  it.each([
    ['200', 200],
    ['-1', -1],
    ['0', 0],
    ['0.000', 0],
    ['0.000073', 0.000073],
    ['0.001337', 0.001337],
    ['1418530010', 1418530010],
    ['12.5', 12.5],
    ['.5', 0.5],
    ['5.', 5],
    ['000', 0],
    // More digits than a double holds: the same rounding as Number().
    ['123456789012345678901234', Number('123456789012345678901234')],
    ['0.1234567890123456789', Number('0.1234567890123456789')],
  ])('parses %s when it is a decimal', (text, expected) => {
    expect(toNumber(text, 'f', context)).toBe(expected);
  });

  it('agrees with Number() when given many random decimals', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      const whole = String(next() % 100000);
      const text = i % 3 === 0 ? whole : `${whole}.${String(next()).slice(0, 1 + (next() % 9))}`;
      const signed = i % 5 === 0 ? `-${text}` : text;
      expect(toNumber(signed, 'f', context)).toBe(Number(signed));
    }
  });

  it.each(['', '-', '.', 'abc', '0x1f', '1e3', 'Infinity', '1.2.3', '12 ', '+5', '1-2'])(
    'throws RecordParseError naming the field when the value is %j',
    (text) => {
      expect(() => toNumber(text, 'sent_bytes', context)).toThrow(RecordParseError);
      expect(() => toNumber(text, 'sent_bytes', context)).toThrow(/field sent_bytes: .* is not a number/);
    },
  );
});
