import type { Client } from '@opensearch-project/opensearch';
import type { ComponentContext } from '../../core/components.js';
import { SluiceError } from '../../core/errors.js';
import { indexPatternWildcard } from './index-name.js';
import type { IndexTemplate } from './index-template.js';
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
  /** The template body OpenSearchOutput.prepare() built; undefined without a template. */
  template: IndexTemplate | undefined,
): Promise<void> {
  const aoss = config.auth?.type === 'aws_sigv4' && config.auth.service === 'aoss';
  try {
    // Serverless collections have no `GET /`; their first real call is the template or the first bulk.
    if (!aoss) await client.info();
    if (config.template && template) await installTemplate(client, config, ctx, template);
    else if (aoss) await client.indices.exists({ index: indexPatternWildcard(config.index) });
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw startError(scope, classifyRequestError(error));
  }
}

async function installTemplate(
  client: Client,
  config: OpenSearchOutputConfig,
  ctx: ComponentContext,
  body: IndexTemplate,
): Promise<void> {
  const name = config.template?.name ?? `sluice-${ctx.pipeline}`;
  await client.indices.putIndexTemplate({ name, body: body as never });
}
