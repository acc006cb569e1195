/**
 * Generators of hostile text for the fuzz suite. Random code units alone rarely get past a
 * parser's first check, so most generators start from what the code looks for (separators,
 * quotes, escapes, prototype names, real log lines) and bend it.
 */
import fc from 'fast-check';

/** Keys that reach the prototype chain when assigned naively, and their look-alikes. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  '__PROTO__',
  'Constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** Characters the code under test treats specially somewhere. */
const SPECIAL_CHARACTERS = [
  '\u0000',
  '\n',
  '\r',
  '\t',
  ' ',
  '"',
  "'",
  '\\',
  '/',
  '.',
  '%',
  '&',
  '=',
  '?',
  ';',
  '#',
  '@',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '-',
  '_',
  '+',
  '*',
  '<',
  '>',
  '|',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
  'İ',
  'Σ',
  'ß',
  'Ａ',
  '／',
  '．',
];

/** One UTF-16 code unit, lone surrogates included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** One character from anywhere, biased to the special ones. */
export const hostileCharacter = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_CHARACTERS) },
  { weight: 1, arbitrary: codeUnit },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** Text made of hostile characters and short plain runs. */
export function hostileText(maxLength = 60): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: hostileCharacter },
        { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
      ),
      { maxLength },
    )
    .map((parts) => parts.join(''));
}

/** Tokens a space- or tab-separated log line might hold, hostile ones first. */
const TOKENS = [
  '-',
  '"-"',
  '""',
  '"',
  '"a\\"b"',
  '"a\\\\"',
  '"\\"',
  '[',
  ']',
  '[x]',
  '1e400',
  '9007199254740993',
  '-1',
  '0x1f',
  'Infinity',
  'NaN',
  '1.2.3',
  ':',
  '1.2.3.4:',
  ':80',
  '[::1]:443',
  '1.2.3.4:99999999999999999999',
  'GET',
  '"GET /a?password=x HTTP/1.1"',
  '"GET  HTTP/1.1"',
  '" "',
  '{"a":1}',
  '#Fields:',
  ...PROTOTYPE_NAMES,
];

export const hostileToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 2, arbitrary: hostileText(12) },
);

/**
 * A real line bent a few ways: a token replaced, dropped or repeated, a hostile token put in,
 * a cut at any place, a separator swapped. `separator` is the format's (space or tab).
 */
export function bentLine(samples: readonly string[], separator: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), token: hostileToken }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: hostileToken }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 40 }) }),
  );
  return fc
    .record({
      sample: fc.constantFrom(...samples),
      edits: fc.array(edit, { maxLength: 4 }),
      cut: fc.option(fc.nat(), { freq: 4 }),
      swap: fc.option(fc.constantFrom(' ', '\t', '  ', '\r', ''), { freq: 6 }),
    })
    .map(({ sample, edits, cut, swap }) => {
      const tokens = sample.split(separator);
      for (const e of edits) {
        const at = e.at % (tokens.length + 1);
        if (e.kind === 'replace') tokens[Math.min(at, tokens.length - 1)] = e.token;
        else if (e.kind === 'insert') tokens.splice(at, 0, e.token);
        else if (e.kind === 'drop') tokens.splice(at, 1);
        else tokens.splice(at, 0, ...Array<string>(e.times).fill(tokens[at] ?? '-'));
      }
      let line = tokens.join(swap ?? separator);
      if (cut !== null) line = line.slice(0, cut % (line.length + 1));
      return line;
    });
}

/** A JSON key: plain, hostile, or a prototype name, sometimes written with \u escapes. */
export const jsonKey = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'action', 'name', 'value', 'headers', 'x-y', 'A') },
      { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
      { weight: 1, arbitrary: hostileText(6) },
    ),
    fc.boolean(),
  )
  .map(([key, escaped]) => ({ key, text: escaped ? escapeAll(key) : JSON.stringify(key) }));

/** `key` as a JSON string whose every character is a \u escape: the same key, written differently. */
export function escapeAll(key: string): string {
  let out = '"';
  for (let i = 0; i < key.length; i++) out += `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `${out}"`;
}

/** Number texts, from the plain to those a double cannot hold (JSON grammar only). */
export const jsonNumberText = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.stringMatching(/^(0|[1-9][0-9]{0,24})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,20}$/)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), fc.integer({ min: 0, max: 500 }))),
    )
    .map(
      ([sign, whole, fraction, exponent]) =>
        `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : `${exponent[0]}${exponent[1]}`}`,
    ),
  fc.constantFrom('9007199254740991', '9007199254740992', '-9007199254740993', '1e400', '-1e400', '1e-400', '0e-400'),
);
