/**
 * `schema: aws | ecs`, the pipeline's field naming (docs/ECS.md). With `ecs`, the record loop
 * renames each finished event as its last step (RecordLoopOptions.rename): the parser and the
 * filters, and every condition the pipeline holds, keep the AWS names; what reaches an output,
 * `sluice parse` and `sluice test` carries ECS names. Output routing conditions run after the
 * rename, so they are rewritten here to the ECS paths of the fields they name.
 */

import type { Doc } from '../core/event.js';
import { type FieldPath, parseFieldPath } from '../core/field-path.js';
import type { Condition } from '../filters/condition.js';
import { FilterBuildError } from '../filters/filter-build-error.js';
import { albEcs } from './alb-ecs.js';
import { type CompiledMoves, compileMoves, ecsFieldPath, type FieldMoves, moveFields } from './field-moves.js';
import { wafEcs } from './waf-ecs.js';

export type FieldSchema = 'aws' | 'ecs';

/** The ECS tables, by parser type (and by template kind: they share names). */
export const ECS_TABLES: Readonly<Record<string, FieldMoves>> = { alb: albEcs, waf: wafEcs };

export const ECS_KINDS = Object.keys(ECS_TABLES);

export function hasEcsTable(kind: string): boolean {
  return Object.hasOwn(ECS_TABLES, kind);
}

const compiled = new Map<string, CompiledMoves>();

/** The compiled table of a kind that has one (hasEcsTable). */
export function ecsMoves(kind: string): CompiledMoves {
  let moves = compiled.get(kind);
  if (moves === undefined) {
    const table = ECS_TABLES[kind];
    if (table === undefined) throw new Error(`no ECS table for ${kind}`);
    moves = compileMoves(table);
    compiled.set(kind, moves);
  }
  return moves;
}

/** What `schema: ecs` does to one pipeline's events. */
export interface FieldNaming {
  /** The event as it is sent: a new document with ECS names. */
  rename(doc: Doc): Doc;
  /** A condition written with AWS names, rewritten to the ECS paths (for output routing). */
  condition(condition: Condition): Condition;
}

/** Undefined for `schema: aws` (nothing renamed); the config schema refuses `ecs` for a parser without a table. */
export function fieldNaming(schema: FieldSchema, parserType: string): FieldNaming | undefined {
  if (schema === 'aws') return undefined;
  const moves = ecsMoves(parserType);
  return {
    rename: (doc) => moveFields(doc, moves),
    condition: (condition) => rewriteCondition(condition, moves),
  };
}

/** A path in Logstash's bracket form, so a segment holding a dot (a header name) stays one segment. */
function bracketed(path: FieldPath): string {
  return path.map((segment) => `[${segment}]`).join('');
}

function rewriteField(field: string, moves: CompiledMoves): string {
  const path = ecsFieldPath(parseFieldPath(field), moves);
  if (path === undefined) {
    throw new FilterBuildError(
      `field ${JSON.stringify(field)} is split into several ECS fields by schema: ecs; a condition cannot name it whole`,
      { field },
      `Name one of its fields (e.g. ${field}.country_iso_code), as the parser and filters write it.`,
    );
  }
  return bracketed(path);
}

function rewriteCondition(condition: Condition, moves: CompiledMoves): Condition {
  const out: Condition = {};
  const field = <T extends { field: string }>(value: T): T => ({ ...value, field: rewriteField(value.field, moves) });
  if (condition.equals) out.equals = field(condition.equals);
  if (condition.in) out.in = field(condition.in);
  if (condition.matches) out.matches = field(condition.matches);
  if (condition.exists !== undefined) out.exists = rewriteField(condition.exists, moves);
  if (condition.gt) out.gt = field(condition.gt);
  if (condition.gte) out.gte = field(condition.gte);
  if (condition.lt) out.lt = field(condition.lt);
  if (condition.lte) out.lte = field(condition.lte);
  if (condition.between) out.between = field(condition.between);
  if (condition.all) out.all = condition.all.map((each) => rewriteCondition(each, moves));
  if (condition.any) out.any = condition.any.map((each) => rewriteCondition(each, moves));
  if (condition.not) out.not = rewriteCondition(condition.not, moves);
  return out;
}
