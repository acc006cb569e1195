import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { albKey, albObject } from '../../helpers/alb-data.js';
import { awsEndpoint, testS3Client, uniqueName } from '../../helpers/services.js';
import { startSluice, waitFor } from '../../helpers/sluice-process.js';

interface SavedState {
  done: Record<string, unknown>;
  in_progress: Record<string, { record: number }>;
}

/**
 * Reads the output folder as it grows: each file's complete lines since the last call (a line
 * cut by the kill is left for the next run, which cuts it off before it appends).
 */
class OutputReader {
  private readonly offsets = new Map<string, number>();

  constructor(private readonly folder: string) {}

  newLines(): string[] {
    if (!existsSync(this.folder)) return [];
    const lines: string[] = [];
    for (const name of readdirSync(this.folder)) {
      const path = join(this.folder, name);
      const from = this.offsets.get(path) ?? 0;
      const size = statSync(path).size;
      if (size <= from) continue;
      const buffer = Buffer.alloc(size - from);
      const fd = openSync(path, 'r');
      readSync(fd, buffer, 0, buffer.length, from);
      closeSync(fd);
      const end = buffer.lastIndexOf(0x0a);
      if (end === -1) continue;
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) lines.push(line);
      this.offsets.set(path, from + end + 1);
    }
    return lines;
  }
}

/** `Root=1-<object>-<line>` of an output line. */
function traceOf(line: string): { object: number; record: number; trace: string } {
  const trace = (JSON.parse(line) as { trace_id: string }).trace_id;
  const [, object, record] = /^Root=1-(\d+)-(\d+)$/.exec(trace)!;
  return { object: Number(object), record: Number(record), trace };
}

/**
 * What the file output promises across SIGKILLs (docs/GUARANTEES.md): it is not idempotent, so
 * records acknowledged after the last checkpoint save are appended again by the next worker;
 * nothing else is. After each kill the test reads the lines written since the previous kill and
 * the checkpoint as saved, and counts the lines the checkpoint does not cover: they are exactly
 * the lines that will be written again. At the end every record is in the files, and the
 * duplicates are exactly those lines, no more.
 */
describe('the file output across SIGKILLs', () => {
  const s3 = testS3Client();

  it('appends again only the lines acknowledged after the last checkpoint save when the process is killed 8 times', async () => {
    const bucket = uniqueName('kill-file');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const sizes: number[] = [];
    for (let i = 0; i < 240; i++) sizes.push(i % 40 === 0 ? 12_000 : i % 7 === 0 ? 1500 : 1 + ((i * 37) % 300));
    const expected = sizes.reduce((a, b) => a + b, 0);
    const keys = sizes.map((_, i) => albKey('', new Date(Date.now() - (i % 3) * 86_400_000), i));
    const uploads = new PQueue({ concurrency: 16 });
    sizes.forEach((lines, i) => {
      void uploads.add(() =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys[i], Body: albObject(i, lines) })),
      );
    });
    await uploads.onIdle();

    const dir = mkdtempSync(join(tmpdir(), 'sluice-kill-file-'));
    const config = join(dir, 'pipeline.yml');
    writeFileSync(
      config,
      `pipelines:
  - id: kill-file
    source:
      type: s3
      bucket: ${bucket}
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      poll_interval_seconds: 1
      max_objects_in_flight: 4
    parser: { type: alb }
    filters:
      - { type: date, field: time }
    outputs:
      - { type: file, path: "out/alb-%{+YYYY-MM-dd}.ndjson" }
    checkpoint: { type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint()}", force_path_style: true, region: us-east-1, lease_seconds: 3 }
`,
    );
    const saved = async (): Promise<SavedState> => {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'checkpoints/kill-file.json' }));
      return JSON.parse(await got.Body!.transformToString()) as SavedState;
    };
    const reader = new OutputReader(join(dir, 'out'));
    const copies = new Map<string, number>();
    const count = (lines: string[]) => {
      for (const line of lines) {
        const { trace } = traceOf(line);
        copies.set(trace, (copies.get(trace) ?? 0) + 1);
      }
    };

    const unsavedAtKills: number[] = [];
    while (unsavedAtKills.length < 8) {
      const run = startSluice(['run', '--config', config]);
      await waitFor(() => run.output().includes('lease held'), 20_000, 'the lease').catch((error) => {
        throw new Error(`${(error as Error).message}; process output:\n${run.output().slice(-3000)}`);
      });
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 2500));
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      // The lines this run wrote that the checkpoint it saved does not cover: the next runs write them again.
      const state = await saved();
      const lines = reader.newLines();
      count(lines);
      const unsaved = lines.filter((line) => {
        const { object, record } = traceOf(line);
        const key = keys[object]!;
        return !(key in state.done) && (state.in_progress[key]?.record ?? 0) < record;
      });
      unsavedAtKills.push(unsaved.length);
    }

    const final = startSluice(['run', '--config', config]);
    // The last killed run may have finished every object: wait for this one to be running (its
    // stop handlers installed, the lease held) before asking it to drain.
    await waitFor(() => final.output().includes('lease held'), 20_000, 'the lease').catch((error) => {
      throw new Error(`${(error as Error).message}; process output:\n${final.output().slice(-3000)}`);
    });
    await waitFor(
      async () => Object.keys((await saved()).done).length === sizes.length,
      150_000,
      'every object done',
    ).catch((error) => {
      throw new Error(`${(error as Error).message}; process output:\n${final.output().slice(-4000)}`);
    });
    final.child.kill('SIGTERM');
    expect((await final.exited).code, final.output().slice(-2000)).toBe(0);
    count(reader.newLines());

    const lines = [...copies.values()].reduce((a, b) => a + b, 0);
    const duplicates = lines - copies.size;
    const unsaved = unsavedAtKills.reduce((a, b) => a + b, 0);
    console.log(
      `file output kill test: ${sizes.length} objects, ${expected} records, ${unsavedAtKills.length} SIGKILLs; ` +
        `lines acknowledged after the last save at each kill: ${unsavedAtKills.join(', ')}; ` +
        `${lines} lines, ${duplicates} duplicates (${((duplicates / expected) * 100).toFixed(1)}%)`,
    );
    expect(copies.size).toBe(expected);
    expect(duplicates).toBe(unsaved);
  }, 400_000);
});
