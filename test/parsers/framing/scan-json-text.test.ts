import { describe, expect, it } from 'vitest';
import {
  FACT_CHECK_KEYS,
  FACT_CHECK_NUMBERS,
  FACT_DEPTH_MASK,
  JSON_EMPTY,
  JSON_JUNK,
  JSON_PARTIAL,
  scanJsonText,
} from '../../../src/parsers/framing/scan-json-text.js';

const depth = (facts: number): number => facts & FACT_DEPTH_MASK;
const manyKeys = (n: number): string => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;

describe('scanJsonText', () => {
  it.each([
    ['only whitespace', ' \t\r\n', JSON_EMPTY],
    ['nothing', '', JSON_EMPTY],
    ['a string', '"text"', JSON_JUNK],
    ['a number', '42', JSON_JUNK],
    ['text', 'hello {"a":1}', JSON_JUNK],
    ['an unterminated object', '{"a":1', JSON_PARTIAL],
    ['an unterminated string', '{"a":"b', JSON_PARTIAL],
    ['a quote escaped to the end', '{"a":"b\\"}', JSON_PARTIAL],
    ['two documents', '{"a":1}{"b":2}', JSON_PARTIAL],
    ['a document and junk', '{"a":1} x', JSON_PARTIAL],
    ['more closers than openers', '{}}', JSON_PARTIAL],
  ])('returns a code, not facts, when the text is %s', (_name, text, code) => {
    expect(scanJsonText(text)).toBe(code);
  });

  it.each([
    ['{}', 1],
    ['[]', 1],
    ['  {"a":1}  \r', 1],
    ['{"a":{"b":[1,{"c":[]}]}}', 5],
    ['{"s":"[[[{{{"}', 1],
    [`[${'['.repeat(4999)}${']'.repeat(4999)}]`, 5000],
  ])('measures the nesting of %s', (text, expected) => {
    const facts = scanJsonText(text);
    expect(facts).toBeGreaterThanOrEqual(0);
    expect(depth(facts)).toBe(expected);
  });

  it.each([
    ['escaped quotes and backslashes', '{"a":"x\\"}\\\\","b":"\\\\"}'],
    ['braces and brackets in strings', '{"a":"}{][","b":["{"]}'],
    ['a key with a space before its colon', '{"a" : 1, "b"\t:2}'],
    ['keys of the same length in different objects', '{"ab":{"ab":1},"cd":{"ab":2}}'],
    ['the same key in sibling objects of an array', '[{"a":1},{"a":2}]'],
    ['a parent key repeated inside a child', '{"x":{"x":1},"y":[{"x":2}]}'],
    ['32 distinct keys', manyKeys(32)],
    ['15-digit numbers', '{"a":123456789012345,"b":-0.12345678901234,"c":1683355579981}'],
    ['exponent-like letters in strings', '{"a":"1e400","b":true,"c":false,"d":null}'],
  ])('needs no exact check when a document has %s', (_name, text) => {
    const facts = scanJsonText(text);
    expect(facts).toBeGreaterThanOrEqual(0);
    expect(facts & (FACT_CHECK_KEYS | FACT_CHECK_NUMBERS)).toBe(0);
  });

  it.each([
    ['a key twice', '{"action":"ALLOW","action":"BLOCK"}'],
    ['a key twice in a nested object', '{"r":{"uri":"/a","n":1,"uri":"/b"}}'],
    ['a key twice with spaces before the colon', '{"a" :1,"a"  :2}'],
    ['an escaped key, which may repeat another', '{"action":"ALLOW","\\u0061ction":"BLOCK"}'],
    ['more keys than it compares', manyKeys(33)],
  ])('asks for the exact key check when a document has %s', (_name, text) => {
    const facts = scanJsonText(text);
    expect(facts).toBeGreaterThanOrEqual(0);
    expect(facts & FACT_CHECK_KEYS).toBe(FACT_CHECK_KEYS);
  });

  it.each([
    ['a 16-digit integer', '{"id":1234567890123456}'],
    ['a negative 20-digit integer', '[-12345678901234567890]'],
    ['an exponent', '{"big":1e400}'],
    ['a capital exponent', '{"tiny":1E-400}'],
    ['a long decimal', '{"f":0.00000000000000000001}'],
  ])('asks for the exact number check when a document has %s', (_name, text) => {
    expect(scanJsonText(text) & FACT_CHECK_NUMBERS).toBe(FACT_CHECK_NUMBERS);
  });
});
