import { defineOwnKey } from '../core/field-path.js';

type Container = Record<string, unknown> | unknown[];

/**
 * A deep copy of a JSON-like value (objects, arrays, primitives), walked with an explicit
 * stack: structuredClone overflows the call stack at about 2,000 levels, and log documents
 * from the internet may nest that deep. `__proto__` keys stay plain keys. Documents are trees
 * (parsed JSON or parser output), so there are no cycles to track.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const pending: Array<[Container, Container]> = [];
  const copyOf = (item: unknown): unknown => {
    if (item === null || typeof item !== 'object') return item;
    const target: Container = Array.isArray(item) ? new Array<unknown>(item.length) : {};
    pending.push([item as Container, target]);
    return target;
  };
  const root = copyOf(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    if (Array.isArray(source)) {
      for (let i = 0; i < source.length; i++) (target as unknown[])[i] = copyOf(source[i]);
    } else {
      const record = target as Record<string, unknown>;
      for (const key of Object.keys(source)) defineOwnKey(record, key, copyOf(source[key]));
    }
  }
  return root as T;
}
