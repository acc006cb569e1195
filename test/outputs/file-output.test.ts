import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../src/core/components.js';
import type { LogEvent } from '../../src/core/event.js';
import { createDeadLetter, deadLetterConfigSchema } from '../../src/outputs/dead-letter/index.js';
import { createOutput, outputConfigSchema, StdoutOutput } from '../../src/outputs/index.js';
import { NdjsonAppender } from '../../src/outputs/ndjson-appender.js';
import { componentContext } from '../helpers/component-context.js';
import { runtimeCanStringify } from '../helpers/runtime-json.js';

function context(overrides: { baseDir?: string } = {}) {
  const dir = overrides.baseDir ?? mkdtempSync(join(tmpdir(), 'sluice-file-out-'));
  return componentContext({ pipeline: 'p', baseDir: dir });
}

/** A context whose dead-letter keeps the entries it is handed. */
function withDeadLetter(overrides: { baseDir?: string } = {}) {
  const entries: DeadLetterEntry[] = [];
  const deadLetter = {
    put: async (put: DeadLetterEntry[]) => {
      entries.push(...put);
    },
    close: async () => {},
  };
  return { ctx: { ...context(overrides), deadLetter }, entries };
}

function event(record: number, timestamp: string, fields: Record<string, unknown> = {}): LogEvent {
  return {
    doc: { '@timestamp': timestamp, n: record, text: 'line\nwith "quotes"', ...fields },
    origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record, sub: 0, lastModified: 0 },
  };
}

function lines(path: string): { n: number }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { n: number });
}

