import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LogEvent } from '../../src/core/event.js';
import { classifyOpenFault, folderProblem } from '../../src/outputs/file-failure.js';
import {
  checkFilePathPattern,
  compileFilePath,
  fixedDirectory,
  isInside,
  MAX_PATH_VALUE_BYTES,
  pathValue,
} from '../../src/outputs/file-path.js';
import { utf8Prefix } from '../../src/outputs/inserted-value.js';

function event(doc: Record<string, unknown>): LogEvent {
  return { doc, origin: { pipeline: 'p', bucket: 'b', key: 'k', etag: 'e', record: 1, sub: 0, lastModified: 0 } };
}

/** Values a log line can carry that must never steer a file path. */
const HOSTILE_PATH_VALUES: unknown[] = [
  '../../../../tmp/x',
  '..',
  '.',
  '...',
  '.hidden',
  '/etc/passwd',
  '/',
  'a/../../b',
  '..\\..\\windows\\system32',
  'C:\\evil',
  'nul\u0000byte',
  'new\nline\r\ttab',
  '\u202egnp.exe', // right-to-left override
  'zero\u200bwidth\ufeff',
  '\ud800lone surrogate',
  '\uff0e\uff0e\uff0fetc', // fullwidth ．．／
  '\u2215etc\u2215passwd', // division slash
  '%2e%2e%2fetc',
  '~root',
  '😀'.repeat(200),
  'a'.repeat(300),
  'é'.repeat(300),
  '',
  12,
  true,
  null,
  undefined,
  { nested: '../../x' },
  ['..', '/'],
];

describe('pathValue', () => {
  it.each(HOSTILE_PATH_VALUES.map((value) => [value]))(
    'makes %j one plain name piece without a separator, a control character or a leading dot',
    (value) => {
      const text = pathValue(value);
      expect(text).not.toMatch(/[/\\]/);
      expect(text).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
      expect(text.startsWith('.')).toBe(false);
      expect(text.length).toBeGreaterThan(0);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_PATH_VALUE_BYTES);
    },
  );

  it.each([
    ['alb-1', 'alb-1'],
    ['../../../../tmp/x', '_.._.._.._tmp_x'],
    ['/etc/passwd', '_etc_passwd'],
    ['.hidden', 'hidden'],
    ['..', '_'],
    ['nul\u0000byte', 'nulbyte'],
    [undefined, 'unknown'],
    [{ a: 1 }, 'object'],
    [2024, '2024'],
  ])('turns %j into %j', (value, expected) => {
    expect(pathValue(value)).toBe(expected);
  });

  it('keeps a surrogate pair whole when the cut falls inside it', () => {
    const value = `${'a'.repeat(MAX_PATH_VALUE_BYTES - 2)}😀`;
    expect(pathValue(value)).toBe('a'.repeat(MAX_PATH_VALUE_BYTES - 2));
    expect(utf8Prefix('😀😀', 4)).toBe('😀');
  });
});

describe('fixedDirectory', () => {
  it.each([
    ['out/alb-%{+YYYY}.ndjson', '/cfg/out'],
    ['out/%{[host]}/x.ndjson', '/cfg/out'],
    ['alb-%{+YYYY}.ndjson', '/cfg'],
    ['%{+YYYY}/%{[host]}.ndjson', '/cfg'],
    ['/var/log/sluice/%{[host]}.ndjson', '/var/log/sluice'],
    ['/var/log/sluice/x-%{[host]}.ndjson', '/var/log/sluice'],
    ['../shared/out.ndjson', '/shared'],
    ['plain.ndjson', '/cfg'],
  ])('gives %s the fixed directory %s', (pattern, expected) => {
    expect(fixedDirectory(pattern, '/cfg')).toBe(expected);
  });
});

describe('isInside', () => {
  it.each([
    ['/out', '/out/a.ndjson', true],
    ['/out', '/out/a/b.ndjson', true],
    ['/out', '/out/..a', true],
    ['/out', '/out', false],
    ['/out', '/outside/a', false],
    ['/out', '/a.ndjson', false],
    ['/out', '/out/../a', false],
    ['/', '/a', true],
  ])('says %s holds %s: %s', (directory, path, expected) => {
    expect(isInside(directory, path)).toBe(expected);
  });
});

describe('compileFilePath', () => {
  const base = '/cfg';

  it.each(HOSTILE_PATH_VALUES.map((value) => [value]))(
    'keeps the path inside the fixed directory when the field holds %j',
    (value) => {
      for (const pattern of ['out/%{[v]}.ndjson', 'out/x-%{[v]}/y-%{[v]}.ndjson', '%{+YYYY}/%{[v]}']) {
        const target = compileFilePath(pattern, base)(event({ v: value, '@timestamp': 0 }));
        expect(target).toHaveProperty('path');
        const { path } = target as { path: string };
        expect(isInside(fixedDirectory(pattern, base), path)).toBe(true);
      }
    },
  );

  it('keeps a leading field inside the config directory when the value is an absolute path', () => {
    // The schema refuses such a pattern; the path itself is still contained.
    expect(compileFilePath('%{[v]}.ndjson', base)(event({ v: '/etc/cron.d/x' }))).toEqual({
      path: join(base, '_etc_cron.d_x.ndjson'),
    });
  });

  it('refuses a path the pattern text itself leads out of its fixed directory', () => {
    const target = compileFilePath('out/%{[v]}/../../../x.ndjson', base)(event({ v: 'a' }));
    expect(target).toEqual({ refused: expect.stringContaining('outside the output directory /cfg/out') });
  });
});

