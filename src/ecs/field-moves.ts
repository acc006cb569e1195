/**
 * The engine of `schema: ecs`: a finished event's fields moved to Elastic Common Schema names
 * by one table per parser kind (alb-ecs.ts, waf-ecs.ts). Pure: a new document is built, the
 * event the filters saw is not changed. Every field lands somewhere: a field the table names
 * moves to its ECS path with its value unchanged, any other field moves under the kind's own
 * namespace (`aws.elb`, `aws.waf`) keeping its name, and values ECS wants in another form or
 * unit (event.duration in nanoseconds, http.version without "HTTP/") are added beside them.
 * Because each field has exactly one new path, a condition written with the AWS names can be
 * rewritten to the ECS ones (ecsFieldPath) and the AWS template's mappings moved the same way.
 */

import type { Doc } from '../core/event.js';
import { defineOwnKey, type FieldPath, getField, setField } from '../core/field-path.js';

/** The mapping types the ECS tables declare for fields they add or retype. */
export type EcsType = 'keyword' | 'long' | 'double' | 'date' | 'ip' | 'geo_point';

export interface FieldMoves {
  /** The parser kind the table is for. */
  kind: string;
  /** Where a field the table does not name goes, keeping its own name (dotted, e.g. `aws.elb`). */
  rest: string;
  /**
   * AWS path → ECS path. A key is a top-level field, or `parent.child` for a parent whose
   * children move one by one (httpRequest, geoip, user_agent_info); a parent that is not an
   * object in some event moves whole under `rest`.
   */
  moves: Readonly<Record<string, string>>;
  /**
   * Fields the parser emits that the table leaves under `rest` on purpose (no ECS field means the
   * same). With `moves`, every field the parser emits is named once: a test holds them to it.
   */
  kept: readonly string[];
  /** Fields computed from the AWS document, with their types (docs/ECS.md says how). */
  derived: Readonly<Record<string, EcsType>>;
  /** Adds the derived fields to `ecs` from the AWS document; never throws, skips what is absent. */
  derive(aws: Doc, ecs: Doc): void;
  /** ECS types of moved fields where ECS declares another than the AWS template has (ports, status codes: long). */
  types: Readonly<Record<string, EcsType>>;
  /** Fields every event gets, always the same value (keyword). */
  constants: Readonly<Record<string, string | readonly string[]>>;
}

/** The ECS version the tables follow, written to `ecs.version`. */
export const ECS_VERSION = '8.17.0';

/**
 * Moves shared by every table: what the geoip and user_agent filters write at their default
 * targets. geoip.ip (the looked-up address, already source.ip) and user_agent_info's major, minor
 * and patch (parts of user_agent.version) have no ECS field and stay under the kind's namespace.
 */
export const ENRICHMENT_MOVES: Readonly<Record<string, string>> = {
  '@timestamp': '@timestamp',
  tags: 'tags',
  'geoip.location': 'source.geo.location',
  'geoip.city_name': 'source.geo.city_name',
  'geoip.country_name': 'source.geo.country_name',
  'geoip.country_iso_code': 'source.geo.country_iso_code',
  'geoip.continent_code': 'source.geo.continent_code',
  'geoip.region_name': 'source.geo.region_name',
  'geoip.region_iso_code': 'source.geo.region_iso_code',
  'geoip.postal_code': 'source.geo.postal_code',
  'geoip.timezone': 'source.geo.timezone',
  'geoip.asn': 'source.as.number',
  'geoip.organization_name': 'source.as.organization.name',
  'user_agent_info.name': 'user_agent.name',
  'user_agent_info.version': 'user_agent.version',
  'user_agent_info.os': 'user_agent.os',
  'user_agent_info.device': 'user_agent.device',
};

/** A table compiled once: the moves as segment arrays and the parents whose children move. */
export interface CompiledMoves {
  table: FieldMoves;
  top: ReadonlyMap<string, FieldPath>;
  children: ReadonlyMap<string, ReadonlyMap<string, FieldPath>>;
  rest: FieldPath;
  constants: ReadonlyArray<readonly [FieldPath, string | readonly string[]]>;
}

export function compileMoves(table: FieldMoves): CompiledMoves {
  const top = new Map<string, FieldPath>();
  const children = new Map<string, Map<string, FieldPath>>();
  for (const [from, to] of Object.entries(table.moves)) {
    const dot = from.indexOf('.');
    const target = to.split('.');
    if (dot === -1) top.set(from, target);
    else {
      const parent = from.slice(0, dot);
      const map = children.get(parent) ?? new Map<string, FieldPath>();
      map.set(from.slice(dot + 1), target);
      children.set(parent, map);
    }
  }
  const constants = Object.entries(table.constants).map(([path, value]) => [path.split('.'), value] as const);
  return { table, top, children, rest: table.rest.split('.'), constants };
}

function isPlainObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The ECS document of one finished AWS-named event. */
export function moveFields(doc: Doc, moves: CompiledMoves): Doc {
  const ecs: Doc = {};
  // The namespace object (aws.elb), found or made on first use (a move may have made it:
  // aws.elb.name); most kept fields go straight into it.
  let rest: Doc | undefined;
  const restObject = (): Doc => {
    if (rest === undefined) {
      const found = getField(ecs, moves.rest);
      rest = isPlainObject(found) ? found : {};
      if (rest !== found) setField(ecs, moves.rest, rest);
    }
    return rest;
  };
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const childMoves = moves.children.get(key);
    if (childMoves !== undefined && isPlainObject(value)) {
      for (const child of Object.keys(value)) {
        const target = childMoves.get(child);
        if (target !== undefined) setField(ecs, target, value[child]);
        else setField(restObject(), [key, child], value[child]);
      }
    } else {
      const target = moves.top.get(key);
      if (target !== undefined) setField(ecs, target, value);
      else defineOwnKey(restObject(), key, value);
    }
  }
  // A fresh array per event: documents never share a mutable value.
  for (const [path, value] of moves.constants) setField(ecs, path, typeof value === 'string' ? value : [...value]);
  moves.table.derive(doc, ecs);
  return ecs;
}

/**
 * Where the value at an AWS path is found in the ECS document: the same walk as moveFields.
 * Undefined for a parent whose children move apart (`geoip` alone): no one ECS path holds it.
 */
export function ecsFieldPath(path: FieldPath, moves: CompiledMoves): FieldPath | undefined {
  const [first, second, ...more] = path;
  if (first === undefined) return undefined;
  const childMoves = moves.children.get(first);
  if (childMoves !== undefined) {
    if (second === undefined) return undefined;
    return [...(childMoves.get(second) ?? [...moves.rest, first, second]), ...more];
  }
  return [...(moves.top.get(first) ?? [...moves.rest, first]), ...(second === undefined ? [] : [second, ...more])];
}
