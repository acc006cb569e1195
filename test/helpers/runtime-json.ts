/**
 * Whether this runtime's JSON.stringify can write `value`. Deep nesting is where runtimes
 * differ: Node 20 overflows the stack at a few thousand levels, Node 26 writes them; tests of
 * what an output does with an unencodable event ask this instead of assuming one runtime.
 */
export function runtimeCanStringify(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
