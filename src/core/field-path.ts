/**
 * Field paths as users write them: `httpRequest.clientIp` or Logstash's `[httpRequest][clientIp]`.
 * Paths are parsed once at start-up into segment arrays; get/set/remove walk them per event.
 */
export type FieldPath = readonly string[];

export function parseFieldPath(path: string): FieldPath {
  const trimmed = path.trim();
  if (trimmed.startsWith('[')) {
    const segments = [...trimmed.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    if (segments.join('').length === 0) throw new Error(`invalid field path ${JSON.stringify(path)}`);
    return segments;
  }
  if (trimmed.length === 0) throw new Error('empty field path');
  return trimmed.split('.');
}

export function getField(doc: Record<string, unknown>, path: FieldPath): unknown {
  let current: unknown = doc;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function setField(doc: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let current: Record<string, unknown> = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      current[segment] = created;
      current = created;
    } else {
      current = next as Record<string, unknown>;
    }
  }
  current[path[path.length - 1]!] = value;
}

export function removeField(doc: Record<string, unknown>, path: FieldPath): boolean {
  let current: unknown = doc;
  for (let i = 0; i < path.length - 1; i++) {
    if (current === null || typeof current !== 'object') return false;
    current = (current as Record<string, unknown>)[path[i]!];
  }
  if (current === null || typeof current !== 'object') return false;
  const last = path[path.length - 1]!;
  if (!(last in (current as object))) return false;
  delete (current as Record<string, unknown>)[last];
  return true;
}
