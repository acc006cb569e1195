/**
 * What every property of the fuzz suite shares: a fixed seed and a fixed number of runs, so CI
 * runs the same cases every time and a failure replays exactly (docs/TESTING.md, "The fuzz
 * suite"). `SLUICE_FUZZ_RUNS` runs every property that many times instead (explore locally);
 * `SLUICE_FUZZ_SEED` and `SLUICE_FUZZ_PATH` replay what a failure printed.
 */
import { assertNoPoisoning } from '@fast-check/poisoning';
import fc from 'fast-check';

/** The seed CI uses. Any fixed number would do: it only has to stay the same between runs. */
const DEFAULT_SEED = 20261202;

function positiveInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not ${JSON.stringify(text)}`);
  return value;
}

export const FUZZ_SEED = positiveInteger('SLUICE_FUZZ_SEED') ?? DEFAULT_SEED;
const RUNS = positiveInteger('SLUICE_FUZZ_RUNS');
const PATH = process.env.SLUICE_FUZZ_PATH || undefined;

function parameters(runs: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: RUNS ?? runs, ...(PATH === undefined ? {} : { path: PATH }) };
}

/** Adds the command that replays a failure to fast-check's report (seed, path, shrunk counterexample). */
function withReplay(error: unknown): unknown {
  if (error instanceof Error) {
    const path = /path: "([^"]*)"/.exec(error.message)?.[1];
    error.message +=
      `\n\nReplay: SLUICE_FUZZ_SEED=${FUZZ_SEED}${path === undefined ? '' : ` SLUICE_FUZZ_PATH=${path}`} ` +
      'npx vitest run --project unit test/fuzz/';
  }
  return error;
}

/** Checks `property` with the suite's seed, `runs` times (or SLUICE_FUZZ_RUNS). */
export function check<Ts>(property: fc.IProperty<Ts>, runs: number): void {
  try {
    fc.assert(property, parameters(runs));
  } catch (error) {
    throw withReplay(error);
  }
}

/** The same for async properties. */
export async function checkAsync<Ts>(property: fc.IAsyncProperty<Ts>, runs: number): Promise<void> {
  try {
    await fc.assert(property, parameters(runs));
  } catch (error) {
    throw withReplay(error);
  }
}

/** The built-ins whose prototypes data could reach; Node materialises other globals lazily (AbortController). */
const TRACKED_GLOBALS =
  /^(?!(Object|Array|Function|String|Number|Boolean|Symbol|BigInt|Map|Set|WeakMap|Promise|RegExp|Error|TypeError|Date|JSON|Reflect|Buffer|URL|URLSearchParams)$)/;

/**
 * Throws when a built-in changed since this module was first imported (a key added to
 * Object.prototype, a method replaced), and when a fresh object reads a key it should not.
 */
export function expectNoPollution(): void {
  assertNoPoisoning({ ignoredRootRegex: TRACKED_GLOBALS });
  const probe: Record<string, unknown> = {};
  for (const name of ['polluted', 'isAdmin', 'x', 'a', 'value']) {
    if (probe[name] !== undefined) throw new Error(`Object.prototype.${name} was set`);
  }
}

/**
 * Throws unless `value` is a tree of plain data: every object's prototype is Object.prototype
 * (or Array.prototype for arrays), and every key a `for...in` sees is the object's own. A
 * `__proto__` key is fine as an own property (JSON.parse makes it one); an object whose
 * prototype was swapped by an assignment to `__proto__` is not.
 */
export function expectPlainTree(value: unknown, what = 'the document'): void {
  const pending: Array<[unknown, string]> = [[value, '$']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, at] = next;
    if (node === null || typeof node !== 'object') continue;
    const expected = Array.isArray(node) ? Array.prototype : Object.prototype;
    if (Object.getPrototypeOf(node) !== expected) throw new Error(`${what} at ${at} has a foreign prototype`);
    for (const key in node) {
      if (!Object.hasOwn(node, key)) throw new Error(`${what} at ${at} inherits the key ${JSON.stringify(key)}`);
      pending.push([(node as Record<string, unknown>)[key], `${at}[${JSON.stringify(key)}]`]);
    }
  }
}
