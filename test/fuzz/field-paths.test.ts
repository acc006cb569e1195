import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fieldPathProblem, getField, parseFieldPath, removeField, setField } from '../../src/core/field-path.js';
import { filterConfigSchema } from '../../src/filters/index.js';
import { createMutateFilter } from '../../src/filters/mutate-filter.js';
import { makeEvent } from '../filters/make-event.js';
import { hostileText, PROTOTYPE_NAMES } from './arbitraries.js';
import { check, expectNoPollution, expectPlainTree } from './fuzz-settings.js';
import { jsonDocument, render } from './json-model.js';

/** Segments that are not refused but look like it, or are built-in names: `toString`, ` __proto__ `, `__PROTO__`. */
const LOOK_ALIKES = PROTOTYPE_NAMES.filter((name) => !['__proto__', 'constructor', 'prototype'].includes(name));

/** A path segment: plain, a look-alike, hostile text, and (with `refused`) the names validation refuses. */
function segmentOf(refused: boolean): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'polluted', 'isAdmin', 'x-y', '0', 'length') },
    { weight: 2, arbitrary: fc.constantFrom(...LOOK_ALIKES, ' __proto__ ', '__proto__ ') },
    { weight: refused ? 2 : 0, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') },
    { weight: 1, arbitrary: hostileText(5).filter((text) => !/[.[\]]/.test(text)) },
  );
}
const segment = segmentOf(true);

/** A field path as a user might write it: `a.b.c`, `[a][b][c]`, or something in between. */
function pathTextOf(refused: boolean): fc.Arbitrary<string> {
  const segments = fc.array(segmentOf(refused), { minLength: 1, maxLength: 4 });
  return fc.oneof(
    { weight: 3, arbitrary: segments.map((list) => list.join('.')) },
    { weight: 3, arbitrary: segments.map((list) => list.map((s) => `[${s}]`).join('')) },
    {
      weight: 1,
      arbitrary: refused
        ? fc.constantFrom('__proto__.polluted', '[__proto__][polluted]', 'constructor.prototype.polluted', '[a]x')
        : fc.constantFrom('a..b', '[a]x', '.', 'toString.call'),
    },
  );
}
const pathText = pathTextOf(true);

/** A mutate filter's settings, every field path generated; with `refused`, some may name refused segments. */
function mutateConfigOf(refused: boolean) {
  const path = pathTextOf(refused);
  const addValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    path.map((p) => `%{${p}}`),
    fc.tuple(path, path).map(([a, b]) => `x-%{[${a}]}-%{${b}}-y`),
  );
  return fc.record(
    {
      type: fc.constant('mutate'),
      rename: fc.dictionary(path, path, { maxKeys: 3 }),
      copy: fc.dictionary(path, path, { maxKeys: 3 }),
      convert: fc.dictionary(path, fc.constantFrom('integer', 'float', 'boolean', 'string'), { maxKeys: 2 }),
      lowercase: fc.array(path, { maxLength: 2 }),
      add: fc.dictionary(path, addValue, { maxKeys: 3 }),
      remove: fc.array(path, { maxLength: 2 }),
      when: fc.record({ exists: path }),
    },
    { requiredKeys: ['type'] },
  );
}
const mutateConfig = fc.oneof(mutateConfigOf(false), mutateConfigOf(true));

/** Every field path a mutate config names (keys and values), with its template references. */
function pathsOf(config: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const refs = (value: unknown) => {
    if (typeof value === 'string') for (const m of value.matchAll(/%\{([^}]+)\}/g)) paths.push(m[1]!);
  };
  for (const key of ['rename', 'copy']) {
    for (const [from, to] of Object.entries((config[key] ?? {}) as Record<string, string>)) paths.push(from, to);
  }
  for (const key of ['convert', 'add']) paths.push(...Object.keys((config[key] ?? {}) as object));
  for (const value of Object.values((config.add ?? {}) as object)) refs(value);
  for (const key of ['lowercase', 'remove']) paths.push(...((config[key] ?? []) as string[]));
  const when = config.when as { exists?: string } | undefined;
  if (when?.exists !== undefined) paths.push(when.exists);
  return paths;
}

/** The config as YAML would hand it over: written as text (JSON is YAML), then parsed (`__proto__` an own key). */
function asLoaded(config: Record<string, unknown>, viaYaml: boolean): unknown {
  const text = JSON.stringify(config);
  return viaYaml ? parseYaml(text) : JSON.parse(text);
}

/** A document with hostile keys, as a JSON parser makes it. */
const hostileDoc = jsonDocument(3).map((doc) => JSON.parse(render(doc)) as Record<string, unknown>);

describe('field paths and mutate on hostile paths and documents (fuzz)', () => {
  afterAll(() => expectNoPollution());

  it('refuses at validation any mutate whose paths reach the prototype chain, and the rest never reach it', () => {
    check(
      fc.property(
        mutateConfig,
        fc.boolean(),
        fc.array(hostileDoc, { minLength: 1, maxLength: 3 }),
        (config, viaYaml, docs) => {
          const loaded = asLoaded(config, viaYaml);
          const parsed = filterConfigSchema.safeParse(loaded);
          const paths = pathsOf(loaded as Record<string, unknown>);
          const forbidden = paths.some((path) => fieldPathProblem(path)?.includes('__proto__'));
          if (forbidden) {
            expect(parsed.success, `refused: ${JSON.stringify(paths)}`).toBe(false);
            return;
          }
          if (!parsed.success || parsed.data.type !== 'mutate') return; // another problem (an empty path)
          const filter = createMutateFilter(parsed.data);
          for (const doc of docs) {
            const event = makeEvent(doc);
            try {
              filter.apply(event);
            } catch (error) {
              // Only a typed, record-level failure may leave a filter (a template nested too deep to write).
              expect((error as { code?: string }).code).toBe('ERR_FILTER_APPLY');
            }
            expectPlainTree(event.doc);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          }
        },
      ),
      600,
    );
  });

  it('reads, writes and removes own keys only when field-path functions get any segments', () => {
    check(
      fc.property(
        hostileDoc,
        fc.array(fc.array(segment, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 1 }),
        (doc, paths, value) => {
          for (const path of paths) {
            const before = getField(doc, path);
            if (before !== undefined) {
              // What a read returns is the document's own, never an inherited built-in.
              expect(before).not.toBe(Object.prototype);
              expect(typeof before).not.toBe('function');
            }
            setField(doc, path, value);
            expect(getField(doc, path)).toEqual(value);
            expectPlainTree(doc);
            expect(removeField(doc, path)).toBe(true);
            expect(getField(doc, path)).toBeUndefined();
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      1_000,
    );
  });

  it('parses a path text only when it names no prototype segment', () => {
    check(
      fc.property(pathText, (text) => {
        const problem = fieldPathProblem(text);
        if (problem !== undefined) {
          expect(() => parseFieldPath(text)).toThrow(problem);
          return;
        }
        for (const s of parseFieldPath(text)) expect(['__proto__', 'prototype', 'constructor']).not.toContain(s);
      }),
      1_000,
    );
  });
});
