import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsEndpoint, openSearchUrl } from './services.js';

export interface E2ePipelineOptions {
  id: string;
  /** Source bucket on the normal moto endpoint. */
  bucket: string;
  /** The `checkpoint:` value as inline YAML (see s3Checkpoint / dynamodbCheckpoint). */
  checkpoint: string;
  /** OpenSearch index prefix (documents land in `<index>-YYYY.MM.dd`); ignored when `outputs` is given. */
  index?: string;
  /** The `outputs:` list as YAML lines (each starting with `      - `); OpenSearch into `index` by default. */
  outputs?: string;
  /** Extra `source:` fields as YAML lines at six spaces. */
  sourceExtra?: string;
  /** Extra pipeline fields as YAML lines at four spaces (dead_letter, max_object_attempts, ...). */
  pipelineExtra?: string;
}

/** An S3 checkpoint in `bucket` (on the atomic endpoint when asked), lease of `leaseSeconds`. */
export function s3Checkpoint(bucket: string, leaseSeconds = 3, atomic = false): string {
  return `{ type: s3, bucket: ${bucket}, prefix: checkpoints, endpoint: "${awsEndpoint(atomic)}", force_path_style: true, region: us-east-1, lease_seconds: ${leaseSeconds} }`;
}

/** A DynamoDB checkpoint table sluice creates itself. */
export function dynamodbCheckpoint(table: string, leaseSeconds = 3, atomic = false): string {
  return `{ type: dynamodb, table: ${table}, create_table: true, endpoint: "${awsEndpoint(atomic)}", region: us-east-1, lease_seconds: ${leaseSeconds} }`;
}

/**
 * Writes a one-pipeline config (ALB parser, date filter, 1 s polls) to a new temp dir; returns its path and dir.
 * The source reads `AWSLogs/` only, so a checkpoint kept in the same bucket is never read as a log.
 */
export function writePipelineConfig(options: E2ePipelineOptions): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `sluice-e2e-${options.id}-`));
  const outputs =
    options.outputs ??
    `      - type: opensearch
        hosts: ["${openSearchUrl()}"]
        index: "${options.index}-%{+YYYY.MM.dd}"
        flush_events: 1000
        flush_interval_ms: 200`;
  const path = join(dir, 'pipeline.yml');
  writeFileSync(
    path,
    `pipelines:
  - id: ${options.id}
    source:
      type: s3
      bucket: ${options.bucket}
      region: us-east-1
      endpoint: "${awsEndpoint()}"
      force_path_style: true
      prefix: AWSLogs/
      poll_interval_seconds: 1
      max_objects_in_flight: 4
${options.sourceExtra ?? ''}
    parser: { type: alb }
    filters:
      - { type: date, field: time }
    outputs:
${outputs}
    checkpoint: ${options.checkpoint}
${options.pipelineExtra ?? ''}
`,
  );
  return { path, dir };
}
