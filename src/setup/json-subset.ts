import { isDeepStrictEqual } from 'node:util';

/**
 * Whether `actual` holds everything `expected` says: equal scalars, objects with at least
 * `expected`'s keys (compared the same way), arrays of the same length compared element by
 * element. What a server adds on its own (ISM's retry defaults and timestamps, Dashboards'
 * `updated_at` and field lists) does not count as a difference.
 */
export function holdsAll(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => holdsAll(item, actual[index]))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => Object.hasOwn(record, key) && holdsAll(value, record[key]));
  }
  return isDeepStrictEqual(expected, actual);
}
