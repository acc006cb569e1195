/** Type conversions for `mutate.convert`. Each returns the converted value, or FAILED. */

import { boundedJsonText } from '../core/json-text.js';

export const conversionTypes = ['integer', 'float', 'boolean', 'string'] as const;
export type ConversionType = (typeof conversionTypes)[number];

export const FAILED: unique symbol = Symbol('conversion failed');

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'off']);

function toFloat(value: unknown): number | typeof FAILED {
  if (typeof value === 'number') return Number.isFinite(value) ? value : FAILED;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    return NUMBER.test(text) ? Number(text) : FAILED;
  }
  return FAILED;
}

function convertScalar(value: unknown, to: ConversionType): unknown {
  switch (to) {
    case 'float':
      return toFloat(value);
    case 'integer': {
      const number = toFloat(value);
      // Logstash truncates "12.7" to 12; so do we. Beyond 2^53 precision is gone: refuse.
      if (number === FAILED || !Number.isSafeInteger(Math.trunc(number))) return FAILED;
      return Math.trunc(number);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : FAILED;
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase();
        return TRUE.has(text) ? true : FALSE.has(text) ? false : FAILED;
      }
      return FAILED;
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return toJsonText(value);
      return String(value);
  }
}

/** JSON text of an object, or FAILED when it nests past MAX_JSON_TEXT_DEPTH (hostile input). */
function toJsonText(value: unknown): string | typeof FAILED {
  return boundedJsonText(value) ?? FAILED;
}

/** Arrays nested deeper than this are not converted element by element: the convert fails (and tags). */
const MAX_ARRAY_DEPTH = 32;

/** Converts a value (each element of an array); null and undefined stay as they are. */
export function convertValue(value: unknown, to: ConversionType, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) {
    if (depth >= MAX_ARRAY_DEPTH) return FAILED;
    const out = value.map((element) => convertValue(element, to, depth + 1));
    return out.includes(FAILED) ? FAILED : out;
  }
  return convertScalar(value, to);
}