describe('FileOutput', () => {
  it('appends one document per line to the file of each event day when the path has a date pattern', async () => {
    const ctx = context();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/alb-%{+YYYY-MM-dd}.ndjson' }), ctx);
    await output.start();
    expect(await output.write([event(1, '2024-01-01T10:00:00Z'), event(2, '2024-01-02T10:00:00Z')])).toEqual({
      stored: 2,
      duplicates: 0,
      deadLettered: 0,
    });
    await output.write([event(3, '2024-01-01T11:00:00Z')]);
    await output.close();
    const read = (day: string) =>
      readFileSync(join(ctx.baseDir, 'out', `alb-${day}.ndjson`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(read('2024-01-01')).toEqual([1, 3]);
    expect(read('2024-01-02')).toEqual([2]);
  });

  it('never interleaves the lines of concurrent writes when many run at once', async () => {
    const ctx = context();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'all.ndjson' }), ctx);
    const writes = Array.from({ length: 20 }, (_, w) =>
      output.write(Array.from({ length: 10 }, (_, i) => event(w * 10 + i, '2024-01-01T00:00:00Z'))),
    );
    await Promise.all(writes);
    await output.close();
    const numbers = readFileSync(join(ctx.baseDir, 'all.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('writes every line once and fsyncs every file when one batch touches more than 16 files', async () => {
    const ctx = context();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/%{+YYYY-MM-dd-HH}.ndjson' }), ctx);
    // 48 events over 17 hours in one batch: one file more than the appender keeps open.
    const events = Array.from({ length: 48 }, (_, i) =>
      event(i + 1, new Date(Date.UTC(2024, 0, 1) + (i % 17) * 3_600_000).toISOString()),
    );
    expect(await output.write(events)).toEqual({ stored: 48, duplicates: 0, deadLettered: 0 });
    expect(await output.write([event(49, '2024-01-01T00:30:00Z')])).toMatchObject({ stored: 1 });
    await output.close();
    const files = readdirSync(join(ctx.baseDir, 'out'));
    expect(files).toHaveLength(17);
    const numbers = files.flatMap((file) => lines(join(ctx.baseDir, 'out', file)).map((doc) => doc.n));
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
  });

  it.each([
    ['a value runs into a file below the output folder', 'out/%{[name]}/x.ndjson', 'a-file', 'ENOTDIR|EEXIST'],
    ['the path is a directory', 'out/%{[name]}', 'dir', 'EISDIR'],
    ['the file name is too long', 'out/%{[name]}%{[name]}%{[name]}.ndjson', 'n'.repeat(100), 'ENAMETOOLONG'],
  ])('dead-letters the events of one path and writes the rest once when %s', async (_, pattern, name, errno) => {
    const { ctx, entries } = withDeadLetter();
    mkdirSync(join(ctx.baseDir, 'out', 'dir'), { recursive: true });
    writeFileSync(join(ctx.baseDir, 'out', 'a-file'), '');
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: pattern }), ctx);
    const bad = [event(1, 'x', { name }), event(3, 'x', { name })];
    expect(await output.write(bad)).toEqual({ stored: 0, duplicates: 0, deadLettered: 2 });
    expect(entries.map((e) => [e.record, e.code])).toEqual([
      [1, 'ERR_OUTPUT_FILE'],
      [3, 'ERR_OUTPUT_FILE'],
    ]);
    expect(entries[0]!.reason).toMatch(new RegExp(errno));
    expect(entries[0]).toMatchObject({ pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', doc: bad[0]!.doc });
    await output.close();
  });

  it('writes the good paths of a batch once and dead-letters only the events of the path that fails', async () => {
    const { ctx, entries } = withDeadLetter();
    mkdirSync(join(ctx.baseDir, 'out', 'taken'), { recursive: true });
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/%{[name]}' }), ctx);
    const report = await output.write([
      event(1, 'x', { name: 'a.ndjson' }),
      event(2, 'x', { name: 'taken' }),
      event(3, 'x', { name: 'b.ndjson' }),
      event(4, 'x', { name: 'a.ndjson' }),
    ]);
    await output.close();
    expect(report).toEqual({ stored: 3, duplicates: 0, deadLettered: 1 });
    expect(entries).toEqual([expect.objectContaining({ record: 2, code: 'ERR_OUTPUT_FILE' })]);
    expect(lines(join(ctx.baseDir, 'out', 'a.ndjson')).map((d) => d.n)).toEqual([1, 4]);
    expect(lines(join(ctx.baseDir, 'out', 'b.ndjson')).map((d) => d.n)).toEqual([3]);
  });

  it.each([
    ['the output folder is a file', 'a-file/%{[name]}.ndjson', 'ENOTDIR|EEXIST'],
    ['the output folder lies under a file', 'a-file/out/%{[name]}.ndjson', 'ENOTDIR'],
    ['the fixed path is a directory', 'out/dir', 'EISDIR'],
    ['permission is denied (/sys refuses root too)', '/sys/sluice-test-%{[name]}.ndjson', 'EACCES|EPERM|ENOENT'],
  ])(
    'rejects with ERR_OUTPUT_FILE_WRITE naming the path, dead-letters and writes nothing, when %s',
    async (_, pattern, errno) => {
      const { ctx, entries } = withDeadLetter();
      writeFileSync(join(ctx.baseDir, 'a-file'), '');
      mkdirSync(join(ctx.baseDir, 'out', 'dir'), { recursive: true });
      const output = createOutput(outputConfigSchema.parse({ type: 'file', path: pattern }), ctx);
      const failure = output.write([event(1, 'x', { name: 'x' }), event(2, 'x', { name: 'x' })]);
      await expect(failure).rejects.toMatchObject({ code: 'ERR_OUTPUT_FILE_WRITE', level: 'pipeline' });
      await expect(failure).rejects.toThrow(new RegExp(errno));
      await expect(failure).rejects.toThrow(pattern.startsWith('/') ? '/sys' : ctx.baseDir);
      expect(entries).toEqual([]);
      await output.close();
    },
  );

  it('dead-letters nothing and writes nothing when the dead-letter fails, so a retry writes each line once', async () => {
    const ctx = {
      ...context(),
      deadLetter: {
        put: async () => {
          throw new Error('dead-letter down');
        },
        close: async () => {},
      },
    };
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/all.ndjson' }), ctx);
    const batch = [event(1, 'x'), event(2, 'x', { big: 10n }), event(3, 'x')];
    await expect(output.write(batch)).rejects.toMatchObject({ code: 'ERR_DEAD_LETTER_WRITE' });
    await output.close();
    expect(
      existsSync(join(ctx.baseDir, 'out', 'all.ndjson')) ? lines(join(ctx.baseDir, 'out', 'all.ndjson')) : [],
    ).toEqual([]);
  });

  it('rejects with ERR_OUTPUT_FILE_WRITE, a pipeline-level fault, when the disk is full', async () => {
    const { ctx, entries } = withDeadLetter();
    // Every write to /dev/full fails with ENOSPC.
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: '/dev/full' }), ctx);
    const failure = output.write([event(1, 'x')]);
    await expect(failure).rejects.toMatchObject({ code: 'ERR_OUTPUT_FILE_WRITE', level: 'pipeline' });
    await expect(failure).rejects.toHaveProperty('cause.code', 'ENOSPC');
    expect(entries).toEqual([]);
    await output.close();
  });

  it('dead-letters an event JSON cannot encode without its document and writes the rest', async () => {
    const { ctx, entries } = withDeadLetter();
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/all.ndjson' }), ctx);
    const report = await output.write([event(1, 'x'), event(2, 'x', { big: 10n }), event(3, 'x')]);
    await output.close();
    expect(report).toEqual({ stored: 2, duplicates: 0, deadLettered: 1 });
    expect(entries).toEqual([expect.objectContaining({ record: 2, code: 'ERR_OUTPUT_ENCODE' })]);
    expect(entries[0]).not.toHaveProperty('doc');
    expect(lines(join(ctx.baseDir, 'out', 'all.ndjson')).map((d) => d.n)).toEqual([1, 3]);
  });

  it('logs a refused event and settles the write when the pipeline has no dead-letter', async () => {
    const ctx = context();
    mkdirSync(join(ctx.baseDir, 'out', 'taken'), { recursive: true });
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/%{[name]}' }), ctx);
    expect(await output.write([event(1, 'x', { name: 'taken' }), event(2, 'x', { name: 'ok' })])).toEqual({
      stored: 1,
      duplicates: 0,
      deadLettered: 1,
    });
    await output.close();
  });

  it('rejects with ERR_DEAD_LETTER_WRITE when the dead-letter cannot store a refused event', async () => {
    const ctx = {
      ...context(),
      deadLetter: { put: async () => Promise.reject(new Error('disk full')), close: async () => {} },
    };
    mkdirSync(join(ctx.baseDir, 'out', 'taken'), { recursive: true });
    const output = createOutput(outputConfigSchema.parse({ type: 'file', path: 'out/%{[name]}' }), ctx);
    await expect(output.write([event(1, 'x', { name: 'taken' })])).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER_WRITE',
    });
    await output.close();
  });

  it('never writes outside the output directory whatever a field holds', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-file-jail-'));
    const baseDir = join(root, 'config');
    mkdirSync(baseDir);
    const canary = `sluice-canary-${process.pid}-${Date.now()}`;
    const { ctx, entries } = withDeadLetter({ baseDir });
    const values = [
      `../../../../../../../../../tmp/${canary}`,
      `/tmp/${canary}`,
      '..',
      '../config',
      '.',
      `..\\..\\${canary}`,
      `x\u0000/../../${canary}`,
      `\uff0e\uff0e\uff0f${canary}`,
      `\u202e${canary}`,
      'a'.repeat(300),
      '😀'.repeat(100),
    ];
    for (const pattern of ['out/%{[v]}.ndjson', 'out/%{[v]}/%{[v]}', 'out/x-%{[v]}']) {
      const output = createOutput(outputConfigSchema.parse({ type: 'file', path: pattern }), ctx);
      const report = await output.write(values.map((v, i) => event(i + 1, 'x', { v })));
      await output.close();
      expect(report.stored + report.deadLettered).toBe(values.length);
    }
    expect(entries.filter((e) => e.code !== 'ERR_OUTPUT_FILE')).toEqual([]);
    expect(existsSync(`/tmp/${canary}.ndjson`) || existsSync(`/tmp/${canary}`)).toBe(false);
    const written = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(written.length).toBeGreaterThan(0);
    for (const path of written) expect(path.startsWith(join(baseDir, 'out') + sep)).toBe(true);
  });

  it('refuses at validation a path that starts with a field', () => {
    const parsed = outputConfigSchema.safeParse({ type: 'file', path: '%{[user_agent]}.ndjson' });
    expect(parsed.success).toBe(false);
  });
});

