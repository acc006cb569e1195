import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/core/event.js';
import { FileDeadLetter } from '../../src/outputs/dead-letter/file-dead-letter.js';
import { opensearchOutputConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';
import { OpenSearchOutput } from '../../src/outputs/opensearch/opensearch-output.js';
import { componentContext } from '../helpers/component-context.js';
import { runtimeCanStringify } from '../helpers/runtime-json.js';

const ctx = componentContext({ pipeline: 'p' });
const origin = { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 3, sub: 0, lastModified: 0 };

describe('OpenSearchOutput', () => {
  it('rejects the write with ERR_OUTPUT_ENCODE naming the record when a document holds a BigInt', async () => {
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      ctx,
    );
    await expect(output.write([{ doc: { n: 1n }, origin }])).rejects.toMatchObject({
      code: 'ERR_OUTPUT_ENCODE',
      context: { key: 'k', record: 3 },
    });
    await output.close();
  });

  it('dead-letters each event JSON cannot encode with ERR_OUTPUT_ENCODE, without its document, when a dead-letter is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-encode-'));
    const deadLetter = new FileDeadLetter({ type: 'file', path: 'dl.ndjson' }, { ...ctx, baseDir: dir });
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      { ...ctx, deadLetter },
    );
    const cycle: Doc = { name: 'loop' };
    cycle.self = cycle;
    let deep: Doc = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) {
      const next: Doc = {};
      deep.a = next;
      deep = next;
    }
    // Node 20's JSON.stringify overflows the stack on 10,000 levels; Node 26's writes them (OpenSearch
    // then refuses the document past its mapping depth, one item): the deep case is an encode
    // failure only where the runtime cannot write it.
    const deepFails = !runtimeCanStringify(root);
    const docs: Doc[] = [{ n: 1n }, cycle, ...(deepFails ? [root] : [])];
    const report = await output.write(docs.map((doc, i) => ({ doc, origin: { ...origin, record: i + 1 } })));
    expect(report).toEqual({ stored: 0, duplicates: 0, deadLettered: docs.length });
    expect(output.pendingBytes).toBe(0);
    await output.close();
    await deadLetter.close();
    const entries = readFileSync(join(dir, 'dl.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(entries.map((e) => [e.record, e.code, 'doc' in e])).toEqual(
      docs.map((_, i) => [i + 1, 'ERR_OUTPUT_ENCODE', false]),
    );
    expect(entries[0].reason).toMatch(/BigInt/);
    expect(entries[1].reason).toMatch(/circular/i);
    if (deepFails) expect(entries[2].reason).toMatch(/Maximum call stack size exceeded/);
  });

  it('names the event by sub in its entry when it is not the first of its record (CloudTrail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-encode-sub-'));
    const deadLetter = new FileDeadLetter({ type: 'file', path: 'dl.ndjson' }, { ...ctx, baseDir: dir });
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      { ...ctx, deadLetter },
    );
    const report = await output.write([0, 2].map((sub) => ({ doc: { n: 1n }, origin: { ...origin, record: 1, sub } })));
    expect(report.deadLettered).toBe(2);
    await output.close();
    await deadLetter.close();
    const entries = readFileSync(join(dir, 'dl.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(entries.map((e) => [e.record, e.sub, e.code])).toEqual([
      [1, undefined, 'ERR_OUTPUT_ENCODE'],
      [1, 2, 'ERR_OUTPUT_ENCODE'],
    ]);
  });

  it('resolves an empty write at once and refuses writes after close', async () => {
    const output = new OpenSearchOutput(
      opensearchOutputConfigSchema.parse({ type: 'opensearch', hosts: ['http://127.0.0.1:9'], index: 'x' }),
      ctx,
    );
    expect(await output.write([])).toEqual({ stored: 0, duplicates: 0, deadLettered: 0 });
    await output.close();
    await expect(output.write([{ doc: {}, origin }])).rejects.toMatchObject({ code: 'ERR_OUTPUT_CLOSED' });
  });
});