describe('checkFilePathPattern', () => {
  const schema = z.string().superRefine(checkFilePathPattern);

  it.each([
    ['out/%{[host]}.ndjson', true],
    ['alb-%{+YYYY.MM.dd}.ndjson', true],
    ['%{+YYYY}/%{[host]}.ndjson', true],
    ['/var/log/%{[host]}.ndjson', true],
    ['plain.ndjson', true],
    ['%{[host]}.ndjson', false],
    ['%{host}/x.ndjson', false],
    ['%{ [host] }.ndjson', false],
    ['out/%{+YYYY.QQ}.ndjson', false],
  ])('accepts %s: %s', (pattern, valid) => {
    expect(schema.safeParse(pattern).success).toBe(valid);
  });

  it('says to start with a directory when the path starts with a field', () => {
    const result = schema.safeParse('%{[user_agent]}.ndjson');
    expect(result.error?.issues[0]?.message).toMatch(/starts with a field.*out\/%\{\[field\]\}\.ndjson/);
  });
});

describe('classifyOpenFault', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
  const usable = () => ({ directory: mkdtempSync(join(tmpdir(), 'sluice-fault-')), insertsValues: true });

  it.each(['ENAMETOOLONG', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ELOOP', 'EINVAL'])(
    "says %s is the record's fault when the output folder is writable and the pattern inserts values",
    async (code) => {
      expect(await classifyOpenFault('p', '/o/x', usable(), errno(code))).toMatchObject({ level: 'record' });
    },
  );

  it.each(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EBADF', 'ENOENT'])(
    "says %s is the pipeline's fault (ERR_OUTPUT_FILE_WRITE) whatever the folder",
    async (code) => {
      const fault = await classifyOpenFault('p', '/o/x', usable(), errno(code));
      expect(fault).toMatchObject({ level: 'pipeline', error: { code: 'ERR_OUTPUT_FILE_WRITE', level: 'pipeline' } });
    },
  );

  it("says a fault of a path the pattern fixes entirely is the pipeline's", async () => {
    const folder = { ...usable(), insertsValues: false };
    expect(await classifyOpenFault('p', '/o/x', folder, errno('EISDIR'))).toMatchObject({ level: 'pipeline' });
  });

  it("says a path fault is the pipeline's when the output folder is a file, and names the folder and the fix", async () => {
    const base = mkdtempSync(join(tmpdir(), 'sluice-fault-'));
    writeFileSync(join(base, 'out'), '');
    const fault = await classifyOpenFault(
      'p',
      join(base, 'out', 'x.ndjson'),
      { directory: join(base, 'out'), insertsValues: true },
      errno('ENOTDIR'),
    );
    expect(fault.level).toBe('pipeline');
    const error = (fault as { error: Error & { hint?: string } }).error;
    expect(error.message).toContain(join(base, 'out'));
    expect(error.hint).toMatch(/^Make a directory \(not a file\) of /);
  });

  it("says a path fault is the pipeline's when the output folder lies under a file (ENOTDIR, as root too)", async () => {
    const base = mkdtempSync(join(tmpdir(), 'sluice-fault-'));
    writeFileSync(join(base, 'blocker'), '');
    const folder = { directory: join(base, 'blocker', 'out'), insertsValues: true };
    const fault = await classifyOpenFault('p', join(folder.directory, 'x'), folder, errno('ENOTDIR'));
    expect(fault).toMatchObject({ level: 'pipeline', error: { cause: { code: 'ENOTDIR' } } });
  });

  it('names the path, the meaning and the system message in the reason of a record-level fault', async () => {
    expect(await classifyOpenFault('p', '/o/x', usable(), errno('EISDIR'))).toEqual({
      level: 'record',
      reason: 'cannot append to "/o/x": the path is a directory (EISDIR: failed)',
    });
  });
});

describe('folderProblem (validate and the start of run)', () => {
  it('finds none when the folder exists, or is missing and can be made, and makes nothing', async () => {
    const base = mkdtempSync(join(tmpdir(), 'sluice-folder-'));
    expect(await folderProblem(base)).toBeUndefined();
    expect(await folderProblem(join(base, 'a', 'b', 'c'))).toBeUndefined();
    expect(existsSync(join(base, 'a'))).toBe(false);
  });

  it('says the folder is a file, or which file lies where it would be made', async () => {
    const base = mkdtempSync(join(tmpdir(), 'sluice-folder-'));
    writeFileSync(join(base, 'out'), '');
    expect(await folderProblem(join(base, 'out'))).toBe(
      `the output folder ${join(base, 'out')} is a file, not a folder`,
    );
    expect(await folderProblem(join(base, 'out', 'sub'))).toBe(
      `${join(base, 'out')}, the nearest existing parent of the output folder ${join(base, 'out', 'sub')}, is a file, not a folder`,
    );
  });
});
