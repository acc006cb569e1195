import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import type { ErrorScope } from '../outputs/opensearch/index.js';
import { outputIndexTemplate, redactUrl } from '../outputs/opensearch/index.js';
import { openSearchSetupError } from './setup-errors.js';
import type { OutputTarget } from './setup-plan.js';
import type { StepResult } from './setup-report.js';
import { templateDifferences } from './template-compare.js';

export function errorScope(target: OutputTarget): ErrorScope {
  return {
    pipeline: target.pipeline,
    hosts: target.config.hosts.map(redactUrl).join(', '),
    auth: target.config.auth,
    template: target.config.template !== undefined,
  };
}

/** The template stored under `name`, or undefined when there is none (404). */
async function storedTemplate(client: Client, name: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await client.indices.getIndexTemplate({ name });
    const found = (response.body.index_templates as Array<{ name: string; index_template: unknown }>).find(
      (template) => template.name === name,
    );
    return found?.index_template as Record<string, unknown> | undefined;
  } catch (error) {
    if (error instanceof errors.ResponseError && error.meta.statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Installs the output's index template (the same body the output installs at start) unless
 * the cluster already holds exactly that one; reports created, updated (naming what differed)
 * or unchanged.
 */
export async function templateStep(client: Client, target: OutputTarget, dryRun: boolean): Promise<StepResult> {
  const base = { step: 'template' as const, pipelines: [target.pipeline] };
  const template = await outputIndexTemplate(target.config, target.pipeline, target.baseDir, target.schema);
  if (!template) {
    return { ...base, subject: '-', outcome: 'skipped', detail: `output ${target.position} has no template section` };
  }
  const { name, body } = template;
  const scope = errorScope(target);
  try {
    const stored = await storedTemplate(client, name);
    const differences = stored ? templateDifferences(body, stored) : [];
    if (stored && differences.length === 0) return { ...base, subject: name, outcome: 'unchanged' };
    const detail = stored ? `differs in ${differences.join(', ')}` : `for ${body.index_patterns.join(', ')}`;
    if (dryRun) return { ...base, subject: name, outcome: stored ? 'would update' : 'would create', detail };
    await client.indices.putIndexTemplate({ name, body: body as never });
    return { ...base, subject: name, outcome: stored ? 'updated' : 'created', detail };
  } catch (error) {
    throw openSearchSetupError(
      scope,
      `install the index template ${name}`,
      error,
      'Check the template settings (template.file, number_of_shards) and that the user may read and write index templates (indices:admin/index_template/*).',
    );
  }
}
