/**
 * The built-in mappings of a kind under `schema: ecs`: the AWS template's mappings moved by the
 * same table that renames the events (ecs/field-moves.ts), so every field the rename writes is
 * mapped with the type it had, except where ECS declares another (ports and status codes are
 * long), plus the fields the table derives and its constants. `dynamic: false` stays.
 */
import { type CompiledMoves, type EcsType, ecsFieldPath } from '../../../ecs/field-moves.js';
import { KEYWORD, type Mapping } from './common-mappings.js';

function ecsMapping(type: EcsType): Mapping {
  return type === 'keyword' ? KEYWORD : { type };
}

/** Puts `mapping` at a dotted path of a properties tree; two fields on one path is a bug in a table. */
function place(root: Record<string, Mapping>, path: readonly string[], mapping: Mapping, kind: string): void {
  let properties = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    if (!Object.hasOwn(properties, segment)) properties[segment] = { properties: {} };
    const node = properties[segment]!;
    if (node.properties === undefined) {
      throw new Error(`ECS table ${kind}: ${path.slice(0, i + 1).join('.')} is both a field and an object`);
    }
    properties = node.properties as Record<string, Mapping>;
  }
  const last = path[path.length - 1]!;
  if (Object.hasOwn(properties, last)) throw new Error(`ECS table ${kind}: two fields map to ${path.join('.')}`);
  properties[last] = mapping;
}

/** Replaces the mapping at a dotted path (an ECS type that differs from the AWS one). */
function retype(root: Record<string, Mapping>, path: string, type: EcsType, kind: string): void {
  const parts = path.split('.');
  let properties: Record<string, Mapping> | undefined = root;
  for (const segment of parts.slice(0, -1)) properties = properties?.[segment]?.properties as typeof properties;
  const last = parts.at(-1)!;
  if (!properties || !Object.hasOwn(properties, last)) throw new Error(`ECS table ${kind}: ${path} is not mapped`);
  properties[last] = ecsMapping(type);
}

/** The ECS properties for a kind whose AWS properties (common ones included) are `aws`. */
export function ecsProperties(aws: Record<string, Mapping>, moves: CompiledMoves): Record<string, Mapping> {
  const { table } = moves;
  const root: Record<string, Mapping> = {};
  for (const [key, mapping] of Object.entries(aws)) {
    const children = mapping.properties as Record<string, Mapping> | undefined;
    if (moves.children.has(key) && children !== undefined) {
      for (const [child, childMapping] of Object.entries(children)) {
        place(root, ecsFieldPath([key, child], moves)!, childMapping, table.kind);
      }
    } else {
      place(root, ecsFieldPath([key], moves)!, mapping, table.kind);
    }
  }
  for (const [path, type] of Object.entries(table.types)) retype(root, path, type, table.kind);
  for (const [path, type] of Object.entries(table.derived)) place(root, path.split('.'), ecsMapping(type), table.kind);
  for (const path of Object.keys(table.constants)) place(root, path.split('.'), KEYWORD, table.kind);
  return root;
}
