import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../src/core/errors.js';
import type { SourceObject } from '../../src/core/event.js';
import { Metrics } from '../../src/core/metrics.js';
import { fileReadError } from '../../src/sources/file/file-source.js';
import { createSource, sourceConfigSchema } from '../../src/sources/index.js';
import { componentContext } from '../helpers/component-context.js';

const context = (metrics = new Metrics()) => componentContext({ metrics });

async function list(
  source: ReturnType<typeof createSource>,
  since: Date | null,
  until?: Date,
): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const o of source.list({ since, until })) out.push(o);
  return out;
}

async function read(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('FileSource', () => {
  let dir: string;
  const old = new Date('2024-01-01T00:00:00Z');
  const recent = new Date('2024-06-01T12:00:00Z');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-file-source-'));
    await mkdir(join(dir, 'alb/2024/06'), { recursive: true });
    const files: Array<[string, string, Date]> = [
      ['top.log.gz', 'top', recent],
      ['alb/2024/06/a.log.gz', 'a', recent],
      ['alb/2024/06/b.log', 'b', recent],
      ['alb/old.log.gz', 'old', old],
      ['alb/empty.log.gz', '', recent],
    ];
    for (const [path, body, mtime] of files) {
      await writeFile(join(dir, path), body);
      await utimes(join(dir, path), mtime, mtime);
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const source = (extra: Record<string, unknown> = {}, metrics?: Metrics) =>
    createSource(sourceConfigSchema.parse({ type: 'file', path: dir, ...extra }), context(metrics));

  it('lists matching files recursively with relative keys when include is a ** glob', async () => {
    const metrics = new Metrics();
    const objects = await list(source({ include: ['**/*.log.gz'] }, metrics), null);
    expect(objects.map((o) => o.key).sort()).toEqual(['alb/2024/06/a.log.gz', 'alb/old.log.gz', 'top.log.gz']);
    const a = objects.find((o) => o.key === 'alb/2024/06/a.log.gz')!;
    expect(a).toMatchObject({ bucket: dir, size: 1, lastModified: recent });
    expect(a.etag).toBe(`1-${recent.getTime()}`);
    expect((await metrics.objectsSkipped.get()).values.find((v) => v.labels.reason === 'empty')?.value).toBe(1);
  });

  it.each([
    {
      name: 'since excludes older files',
      since: new Date('2024-03-01T00:00:00Z'),
      until: undefined,
      expected: ['alb/2024/06/a.log.gz', 'alb/2024/06/b.log', 'top.log.gz'],
    },
    {
      name: 'until ends before recent files',
      since: new Date('2023-12-01T00:00:00Z'),
      until: new Date('2024-02-01T00:00:00Z'),
      expected: ['alb/old.log.gz'],
    },
  ])('returns files modified inside the window when $name', async ({ since, until, expected }) => {
    expect((await list(source(), since, until)).map((o) => o.key).sort()).toEqual(expected);
  });

  it('opens the raw bytes and gives a new etag when a file is rewritten in place', async () => {
    const src = source({ include: ['alb/2024/**'], exclude: ['**/*.log'] });
    const first = (await list(src, null))[0]!;
    expect(first.key).toBe('alb/2024/06/a.log.gz');
    expect(await read(await src.open(first))).toBe('a');
    await writeFile(join(dir, first.key), 'rewritten');
    const second = (await list(src, null))[0]!;
    expect(second.etag).not.toBe(first.etag);
    expect(await read(await src.open(second))).toBe('rewritten');
    await expect(src.open(first)).rejects.toMatchObject({ code: 'ERR_FILE_READ' });
  });

  it.each([
    { change: 'rewritten', gone: 'rewritten' },
    { change: 'deleted', gone: 'deleted' },
  ] as const)(
    'says the version is gone and not retryable when the file was $change after listing',
    async ({ change, gone }) => {
      const own = await mkdtemp(join(tmpdir(), 'sluice-file-gone-'));
      const path = join(own, `${change}.log`);
      await writeFile(path, 'before');
      const src = createSource(sourceConfigSchema.parse({ type: 'file', path: own }), context());
      const listed = (await list(src, null))[0]!;
      if (change === 'deleted') await rm(path);
      else await writeFile(path, 'after, longer');
      const error = await src.open(listed).catch((e: unknown) => e);
      await rm(own, { recursive: true, force: true });
      expect(error).toBeInstanceOf(SourceReadError);
      expect(error).toMatchObject({ code: 'ERR_FILE_READ', stage: 'receiving', retryable: false, gone });
    },
  );

  it('throws a typed error naming the directory when it does not exist', async () => {
    const missing = createSource(sourceConfigSchema.parse({ type: 'file', path: join(dir, 'nope') }), context());
    await expect(list(missing, null)).rejects.toMatchObject({ code: 'ERR_FILE_READ' });
  });
});

describe('sourceConfigSchema', () => {
  it.each([
    [{ type: 's3', bucket: 'logs', prefix: 'a/', prefixes: ['b/'] }, 'either `prefix` or `prefixes`'],
    [{ type: 's3', bucket: 'logs', partition_pattern: 'logs/{yyyy}/' }, 'too coarse'],
    [{ type: 's3', bucket: 'logs', include: ['('] }, 'not a valid regular expression'],
    [{ type: 's3', bucket: 'logs', layout: 'elbv2' }, ''],
    [{ type: 's3', bucket: 'logs', pollInterval: 5 }, ''],
  ])('rejects %j', (config, message) => {
    const result = sourceConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('\n')).toContain(message);
  });
});

describe('FileSource at the edges of its folder', () => {
  let dir: string;
  let outside: string;
  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'sluice-file-edges-'));
    dir = join(base, 'logs');
    outside = join(base, 'elsewhere');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'root:x:0:0:outside the folder\n');
    await writeFile(join(outside, 'x.log'), 'outside line\n');
    await writeFile(join(dir, 'a.log'), 'inside line\n');
    await symlink(join(outside, 'secret.txt'), join(dir, 'passwd'));
    await symlink(join(dir, 'a.log'), join(dir, 'sub', 'alias.log'));
    await symlink(outside, join(dir, 'linked'));
    await symlink(join(dir, 'gone.log'), join(dir, 'dangling'));
    await writeFile(Buffer.from(`${join(dir, 'caf')}\xe9.log`, 'latin1'), 'latin-1 named\n');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
  });
  afterAll(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  const skippedBy = async (metrics: Metrics) =>
    Object.fromEntries((await metrics.objectsSkipped.get()).values.map((v) => [v.labels.reason, v.value]));

  it('lists every path once, reads only regular files inside, and refuses the rest with a reason when links, odd names and FIFOs are there', async () => {
    const metrics = new Metrics();
    const src = createSource(sourceConfigSchema.parse({ type: 'file', path: dir }), context(metrics));
    const listed = await list(src, null);
    expect(listed.map((o) => o.key)).toEqual(['a.log', 'caf%E9.log', 'dangling', 'linked', 'passwd', 'pipe']);
    expect(await read(await src.open(listed[0]!))).toBe('inside line\n');
    const refused: Record<string, unknown> = {};
    for (const object of listed.slice(1)) {
      const error = await src.open(object).catch((e: unknown) => e);
      expect(error, object.key).toBeInstanceOf(SourceReadError);
      expect(error).toMatchObject({ code: 'ERR_FILE_REFUSED', level: 'object', retryable: false });
      refused[object.key] = (error as SourceReadError).context.reason;
    }
    expect(refused).toEqual({
      'caf%E9.log': 'invalid_file_name',
      dangling: 'symlink_outside',
      linked: 'symlink_outside',
      passwd: 'symlink_outside',
      pipe: 'not_a_file',
    });
    // The link to a file inside is skipped (that file is read as a.log), counted once however often it is listed.
    await list(src, null);
    expect(await skippedBy(metrics)).toEqual({
      symlink: 1,
      invalid_file_name: 1,
      symlink_outside: 3,
      not_a_file: 1,
    });
  });

  it('reports a link to a folder outside even when include names only files (the files behind it would vanish unseen), and skips one to a folder inside', async () => {
    const base = await mkdtemp(join(tmpdir(), 'sluice-file-folder-link-'));
    const root = join(base, 'logs');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'sub', 'a.log'), 'inside line\n');
    await symlink(outside, join(root, 'linked'));
    await symlink(join(root, 'sub'), join(root, 'again'));
    try {
      const metrics = new Metrics();
      const config = { type: 'file', path: root, include: ['**/*.log'] };
      const src = createSource(sourceConfigSchema.parse(config), context(metrics));
      const listed = await list(src, null);
      expect(listed.map((o) => o.key)).toEqual(['linked', 'sub/a.log']);
      await expect(src.open(listed[0]!)).rejects.toMatchObject({
        code: 'ERR_FILE_REFUSED',
        context: { reason: 'symlink_outside' },
      });
      expect(await skippedBy(metrics)).toEqual({ symlink: 1, symlink_outside: 1 });
      // An exclude that names the link (or what is under it) silences it.
      const quiet = { ...config, exclude: ['linked/**'] };
      expect((await list(createSource(sourceConfigSchema.parse(quiet), context()), null)).map((o) => o.key)).toEqual([
        'sub/a.log',
      ]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('never reads what a link points at outside the folder when the checkpoint asks for it by key', async () => {
    const src = createSource(sourceConfigSchema.parse({ type: 'file', path: dir }), context());
    expect(await src.stat('passwd')).toBeNull();
    expect(await src.stat('linked/x.log')).toBeNull();
    const forged: SourceObject = { bucket: dir, key: 'linked/x.log', etag: 'x', size: 13, lastModified: new Date() };
    await expect(src.open(forged)).rejects.toMatchObject({ gone: 'rewritten' });
  });

  it.each([
    { errno: 'EACCES', code: 'ERR_FILE_ACCESS_DENIED', level: 'pipeline' },
    { errno: 'EPERM', code: 'ERR_FILE_ACCESS_DENIED', level: 'pipeline' },
    { errno: 'EIO', code: 'ERR_FILE_READ', level: 'object' },
  ])('decides $code ($level level) when reading fails with $errno', ({ errno, code, level }) => {
    const cause = Object.assign(new Error(`${errno}: failed`), { code: errno });
    expect(fileReadError('cannot read x', { key: 'x' }, cause)).toMatchObject({ code, level });
  });
});
