/**
 * JSON text of a value a filter writes into a string (a template, a convert to string, a hash),
 * refused past a fixed nesting depth. The limit is ours, not the runtime's: Node 20's
 * JSON.stringify overflows the stack at a few thousand levels while Node 26's does not, and a
 * hostile document must meet the same rule on every runtime. Real log documents nest a few
 * levels (OpenSearch maps 20 by default), so 1,000 only ever refuses hostile input.
 */
export const MAX_JSON_TEXT_DEPTH = 1000;

/** True when objects and arrays nest deeper than `limit` inside `value` (iterative: no stack to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    if (depth > limit) return true;
    seen.add(item);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/** JSON text of `value`, or undefined when it nests past MAX_JSON_TEXT_DEPTH or JSON cannot encode it (a cycle, a BigInt). */
export function boundedJsonText(value: unknown): string | undefined {
  if (nestsDeeperThan(value, MAX_JSON_TEXT_DEPTH)) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
