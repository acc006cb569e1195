import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENRICHMENT_MOVES } from '../../src/ecs/field-moves.js';
import { ECS_TABLES } from '../../src/ecs/field-naming.js';

const page = readFileSync(join(import.meta.dirname, '../../docs/ECS.md'), 'utf8');

describe('docs/ECS.md', () => {
  it.each(Object.values(ECS_TABLES))('lists every move and kept field of the $kind table', (table) => {
    const rows = Object.entries(table.moves).map(([from, to]) => `| \`${from}\` | \`${to}\``);
    expect(rows.filter((row) => !page.includes(row))).toEqual([]);
    const kept = table.kept.map((name) => `\`${name.split('.').at(-1)}\``);
    expect(kept.filter((name) => !page.includes(name))).toEqual([]);
    expect(Object.keys(table.derived).filter((field) => !page.includes(`\`${field}\``))).toEqual([]);
    expect(Object.keys(ENRICHMENT_MOVES).length).toBeGreaterThan(10);
  });
});
