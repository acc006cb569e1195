import { describe, expect, it } from 'vitest';
import { moduleSpecifiers, resolveRelative, type SourceFile, sourceFiles } from '../architecture/source-files.js';

/**
 * Which folder of src/ may import which (besides itself). The order is the layering: core at the
 * bottom, one folder per component kind on it, config composing their schemas, the pipeline
 * building and running them, the worker running pipelines, the CLI on top. A new folder fails the
 * test until it is placed here.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // Events, errors, settings, metrics, the component contracts: what every layer shares.
  core: [],
  parsers: ['core'],
  filters: ['core'],
  // Per-object claims shared by the tasks of a notification pipeline (DynamoDB conditional writes).
  claims: ['core'],
  sources: ['core', 'claims'],
  checkpoint: ['core'],
  // `schema: ecs`: the field names per parser; output conditions are rewritten with filters' condition model.
  ecs: ['core', 'filters'],
  // The index templates map the fields the parsers name (outputs/opensearch/templates/), in AWS or ECS names.
  outputs: ['core', 'parsers', 'ecs'],
  // The pipeline schema is composed from each component folder's own schema.
  config: ['core', 'parsers', 'filters', 'sources', 'outputs', 'checkpoint', 'ecs'],
  pipeline: ['core', 'config', 'parsers', 'filters', 'sources', 'outputs', 'checkpoint', 'ecs'],
  worker: ['core', 'config', 'checkpoint', 'pipeline'],
  // `sluice test`: the record loop around a pipeline's parser and filters, outputs replaced by captures.
  'pipeline-test': ['core', 'config', 'parsers', 'filters', 'sources', 'pipeline', 'ecs'],
  // `sluice setup`: what each OpenSearch output needs installed.
  setup: ['core', 'config', 'outputs', 'ecs'],
  // docs/reference/, generated from the component schemas (scripts/write-reference.mjs).
  'reference-docs': ['core', 'config', 'parsers', 'filters', 'sources', 'outputs', 'checkpoint'],
  cli: [
    'core',
    'ecs',
    'config',
    'parsers',
    'filters',
    'sources',
    'outputs',
    'checkpoint',
    'pipeline',
    'worker',
    'pipeline-test',
    'setup',
    'reference-docs',
  ],
};

/** Component kinds whose concrete members live in their own subfolder (sources/s3, outputs/opensearch). */
const KINDS_WITH_MEMBER_FOLDERS = ['sources', 'outputs'];

/** Every relative import of src/, as `from` and `to` paths relative to src/. */
function relativeImports(): { from: string; to: string }[] {
  return sourceFiles().flatMap((file: SourceFile) =>
    moduleSpecifiers(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ from: file.path, to: resolveRelative(file, specifier) })),
  );
}

const folderOf = (path: string): string => path.split('/')[0] ?? path;

/** Folders that run components they did not build: they name no concrete source or output. */
const RUNNERS = ['pipeline', 'worker', 'pipeline-test'];

/** What the runners may import from a component folder, and where. */
function mayReachComponent(file: string, target: string): boolean {
  // Decompression is shared by every source (process-object and the test harness apply it), not a source itself.
  if (target === 'sources/decompress.ts') return true;
  const factories = ['sources/index.ts', 'outputs/index.ts', 'outputs/dead-letter/index.ts'];
  if (file === 'pipeline/build-pipeline.ts') return factories.includes(target);
  // A worker thread builds its half of a pipeline (record loop, outputs' encoders) without the rest.
  return file === 'pipeline/thread-parts.ts' && target === 'outputs/batch-encoders.ts';
}

/** Folders of MAY_IMPORT in an order where each comes after everything it may import, or the cycle that prevents one. */
function layerOrder(): { order: string[]; cycle?: string } {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (folder: string, path: string[]): string | undefined => {
    if (state.get(folder) === 'done') return undefined;
    if (state.get(folder) === 'visiting') return [...path.slice(path.indexOf(folder)), folder].join(' -> ');
    state.set(folder, 'visiting');
    for (const lower of MAY_IMPORT[folder] ?? []) {
      const cycle = visit(lower, [...path, folder]);
      if (cycle) return cycle;
    }
    state.set(folder, 'done');
    order.push(folder);
    return undefined;
  };
  for (const folder of Object.keys(MAY_IMPORT)) {
    const cycle = visit(folder, []);
    if (cycle) return { order, cycle };
  }
  return { order };
}

/** Every import cycle between files of src/ (type-only imports count: they tie the files as tightly). */
function fileCycles(): string[] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of relativeImports()) graph.set(from, [...(graph.get(from) ?? []), to]);
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('layering of src/', () => {
  it('places every folder of src/ in the layer table, and no file outside a folder', () => {
    const folders = new Set(sourceFiles().map((file) => folderOf(file.path)));
    expect([...folders].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
    expect(sourceFiles().filter((file) => !file.path.includes('/'))).toEqual([]);
  });

  it('orders the folders in layers when the table names no cycle', () => {
    const { order, cycle } = layerOrder();
    expect(cycle).toBeUndefined();
    expect(order[0]).toBe('core');
    expect(order.at(-1)).toBe('cli');
  });

  it('finds the imports it checks', () => {
    const imports = relativeImports();
    expect(imports).toContainEqual({ from: 'pipeline/build-pipeline.ts', to: 'sources/index.ts' });
    expect(imports).toContainEqual({ from: 'parsers/framing/frame-records.ts', to: 'parsers/framing/framed-batch.ts' });
  });

  it('imports only the folders the table allows when a file imports across folders', () => {
    const offending = relativeImports()
      .filter(({ from, to }) => folderOf(from) !== folderOf(to))
      .filter(({ from, to }) => !(MAY_IMPORT[folderOf(from)] ?? []).includes(folderOf(to)))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(offending).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(fileCycles()).toEqual([]);
  });

  it('imports no concrete source or output when a pipeline, worker or pipeline-test module is outside build-pipeline', () => {
    const offending = relativeImports()
      .filter(({ from }) => RUNNERS.includes(folderOf(from)))
      .filter(({ to }) => KINDS_WITH_MEMBER_FOLDERS.includes(folderOf(to)))
      .filter(({ from, to }) => !mayReachComponent(from, to))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(offending).toEqual([]);
  });

  it("reaches a source's or output's own folder only through its index when importing from outside its kind", () => {
    const memberFolder = (path: string): string | undefined => {
      const [kind, member, rest] = path.split('/');
      return kind && KINDS_WITH_MEMBER_FOLDERS.includes(kind) && member && rest ? `${kind}/${member}` : undefined;
    };
    const offending = relativeImports()
      .filter(({ to }) => memberFolder(to) !== undefined)
      .filter(({ from, to }) => folderOf(from) !== folderOf(to) && !to.endsWith('/index.ts'))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(offending).toEqual([]);
  });

  it('imports no sibling member folder when a source or output imports within its kind', () => {
    const memberOf = (path: string): string | undefined => {
      const [kind, member, rest] = path.split('/');
      return kind && KINDS_WITH_MEMBER_FOLDERS.includes(kind) && member && rest ? member : undefined;
    };
    const offending = relativeImports()
      .filter(({ from, to }) => {
        const [source, target] = [memberOf(from), memberOf(to)];
        return source !== undefined && target !== undefined && source !== target;
      })
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(offending).toEqual([]);
  });
});
