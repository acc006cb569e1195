/**
 * Generated JSON documents with a model beside the text: the fuzz suite renders a tree to
 * text (any whitespace, keys sometimes written as \u escapes, keys repeated on purpose) and
 * computes from the tree, not from the text, what the JSON parsers' rules
 * (src/parsers/json/parse-json-document.ts) must answer: its depth, whether a key repeats with
 * another value, which numbers a double cannot hold, and the value once parsed.
 */
import fc from 'fast-check';
import { escapeAll, hostileText, jsonKey, jsonNumberText } from './arbitraries.js';

export type JsonNode =
  | { kind: 'object'; entries: JsonEntry[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'literal'; text: 'true' | 'false' | 'null' };

export interface JsonEntry {
  /** The key as parsed. */
  key: string;
  /** The key as written (quoted, maybe escaped). */
  text: string;
  value: JsonNode;
}

/** How to repeat a key: with the same value (allowed) or with another (refused). */
type Repeat = { at: number; same: boolean; escaped: boolean };

const leaf: fc.Arbitrary<JsonNode> = fc.oneof(
  jsonNumberText.map((text) => ({ kind: 'number' as const, text })),
  hostileText(12).map((value) => ({ kind: 'string' as const, value })),
  fc.constantFrom('true', 'false', 'null').map((text) => ({ kind: 'literal' as const, text })),
);

/** An object with distinct keys, then maybe some repeated (same or other value), as `repeat` says. */
function withRepeats(entries: JsonEntry[], repeats: Repeat[]): JsonNode {
  const out = [...entries];
  for (const repeat of repeats) {
    if (entries.length === 0) break;
    const original = entries[repeat.at % entries.length]!;
    const text = repeat.escaped ? escapeAll(original.key) : JSON.stringify(original.key);
    // A different value: a string no generated leaf can equal (leaves are at most 12 units long).
    const value: JsonNode = repeat.same
      ? original.value
      : { kind: 'string', value: `another value, not the first: ${out.length}` };
    out.push({ key: original.key, text, value });
  }
  return { kind: 'object', entries: out };
}

/** Trees up to `depth` levels of containers, the root an object. */
export function jsonDocument(depth: number): fc.Arbitrary<JsonNode> {
  const tree = fc.letrec<{ node: JsonNode; object: JsonNode; array: JsonNode }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: depth }, leaf, tie('object'), tie('array')),
    object: fc
      .tuple(
        fc.uniqueArray(fc.tuple(jsonKey, tie('node')), {
          selector: ([key]) => key.key,
          maxLength: 6,
        }),
        fc.array(fc.record({ at: fc.nat(), same: fc.boolean(), escaped: fc.boolean() }), { maxLength: 2 }),
      )
      .map(([pairs, repeats]) =>
        withRepeats(
          pairs.map(([key, value]) => ({ key: key.key, text: key.text, value })),
          // Most objects repeat nothing: keep repeats rare so deep documents often pass.
          repeats.filter((r) => r.at % 4 === 0),
        ),
      ),
    array: fc.array(tie('node'), { maxLength: 4 }).map((items) => ({ kind: 'array' as const, items })),
  }));
  return tree.object;
}

/** A chain of `levels` nested containers around one entry: depth exactly `levels`. */
export function nestedDocument(levels: number): JsonNode {
  let node: JsonNode = { kind: 'literal', text: 'null' };
  for (let i = 1; i < levels; i++) {
    node =
      i % 2 === 0
        ? { kind: 'array', items: [node] }
        : { kind: 'object', entries: [{ key: 'a', text: '"a"', value: node }] };
  }
  return { kind: 'object', entries: [{ key: 'a', text: '"a"', value: node }] };
}

/** Whitespace between tokens: none, a space, a newline with indentation, a tab, a CRLF. */
export const spacing = fc.array(fc.constantFrom('', '', '', ' ', '\n  ', '\t', '\r\n'), {
  minLength: 64,
  maxLength: 64,
});

/** The text of `node`; whitespace taken in turn from `gaps` (pretty-printed, minified, or odd). */
export function render(node: JsonNode, gaps: readonly string[] = ['']): string {
  let turn = 0;
  const gap = () => gaps[turn++ % gaps.length]!;
  const walk = (n: JsonNode): string => {
    switch (n.kind) {
      case 'number':
      case 'literal':
        return n.text;
      case 'string':
        return JSON.stringify(n.value);
      case 'array':
        return `[${gap()}${n.items.map(walk).join(`,${gap()}`)}${gap()}]`;
      case 'object':
        return `{${gap()}${n.entries.map((e) => `${e.text}${gap()}:${gap()}${walk(e.value)}`).join(`,${gap()}`)}${gap()}}`;
    }
  };
  return walk(node);
}

/** Nesting depth: objects and arrays count, the document itself is 1. */
export function depthOf(node: JsonNode): number {
  if (node.kind === 'object') return 1 + Math.max(0, ...node.entries.map((e) => depthOf(e.value)));
  if (node.kind === 'array') return 1 + Math.max(0, ...node.items.map(depthOf));
  return 0;
}

/** The first key repeated in one object with another value, or undefined. */
export function conflictingKey(node: JsonNode): string | undefined {
  if (node.kind === 'array') {
    for (const item of node.items) {
      const found = conflictingKey(item);
      if (found !== undefined) return found;
    }
  }
  if (node.kind !== 'object') return undefined;
  const seen = new Map<string, JsonNode>();
  for (const entry of node.entries) {
    const before = seen.get(entry.key);
    if (before !== undefined && before !== entry.value) return entry.key;
    seen.set(entry.key, entry.value);
    const found = conflictingKey(entry.value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * What a number text becomes: its value, or its text when a double cannot hold it as written
 * (docs/GUARANTEES.md: an integer beyond ±(2^53−1), a value beyond a double's range, a nonzero
 * value below it). Written from the rule, not from the code under test.
 */
export function numberValue(text: string): number | string {
  const value = Number(text);
  if (/^-?[0-9]+$/.test(text)) return Number.isSafeInteger(value) ? value : text;
  if (!Number.isFinite(value)) return text;
  const mantissa = text.replace(/[eE].*$/, '');
  if (value === 0 && /[1-9]/.test(mantissa)) return text;
  return value;
}

/** The parsed value the model stands for (a repeated key keeps its first place), and whether a number was kept as text. */
export function expectedValue(node: JsonNode): { value: unknown; kept: boolean } {
  let kept = false;
  const walk = (n: JsonNode): unknown => {
    switch (n.kind) {
      case 'number': {
        const value = numberValue(n.text);
        if (typeof value === 'string') kept = true;
        return value;
      }
      case 'literal':
        return JSON.parse(n.text);
      case 'string':
        return n.value;
      case 'array':
        return n.items.map(walk);
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const e of n.entries) {
          Object.defineProperty(out, e.key, {
            value: walk(e.value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
    }
  };
  const value = walk(node);
  return { value, kept };
}