describe('StdoutOutput', () => {
  it('prints each document as one JSON line when events are written', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const output = new StdoutOutput(context(), stream);
    expect((await output.write([event(1, 'x'), event(2, 'y')])).stored).toBe(2);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([event(1, 'x').doc, event(2, 'y').doc]);
  });

  it('prints nothing when the dead-letter cannot store the events it refused, so a retry prints each line once', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const deadLetter = {
      put: async () => {
        throw new Error('dead-letter down');
      },
      close: async () => {},
    };
    const output = new StdoutOutput({ ...context(), deadLetter }, stream);
    await expect(output.write([event(1, 'x'), event(2, 'x', { big: 10n })])).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER_WRITE',
    });
    expect(text).toBe('');
  });

  /** A document Node 20's JSON.stringify cannot follow: nested deeper than the stack (Node 26 writes it). */
  function tooDeep(): Record<string, unknown> {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) value = { a: value };
    return value;
  }
  const runtimeCannotWriteDeep = !runtimeCanStringify(tooDeep());
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;

  const unencodable: Array<[string, Record<string, unknown>]> = [
    ['a BigInt', { big: 10n }],
    ['a cycle', { loop: cycle }],
    ...(runtimeCannotWriteDeep
      ? [['nesting deeper than JSON can be written', { deep: tooDeep() }] as [string, Record<string, unknown>]]
      : []),
  ];

  it.each(unencodable)(
    'dead-letters an event JSON cannot encode (%s) without its document and prints the rest',
    async (_what, fields) => {
      const { ctx, entries } = withDeadLetter();
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (c: Buffer) => {
        text += c.toString();
      });
      const output = new StdoutOutput(ctx, stream);
      const report = await output.write([event(1, 'x'), event(2, 'x', fields), event(3, 'x')]);
      expect(report).toEqual({ stored: 2, duplicates: 0, deadLettered: 1 });
      expect(entries).toEqual([
        expect.objectContaining({ pipeline: 'p', key: 'k', record: 2, code: 'ERR_OUTPUT_ENCODE' }),
      ]);
      expect(entries[0]).not.toHaveProperty('doc');
      expect(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { n: number }).n),
      ).toEqual([1, 3]);
    },
  );

  it('logs an event JSON cannot encode and settles the write when the pipeline has no dead-letter', async () => {
    const stream = new PassThrough();
    stream.resume();
    const output = new StdoutOutput(context(), stream);
    expect(await output.write([event(1, 'x', { big: 10n }), event(2, 'x')])).toEqual({
      stored: 1,
      duplicates: 0,
      deadLettered: 1,
    });
  });
});

