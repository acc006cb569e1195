/**
 * docs/reference/: one page per component type (description, every option with its type,
 * default and description, an example), an index, the conditions and the pipeline's own keys,
 * all generated from the zod schemas the loader validates with. scripts/write-reference.mjs
 * writes them; test/reference-docs/reference-docs.test.ts fails while they are out of date.
 */
import type { z } from 'zod';
import { draft07, type JsonSchema } from '../config/json-schema.js';
import { pipelineConfigSchema } from '../config/schema.js';
import { defOf } from '../config/schema-walk.js';
import { conditionSchema } from '../filters/condition.js';
import { COMPONENT_KINDS, type ComponentKind } from './component-kinds.js';
import { EXAMPLES } from './examples.js';
import { type OptionRow, optionRows } from './option-rows.js';

const GENERATED = '<!-- Generated from the zod schemas by scripts/write-reference.mjs: do not edit. -->';

/** One component type, as its page shows it. */
export interface ComponentType {
  kind: ComponentKind;
  type: string;
  schema: z.ZodType;
  json: JsonSchema;
}

/** Every type of every kind, in the order the schemas list them. */
export function componentTypes(): ComponentType[] {
  return COMPONENT_KINDS.flatMap((kind) =>
    (defOf(kind.schema).options ?? []).map((schema) => {
      const json = draft07(schema);
      const type = String(((json.properties as JsonSchema).type as JsonSchema).const);
      return { kind, type, schema, json };
    }),
  );
}

/** The example of a type as written in a pipeline file: its own, else `{ type: x }` in its slot. */
export function exampleOf(component: ComponentType): string {
  const own = EXAMPLES[component.kind.folder]?.[component.type];
  if (own) return own;
  const slot = component.kind.slot;
  return slot === 'filters' || slot === 'outputs'
    ? `${slot}:\n  - type: ${component.type}`
    : `${slot}:\n  type: ${component.type}`;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(rows: OptionRow[]): string {
  const lines = ['| option | type | default | description |', '|---|---|---|---|'];
  for (const row of rows) {
    const description = row.deprecated ? `**Deprecated.** ${row.description}` : row.description;
    const shown = row.default === '' || row.default === 'required' ? row.default : `\`${row.default}\``;
    lines.push(`| \`${cell(row.name)}\` | ${cell(row.type)} | ${cell(shown)} | ${cell(description)} |`);
  }
  return lines.join('\n');
}

function summaryOf(component: ComponentType): string {
  const own = component.schema.description;
  const text = own ?? component.kind.summaries[component.type] ?? `The \`${component.type}\` ${component.kind.noun}.`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function componentPage(component: ComponentType): string {
  const { kind, type } = component;
  const rows = optionRows(component.json).filter((row) => row.name !== 'type');
  const conditions = rows.some((row) => row.type.includes('condition'))
    ? '\n\nA `condition` is written as in [conditions](../conditions.md).'
    : '';
  return `${GENERATED}
# \`${type}\` ${kind.noun}

${summaryOf(component)}

Written under \`${kind.slot}:\` in a pipeline with \`type: ${type}\`. [All ${kind.folder}](../README.md#${kind.folder}).

## Options

${rows.length > 0 ? table(rows) : `The \`${type}\` ${kind.noun} takes no option but \`type\`.`}${conditions}

## Example

\`\`\`yaml
${exampleOf(component)}
\`\`\`
`;
}

function indexPage(components: ComponentType[]): string {
  const sections = COMPONENT_KINDS.map((kind) => {
    const lines = components
      .filter((component) => component.kind === kind)
      .map(
        (component) =>
          `| [\`${component.type}\`](${kind.folder}/${component.type}.md) | ${cell(summaryOf(component))} |`,
      );
    return `## ${kind.folder}\n\n${kind.about} Written under \`${kind.slot}:\`.\n\n| type | what |\n|---|---|\n${lines.join('\n')}`;
  });
  return `${GENERATED}
# Reference

Every option of every component, generated from the schemas \`sluice validate\` checks with
(the same ones [pipeline.schema.json](../pipeline.schema.json) is generated from). A pipeline's
own keys: [pipeline](pipeline.md). Conditions (\`when:\`): [conditions](conditions.md).
Any value may use \`\${VAR}\` or \`\${VAR:-default}\` from the environment.

${sections.join('\n\n')}
`;
}

function conditionsPage(): string {
  const json = draft07(conditionSchema);
  const root = (json.definitions ? Object.values(json.definitions as JsonSchema)[0] : json) as JsonSchema;
  return `${GENERATED}
# Conditions

${cell(String(conditionSchema.description ?? root.description ?? ''))}. Filters take one as \`when:\`
(the filter applies only where it holds); outputs take one as \`when:\` (only events where it holds
go to that output); \`sluice test\` cases take a list as \`conditions:\`. A condition has exactly
one of these keys:

${table(optionRows(root, '', json))}

\`\`\`yaml
when: { gte: { field: elb_status_code, value: 500 } }
when: { all: [ { equals: { field: request_method, value: POST } }, { not: { exists: geoip } } ] }
\`\`\`
`;
}

function pipelinePage(): string {
  const slots = new Set(COMPONENT_KINDS.map((kind) => kind.slot));
  const rows = optionRows(draft07(pipelineConfigSchema)).filter(
    (row) => !slots.has(row.name.split(/[.\s]/)[0] as ComponentKind['slot']),
  );
  const kinds = COMPONENT_KINDS.map((kind) => `\`${kind.slot}\` ([${kind.folder}](README.md#${kind.folder}))`);
  return `${GENERATED}
# Pipeline keys

A pipeline file holds \`pipelines:\`, a list of pipelines. Each has the components
${kinds.join(', ')}, and these keys of its own:

${table(rows)}
`;
}

/** Every page, by its path under docs/reference/. */
export function referencePages(): Map<string, string> {
  const components = componentTypes();
  const pages = new Map<string, string>([
    ['README.md', indexPage(components)],
    ['conditions.md', conditionsPage()],
    ['pipeline.md', pipelinePage()],
  ]);
  for (const component of components)
    pages.set(`${component.kind.folder}/${component.type}.md`, componentPage(component));
  return pages;
}
