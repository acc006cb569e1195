import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCodeInfo } from '../../src/core/error-codes.js';

const root = join(import.meta.dirname, '../..');
const tablePath = 'src/core/error-codes.ts';

/** Codes Node itself raises that sluice only compares with; sluice never raises them. */
const NODE_CODES = ['ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_TLS_CERT_ALTNAME_INVALID'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every quoted `'ERR_...'` literal in src/, by file (the table itself left out). */
function codesInSource(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const name = relative(root, file);
    if (name === tablePath) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) {
      const code = match[1]!;
      if (!found.has(code)) found.set(code, new Set());
      found.get(code)!.add(name);
    }
  }
  return found;
}

/** The rows of the table in docs/ARCHITECTURE.md's "Error codes" section. */
function documentedCodes(): Record<string, ErrorCodeInfo> {
  const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith('Error codes\n'));
  if (!section) throw new Error('docs/ARCHITECTURE.md has no "## Error codes" section');
  const rows: Record<string, ErrorCodeInfo> = {};
  for (const line of section.split('\n')) {
    const row = /^\| `(ERR_[A-Z0-9_]+)` \| (\w+) \| (\w+) \| (.+) \|$/.exec(line);
    if (row) rows[row[1]!] = { level: row[2], stage: row[3], meaning: row[4] } as ErrorCodeInfo;
  }
  return rows;
}

describe('ERROR_CODES', () => {
  it('lists every code src/ raises when a code literal appears in the source', () => {
    const missing = [...codesInSource().entries()]
      .filter(([code]) => !Object.hasOwn(ERROR_CODES, code) && !NODE_CODES.includes(code))
      .map(([code, files]) => `${code} (${[...files].join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('holds no code that nothing in src/ raises', () => {
    const used = codesInSource();
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
    expect(NODE_CODES.filter((code) => !used.has(code))).toEqual([]);
  });

  it('gives every code a level, a stage and a one-line meaning', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(['record', 'object', 'pipeline'], code).toContain(info.level);
      expect(['receiving', 'processing', 'sending'], code).toContain(info.stage);
      expect(info.meaning, code).toMatch(/^[A-Z].*\.\)?$/);
      expect(info.meaning, code).not.toMatch(/[|\n]/);
    }
  });

  it('matches the table in docs/ARCHITECTURE.md when the doc is up to date', () => {
    expect(documentedCodes()).toEqual(ERROR_CODES);
  });
});
