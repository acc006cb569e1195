import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../../bin/sluice.js');

function lines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('sluice demo', () => {
  it('ingests the bundled logs once and nothing on the second run when the checkpoint is kept', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
    const env = { ...process.env, SLUICE_DEMO_OUT: out };
    const first = await promisify(execFile)(process.execPath, [BIN, 'demo'], { env });
    expect(first.stdout.trim()).toBe(
      'sluice: demo-alb: 3 new object(s), 600 record(s), 600 event(s); demo-waf: 2 new object(s), 120 record(s), 120 event(s)',
    );
    const alb = lines(join(out, 'alb-2024.05.01.ndjson'));
    const waf = lines(join(out, 'waf-2024.05.01.ndjson'));
    expect(alb).toHaveLength(600);
    expect(waf).toHaveLength(120);
    expect(alb.every((doc) => typeof doc['@timestamp'] === 'string')).toBe(true);
    const text =
      readFileSync(join(out, 'alb-2024.05.01.ndjson'), 'utf8') +
      readFileSync(join(out, 'waf-2024.05.01.ndjson'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('demo-token');
    expect(text).not.toContain('session=abc123');
    const blocked = lines(join(out, 'waf-blocked.ndjson'));
    expect(blocked.length).toBe(waf.filter((doc) => doc.action === 'BLOCK').length);
    expect(blocked.length).toBeGreaterThan(0);

    const second = await promisify(execFile)(process.execPath, [BIN, 'demo'], { env });
    expect(second.stdout).toContain('nothing new since the last run (checkpoint)');
    expect(lines(join(out, 'alb-2024.05.01.ndjson'))).toHaveLength(600);
  });
});
