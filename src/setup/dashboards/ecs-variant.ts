/**
 * The ECS variant of a kind's saved objects, for pipelines with `schema: ecs`: the same panels
 * with every field renamed by the table that renames the events (ecs/field-moves.ts), so the
 * template test that holds for the AWS bundle holds for this one too. Ids get `-ecs` after the
 * kind (`sluice-alb-ecs-summary`), so both variants can live in one Dashboards tenant.
 */
import { parseFieldPath } from '../../core/field-path.js';
import { ecsFieldPath } from '../../ecs/field-moves.js';
import { ecsMoves } from '../../ecs/field-naming.js';
import type { SavedObject } from './saved-object.js';
import { fieldsUsed, renameKqlFields } from './saved-object-fields.js';

/** Where ECS has a better field for a panel than the moved AWS one (the User-Agent header is user_agent.original). */
const PREFERRED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  waf: { 'httpRequest.header_map.user-agent': 'user_agent.original' },
};

interface VisState {
  aggs?: Array<{ params?: { field?: unknown; filters?: Array<{ input?: { query?: unknown } }> } }>;
}

type Rename = (field: string) => string;

function fieldRename(kind: string): Rename {
  const moves = ecsMoves(kind);
  const preferred = PREFERRED[kind] ?? {};
  return (field) => preferred[field] ?? ecsFieldPath(parseFieldPath(field), moves)?.join('.') ?? field;
}

function renameSearchSource(attributes: Record<string, unknown>, rename: Rename): void {
  const meta = attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
  if (meta?.searchSourceJSON === undefined) return;
  const source = JSON.parse(meta.searchSourceJSON) as { query?: { query?: unknown } };
  if (typeof source.query?.query === 'string') source.query.query = renameKqlFields(source.query.query, rename);
  attributes.kibanaSavedObjectMeta = { ...meta, searchSourceJSON: JSON.stringify(source) };
}

function renameVisState(attributes: Record<string, unknown>, rename: Rename): void {
  const state = JSON.parse(String(attributes.visState)) as VisState;
  for (const agg of state.aggs ?? []) {
    if (typeof agg.params?.field === 'string') agg.params.field = rename(agg.params.field);
    for (const filter of agg.params?.filters ?? []) {
      if (typeof filter.input?.query === 'string') filter.input.query = renameKqlFields(filter.input.query, rename);
    }
  }
  attributes.visState = JSON.stringify(state);
}

/** Field names quoted in a description, renamed too, longest first so `a.b` is not caught by `a`. */
function renameText(text: string, fields: readonly string[], rename: Rename): string {
  let out = text;
  for (const field of fields) {
    const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\w.])${escaped}(?![\\w-])`, 'g'), rename(field));
  }
  return out;
}

export function ecsVariant(kind: string, objects: readonly SavedObject[]): SavedObject[] {
  const rename = fieldRename(kind);
  const fields = [...new Set(fieldsUsed([...objects]).map((use) => use.field))].sort((a, b) => b.length - a.length);
  const prefix = `sluice-${kind}`;
  const id = (value: string) => (value.startsWith(prefix) ? `${prefix}-ecs${value.slice(prefix.length)}` : value);
  return objects.map((object) => {
    const attributes = structuredClone(object.attributes);
    if (typeof attributes.description === 'string') {
      attributes.description = renameText(attributes.description, fields, rename);
    }
    if (object.type === 'visualization') renameVisState(attributes, rename);
    if (object.type === 'visualization' || object.type === 'search') renameSearchSource(attributes, rename);
    if (object.type === 'search') {
      attributes.columns = (attributes.columns as string[]).map(rename);
      attributes.sort = (attributes.sort as string[][]).map(([field, order]) => [rename(field!), order!]);
    }
    if (object.type === 'dashboard') attributes.title = `${String(attributes.title)} (ECS field names)`;
    return {
      ...object,
      id: id(object.id),
      attributes,
      references: object.references.map((reference) => ({ ...reference, id: id(reference.id) })),
    };
  });
}
