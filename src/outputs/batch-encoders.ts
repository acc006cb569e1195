import { BatchEncoder, type BatchEncoderConfig } from './opensearch/batch-encoder.js';

/** An output's config as outputs/index.ts `OutputConfig` has it, by its `type` (not imported: index.ts re-exports this file). */
type AnyOutputConfig = ({ type: 'opensearch' } & BatchEncoderConfig) | { type: 'stdout' | 'file' };

/**
 * The encoding half of an output, for the outputs whose events the encoded path can encode (only
 * OpenSearch: worker threads, or inline with one thread); undefined for the others, whose
 * pipelines keep the event path. Apart
 * from outputs/index.ts so that a worker thread loads the encoder alone, not every output with
 * its clients (an OpenSearch client and the file and stdout outputs: ~36 MB of RSS per thread).
 */
export function createBatchEncoder(config: AnyOutputConfig): BatchEncoder | undefined {
  return config.type === 'opensearch' ? new BatchEncoder(config) : undefined;
}

export type { BatchEncoder } from './opensearch/batch-encoder.js';
