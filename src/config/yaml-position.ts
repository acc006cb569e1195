import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, visit } from 'yaml';

/** A parsed YAML file, enough to say where a config path is in it. */
export interface PositionedFile {
  displayName: string;
  doc: Document;
  lineCounter: LineCounter;
}

export interface Position {
  file: string;
  line: number;
  column: number;
}

/** `pipelines[0].outputs[1].index`: a config path as messages show it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}

/** The config path of a node (`pipelines[0].outputs[1].index`), for messages about it. */
export function pathOfNode(parsed: PositionedFile, target: Node): string {
  let found = '';
  visit(parsed.doc, {
    Scalar(_key, node, ancestors) {
      if (node !== target) return;
      const segments: PropertyKey[] = [];
      ancestors.forEach((ancestor, index) => {
        const child = ancestors[index + 1] ?? node;
        if (isPair(ancestor) && isScalar(ancestor.key)) segments.push(String(ancestor.key.value));
        else if (isSeq(ancestor)) segments.push(ancestor.items.indexOf(child as never));
      });
      found = formatPath(segments);
      return visit.BREAK;
    },
  });
  return found;
}

export function linePosition(parsed: PositionedFile, node: Node | undefined): Position {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { file: parsed.displayName, line, column: col };
}

/** The position of the deepest node that exists along `path`. */
export function positionOf(parsed: PositionedFile, path: readonly PropertyKey[]): Position {
  for (let length = path.length; length >= 0; length--) {
    const node = parsed.doc.getIn(path.slice(0, length) as unknown[], true) as Node | undefined;
    if (node && (node as { range?: unknown }).range) return linePosition(parsed, node);
  }
  return linePosition(parsed, parsed.doc.contents ?? undefined);
}

/** The position of a key inside the map at `path` (for unknown and deprecated keys). */
export function keyPosition(parsed: PositionedFile, path: readonly PropertyKey[], key: string): Position {
  const map = path.length === 0 ? parsed.doc.contents : parsed.doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair && isScalar(pair.key)) return linePosition(parsed, pair.key);
  }
  return positionOf(parsed, path);
}
