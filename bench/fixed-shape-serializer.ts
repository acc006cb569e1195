/**
 * A fixed-shape serializer for parser documents, kept in the bench as the measured alternative
 * to JSON.stringify (bench/levers.ts, `shape`): per key list it generates a function that reads
 * each field by name and writes `"key":value` with the quoted keys as constants; a string with
 * nothing to escape (no `"`, `\`, control character or surrogate) is written between quotes,
 * any other string and any object or array through JSON.stringify. A document whose keys differ
 * from every generated shape (a filter added fields) gets a new shape, up to MAX_SHAPES, then
 * JSON.stringify. The lever checks its output equals JSON.stringify's on the whole corpus.
 *
 * On Node 26 (V8 14) it measured about 2x slower than JSON.stringify, whose fast path writes
 * one flat string in C++ (docs/BENCHMARKS.md), so the output does not use it.
 */

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const MAX_SHAPES = 64;

function value(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
    case 'number':
      return Number.isFinite(v) ? `${v}` : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
    case 'bigint':
      return JSON.stringify(v);
    default:
      return undefined;
  }
}

type Shape = (doc: Record<string, unknown>, write: typeof value) => string;

/** The generated writer for one key list; undefined values are left out, as JSON.stringify does. */
function compile(keys: readonly string[]): Shape {
  const lines = ["let out = '{';", "let sep = '';", 'let v;'];
  for (const key of keys) {
    const quoted = JSON.stringify(`${JSON.stringify(key)}:`);
    lines.push(
      `v = write(doc[${JSON.stringify(key)}]);`,
      `if (v !== undefined) { out += sep + ${quoted} + v; sep = ','; }`,
    );
  }
  lines.push("return out + '}';");
  return new Function('doc', 'write', lines.join('\n')) as Shape;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class FixedShapeSerializer {
  private readonly shapes: { keys: string[]; write: Shape }[] = [];

  stringify(doc: Record<string, unknown>): string {
    // The key list names the shape: reading it is the check a generated writer needs.
    const keys = Object.keys(doc);
    for (const shape of this.shapes) if (sameKeys(shape.keys, keys)) return shape.write(doc, value);
    if (this.shapes.length >= MAX_SHAPES) return JSON.stringify(doc);
    const write = compile(keys);
    this.shapes.push({ keys, write });
    return write(doc, value);
  }
}
