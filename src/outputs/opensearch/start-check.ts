import type { Client } from '@opensearch-project/opensearch';
import type { ComponentContext } from '../../core/components.js';
import { SluiceError } from '../../core/errors.js';
import { indexPatternWildcard, sanitizeIndexName } from './index-name.js';
import { buildIndexTemplate, type IndexTemplate } from './index-template.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';
import { type ErrorScope, startError } from './output-errors.js';
import { classifyRequestError } from './request-failure.js';

/**
 * Checks the real write path before any event is read: the cluster answers (`GET /`), and the
 * index template is installed when configured. Throws an error that says which setting to fix.
 */
export async function startCheck(
  client: Client,
  config: OpenSearchOutputConfig,
  ctx: ComponentContext,
  scope: ErrorScope,
): Promise<void> {
  const aoss = config.auth?.type === 'aws_sigv4' && config.auth.service === 'aoss';
  try {
    // Serverless collections have no `GET /`; their first real call is the template or the first bulk.
    if (!aoss) await client.info();
    if (config.template) await installTemplate(client, config, ctx);
    else if (aoss) await client.indices.exists({ index: indexPatternWildcard(config.index) });
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw startError(scope, classifyRequestError(error));
  }
}

/** The template an output installs: its name and body (shared with `sluice setup`). */
export async function indexTemplateRequest(
  config: OpenSearchOutputConfig,
  pipeline: string,
  baseDir: string,
): Promise<{ name: string; body: IndexTemplate }> {
  const template = config.template!;
  const overflow = config.overflow_index === undefined ? [] : [sanitizeIndexName(config.overflow_index)];
  const body = await buildIndexTemplate(template, {
    // The overflow index gets the same mappings, so events sent there are as searchable.
    indexPatterns: [indexPatternWildcard(config.index), ...overflow],
    dataStream: config.data_stream,
    baseDir,
  });
  return { name: template.name ?? `sluice-${pipeline}`, body };
}

async function installTemplate(client: Client, config: OpenSearchOutputConfig, ctx: ComponentContext): Promise<void> {
  const { name, body } = await indexTemplateRequest(config, ctx.pipeline, ctx.baseDir);
  await client.indices.putIndexTemplate({ name, body: body as never });
}
