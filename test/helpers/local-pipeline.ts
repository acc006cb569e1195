import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSluice } from './sluice-process.js';

/** A dead-letter entry as the file dead-letter writes it. */
export interface DeadLetterLine {
  pipeline: string;
  bucket: string;
  key: string;
  etag: string;
  record: number;
  sub?: number;
  code: string;
  reason: string;
  raw?: string;
  doc?: Record<string, unknown>;
}

export interface LocalPipelineOptions {
  id: string;
  /** The `parser:` value as inline YAML, e.g. `{ type: alb }`. */
  parser: string;
  /** The `filters:` list as YAML lines at six spaces (`      - { type: date, field: time }`); none by default. */
  filters?: string;
  /** The `outputs:` list as YAML lines at six spaces; one file output, `out/events.ndjson`, by default. */
  outputs?: string;
  /** Extra pipeline fields as YAML lines at four spaces; a file dead-letter, `dead-letter.ndjson`, by default. */
  pipelineExtra?: string;
  /** Files under the source directory: relative path → content. */
  files: Record<string, string | Buffer>;
}

/**
 * A pipeline on the local disk, for end-to-end runs that need no S3: the file source over
 * `logs/`, a file checkpoint, a file output and a file dead-letter, all in one temp directory.
 */
export class LocalPipeline {
  readonly dir: string;
  readonly config: string;

  constructor(options: LocalPipelineOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `sluice-local-${options.id}-`));
    for (const [path, content] of Object.entries(options.files)) {
      const file = join(this.dir, 'logs', path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, content);
    }
    this.config = join(this.dir, 'pipeline.yml');
    writeFileSync(
      this.config,
      `pipelines:
  - id: ${options.id}
    source: { type: file, path: logs }
    parser: ${options.parser}
    filters:
${options.filters ?? '      []'}
    outputs:
${options.outputs ?? '      - { type: file, path: out/events.ndjson }'}
    checkpoint: { type: file, directory: checkpoints }
${options.pipelineExtra ?? '    dead_letter: { type: file, path: dead-letter.ndjson }'}
`,
    );
  }

  /** The documents the file output wrote (`out/events.ndjson` unless given). */
  events(path = 'out/events.ndjson'): Array<Record<string, unknown>> {
    return this.ndjson(path);
  }

  deadLetters(path = 'dead-letter.ndjson'): DeadLetterLine[] {
    return this.ndjson(path) as unknown as DeadLetterLine[];
  }

  /** The raw text of a file in the pipeline's directory, empty when it does not exist. */
  text(path: string): string {
    const file = join(this.dir, path);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /**
   * Runs `sluice run --once` and waits for it to exit; a run still going after `timeoutMs`
   * (an object retried every poll) is killed and reported with the end of its output.
   */
  async runOnce(timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
    const run = startSluice(['run', '--once', '--config', this.config], env);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const exit = await Promise.race([run.exited, timedOut]);
    clearTimeout(timer);
    if (exit === 'timeout') {
      run.child.kill('SIGKILL');
      await run.exited;
      throw new Error(`sluice run --once did not exit within ${timeoutMs} ms; output:\n${run.output().slice(-4000)}`);
    }
    return { code: exit.code, output: run.output() };
  }

  private ndjson(path: string): Array<Record<string, unknown>> {
    return this.text(path)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** The summary line `sluice run --once` prints on stdout. */
export function summaryOf(output: string): string {
  return output.split('\n').find((line) => line.startsWith('sluice: ')) ?? '';
}
