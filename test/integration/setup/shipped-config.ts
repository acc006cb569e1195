import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { repoRoot } from '../../helpers/process.js';
import { openSearchUrl } from '../../helpers/services.js';

/**
 * The shipped pipelines/alb.yml and waf.yml with their parsers and filters untouched, made to
 * run here: the S3 source becomes a file source over the bundled samples (examples/demo/logs
 * and the AWS documentation samples in test/fixtures/parsers), the checkpoint and dead-letter
 * become files, and each OpenSearch output points at the local node with indices and templates
 * named after `prefix` so tests do not meet.
 */
export interface ShippedConfig {
  dir: string;
  path: string;
  prefix: string;
}

export interface ShippedConfigOptions {
  prefix: string;
  /** Added to every OpenSearch output (retention_days, dashboards, auth, ...). */
  output?: Record<string, unknown>;
}

function sampleLogs(dir: string): string {
  const logs = join(dir, 'logs');
  cpSync(join(repoRoot, 'examples/demo/logs/AWSLogs'), join(logs, 'AWSLogs'), { recursive: true });
  mkdirSync(join(logs, 'fixtures/alb'), { recursive: true });
  mkdirSync(join(logs, 'fixtures/waf'), { recursive: true });
  cpSync(join(repoRoot, 'test/fixtures/parsers/alb-docs.log'), join(logs, 'fixtures/alb/alb-docs.log'));
  for (const file of ['waf-docs.log', 'waf-aws-example.json']) {
    cpSync(join(repoRoot, 'test/fixtures/parsers', file), join(logs, 'fixtures/waf', file));
  }
  return logs;
}

const INCLUDE: Record<string, string[]> = {
  alb: ['AWSLogs/**/elasticloadbalancing/**/*.log.gz', 'fixtures/alb/*'],
  waf: ['AWSLogs/**/WAFLogs/**/*.log.gz', 'fixtures/waf/*'],
};

function adapt(file: string, logs: string, dir: string, options: ShippedConfigOptions): string {
  const doc = parseDocument(readFileSync(join(repoRoot, 'pipelines', file), 'utf8'));
  const id = String(doc.getIn(['pipelines', 0, 'id']));
  doc.setIn(['pipelines', 0, 'source'], { type: 'file', path: logs, include: INCLUDE[id] });
  doc.setIn(['pipelines', 0, 'checkpoint'], { type: 'file', directory: join(dir, 'state', id) });
  doc.setIn(['pipelines', 0, 'dead_letter'], { type: 'file', path: join(dir, `dead-letter-${id}.ndjson`) });
  const outputs = doc.getIn(['pipelines', 0, 'outputs']) as { items: unknown[] };
  outputs.items.forEach((_item, n) => {
    const at = (key: string) => ['pipelines', 0, 'outputs', n, key];
    const index = String(doc.getIn(at('index')));
    doc.setIn(at('hosts'), [openSearchUrl()]);
    doc.setIn(at('index'), `${options.prefix}-${index}`);
    doc.deleteIn(at('tls'));
    doc.deleteIn(at('auth'));
    doc.setIn(['pipelines', 0, 'outputs', n, 'template', 'name'], `${options.prefix}-${id}-${n + 1}`);
    doc.setIn(['pipelines', 0, 'outputs', n, 'template', 'number_of_replicas'], 0);
    doc.setIn(at('flush_interval_seconds'), 0.2);
    for (const [key, value] of Object.entries(options.output ?? {})) doc.setIn(at(key), value);
  });
  return doc.toString();
}

export function writeShippedConfig(options: ShippedConfigOptions): ShippedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-setup-'));
  const logs = sampleLogs(dir);
  const config = join(dir, 'config');
  mkdirSync(config);
  for (const file of ['alb.yml', 'waf.yml']) writeFileSync(join(config, file), adapt(file, logs, dir, options));
  return { dir, path: config, prefix: options.prefix };
}

/** Sets one key of the first output of a pipeline file written by writeShippedConfig. */
export function setOutputOption(shipped: ShippedConfig, file: string, key: string, value: unknown): void {
  const path = join(shipped.path, file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  doc.setIn(['pipelines', 0, 'outputs', 0, key], value);
  writeFileSync(path, doc.toString());
}

/** Sets one key at the root of the pipeline of a file written by writeShippedConfig (e.g. `schema`). */
export function setPipelineOption(shipped: ShippedConfig, file: string, key: string, value: unknown): void {
  const path = join(shipped.path, file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  doc.setIn(['pipelines', 0, key], value);
  writeFileSync(path, doc.toString());
}
