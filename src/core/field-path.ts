/**
 * Field paths as users write them: `httpRequest.clientIp` or Logstash's `[httpRequest][clientIp]`.
 * Paths are parsed once at start-up into segment arrays; get/set/remove walk them per event.
 *
 * Documents come from the internet, so the walk touches own properties only: a path never
 * reads, writes or deletes through the prototype chain, and a `__proto__` key that arrived in
 * data (JSON.parse makes it an own property) is read and written as the plain key it is.
 */
export type FieldPath = readonly string[];

/** Segments that reach the prototype chain when used as keys; refused in any path. */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export const forbiddenSegmentMessage = 'a field path segment may not be __proto__, prototype or constructor';

/** Why `path` is not a usable field path, or undefined when it is one. */
export function fieldPathProblem(path: string): string | undefined {
  const trimmed = path.trim();
  let segments: string[];
  if (trimmed.startsWith('[')) {
    segments = [...trimmed.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    if (segments.join('').length === 0) return `invalid field path ${JSON.stringify(path)}`;
  } else {
    if (trimmed.length === 0) return 'empty field path';
    segments = trimmed.split('.');
  }
  return segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment)) ? forbiddenSegmentMessage : undefined;
}

export function parseFieldPath(path: string): FieldPath {
  const problem = fieldPathProblem(path);
  if (problem !== undefined) throw new Error(problem);
  const trimmed = path.trim();
  if (trimmed.startsWith('[')) return [...trimmed.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
  return trimmed.split('.');
}

const hasOwn = Object.hasOwn;

/** Sets an own key; `__proto__` becomes a key, never a prototype change. */
export function defineOwnKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Filters that cache what they write (geoip, user_agent) put one frozen object into every
 * event that gets it, instead of a copy each. A write into such an object goes through here:
 * the event gets its own shallow copy in place of the shared one, which stays as it was.
 */
export function shareFrozen<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) if (child !== null && typeof child === 'object') shareFrozen(child);
  return Object.freeze(value);
}

/** A shallow copy of a shared, frozen object or array that the event can write into. */
export function writableCopy<T extends object>(value: T): T {
  return (Array.isArray(value) ? [...value] : { ...value }) as T;
}

/** `parent[key]` when it can be written, else (a shared, frozen object) an own copy put there first. */
export function writableChild(parent: Record<string, unknown>, key: string): unknown {
  const child = parent[key];
  if (child === null || typeof child !== 'object' || !Object.isFrozen(child)) return child;
  const copy = writableCopy(child);
  defineOwnKey(parent, key, copy);
  return copy;
}

export function getField(doc: Record<string, unknown>, path: FieldPath): unknown {
  let current: unknown = doc;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function setField(doc: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let current: Record<string, unknown> = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const next = hasOwn(current, segment) ? writableChild(current, segment) : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      defineOwnKey(current, segment, created);
      current = created;
    } else {
      current = next as Record<string, unknown>;
    }
  }
  defineOwnKey(current, path[path.length - 1]!, value);
}

export function removeField(doc: Record<string, unknown>, path: FieldPath): boolean {
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc : getField(doc, parentPath);
  const last = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object' || !hasOwn(parent, last)) return false;
  // Only now that something is removed: shared objects on the way are copied (writableChild).
  let current = doc;
  for (const segment of parentPath) current = writableChild(current, segment) as Record<string, unknown>;
  delete current[last];
  return true;
}