describe('NdjsonAppender', () => {
  it('keeps at most maxOpenFiles files open and writes each once when a call touches many more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-appender-'));
    const appender = new NdjsonAppender(3);
    const chunks = new Map(Array.from({ length: 20 }, (_, i) => [join(dir, `f${i}.ndjson`), `line ${i}\n`]));
    const openBefore = readdirSync('/proc/self/fd').length;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, readdirSync('/proc/self/fd').length - openBefore);
    }, 0);
    await appender.append(chunks);
    await appender.append(chunks);
    clearInterval(sampler);
    peak = Math.max(peak, readdirSync('/proc/self/fd').length - openBefore);
    await appender.close();
    expect(peak).toBeLessThanOrEqual(3);
    for (const [path, text] of chunks) expect(readFileSync(path, 'utf8')).toBe(text + text);
  });
});

describe('NdjsonAppender after a crash', () => {
  it.each([
    ['a torn last line', '{"n":1}\n{"n":2}\n{"n":3', '{"n":1}\n{"n":2}\n'],
    ['a torn line longer than one read', `{"n":1}\n{"n":"${'x'.repeat(200_000)}`, '{"n":1}\n'],
    ['a torn first line', '{"n":1', ''],
    ['whole lines', '{"n":1}\n', '{"n":1}\n'],
  ])('cuts the unfinished line off before appending when the file ends in %s', async (_, before, kept) => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-torn-')), 'out.ndjson');
    writeFileSync(path, before);
    const appender = new NdjsonAppender();
    await appender.append(new Map([[path, '{"n":9}\n']]));
    await appender.close();
    expect(readFileSync(path, 'utf8')).toBe(`${kept}{"n":9}\n`);
  });
});

describe('FileDeadLetter', () => {
  it('appends entries as NDJSON when put is called twice', async () => {
    const ctx = context();
    const dlq = createDeadLetter(deadLetterConfigSchema.parse({ type: 'file', path: 'dlq/dead.ndjson' }), ctx);
    const entry = {
      pipeline: 'p',
      bucket: 'b',
      key: 'k',
      record: 4,
      code: 'ERR_RECORD_PARSE',
      reason: 'bad',
      raw: 'x y',
      at: 'now',
    };
    await dlq.put([entry]);
    await dlq.put([{ ...entry, record: 5 }]);
    await dlq.close();
    const lines = readFileSync(join(ctx.baseDir, 'dlq', 'dead.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { record: number }).record)).toEqual([4, 5]);
  });
});

describe('outputConfigSchema', () => {
  it('fills the documented defaults when an opensearch output names only hosts and index', () => {
    const parsed = outputConfigSchema.parse({
      type: 'opensearch',
      hosts: ['https://search.example.com'],
      index: 'a-%{+YYYY}',
    });
    expect(parsed).toMatchObject({
      action: 'create',
      document_id: 'deterministic',
      data_stream: false,
      flush_bytes: 5 * 1024 * 1024,
      flush_events: 5000,
      flush_interval_seconds: 1,
      concurrency: 2,
    });
    expect(parsed).not.toHaveProperty('flush_interval_ms');
  });

  it.each([
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', extra: 1 }],
    [{ type: 'opensearch', hosts: [], index: 'a' }],
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', tls: { cert_file: 'c.pem' } }],
    [{ type: 'opensearch', hosts: ['https://x'], index: 'a', auth: { type: 'basic', username: 'u' } }],
    [{ type: 'kafka' }],
  ])('refuses %j', (input) => {
    expect(outputConfigSchema.safeParse(input).success).toBe(false);
  });
});
