/**
 * Where an actual value differs from an expected one, leaf by leaf, so a mismatch names the
 * nested field that differs instead of printing two whole documents. Exact: 200 and "200" differ.
 */

/** One place where the values differ; `path` is relative to the compared value ('' for itself). */
export interface ValueDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function join(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path === '' ? segment : `${path}.${segment}`;
}

export function valueDifferences(expected: unknown, actual: unknown, path = ''): ValueDifference[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const differences: ValueDifference[] = [];
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) differences.push(...valueDifferences(expected[i], actual[i], join(path, i)));
    return differences;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const differences: ValueDifference[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const inExpected = Object.hasOwn(expected, key) ? expected[key] : undefined;
      const inActual = Object.hasOwn(actual, key) ? actual[key] : undefined;
      differences.push(...valueDifferences(inExpected, inActual, join(path, key)));
    }
    return differences;
  }
  return expected === actual || Object.is(expected, actual) ? [] : [{ path, expected, actual }];
}

/** A value as a mismatch shows it: JSON, with `(missing)` for a field that is not there. */
export function formatValue(value: unknown, limit = 200): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner)) ??
      String(value);
  } catch {
    text = String(value);
  }
  return text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
}
