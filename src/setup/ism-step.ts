import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { indexPatternWildcard, outputIndexTemplate } from '../outputs/opensearch/index.js';
import { ismPolicy } from './ism-policy.js';
import { holdsAll } from './json-subset.js';
import { openSearchSetupError } from './setup-errors.js';
import type { OutputTarget } from './setup-plan.js';
import type { StepResult } from './setup-report.js';
import { errorScope } from './template-step.js';

const ISM = '/_plugins/_ism';

interface StoredPolicy {
  _seq_no: number;
  _primary_term: number;
  policy: unknown;
}

interface AddResponse {
  updated_indices?: number;
  failed_indices?: Array<{ index_name?: string; reason?: string }>;
}

function reasonOf(error: errors.ResponseError): string {
  const body = error.meta.body as { error?: { reason?: unknown } | string } | undefined;
  const reason = typeof body?.error === 'object' ? body.error.reason : body?.error;
  return typeof reason === 'string' ? reason : '';
}

/** The stored policy; undefined when ISM answers "not found"; 'absent' when the cluster has no ISM plugin. */
async function storedPolicy(client: Client, id: string): Promise<StoredPolicy | undefined | 'absent'> {
  try {
    return (await client.transport.request({ method: 'GET', path: `${ISM}/policies/${encodeURIComponent(id)}` }))
      .body as StoredPolicy;
  } catch (error) {
    if (!(error instanceof errors.ResponseError)) throw error;
    const reason = reasonOf(error);
    // A node without the plugin has no handler for the path (400 in OpenSearch 2.x, 404 or 405 elsewhere).
    if (/no handler found/i.test(reason)) return 'absent';
    if (error.meta.statusCode === 404) return undefined;
    throw error;
  }
}

/** Attaches the policy to existing indices the ism_template cannot reach (it only sees new ones). */
async function attachExisting(client: Client, id: string, patterns: string[]): Promise<number> {
  try {
    const response = await client.transport.request({
      method: 'POST',
      path: `${ISM}/add/${patterns.map(encodeURIComponent).join(',')}`,
      body: { policy_id: id },
    });
    const body = response.body as AddResponse;
    const refused = (body.failed_indices ?? []).filter(
      (failure) => !/already has a policy/i.test(failure.reason ?? ''),
    );
    if (refused.length > 0) {
      const list = refused.map((failure) => `${failure.index_name}: ${failure.reason}`).join('; ');
      throw new Error(`ISM did not attach the policy to ${list}`);
    }
    return body.updated_indices ?? 0;
  } catch (error) {
    if (error instanceof errors.ResponseError && error.meta.statusCode === 404) return 0; // no index yet
    throw error;
  }
}

function skip(target: OutputTarget, subject: string, detail: string): StepResult {
  return { step: 'ism policy', pipelines: [target.pipeline], subject, outcome: 'skipped', detail };
}

/**
 * Installs (or updates) the output's retention policy and attaches it to the indices that
 * already exist. Skipped, saying why, without retention_days, for a fixed index name (it would
 * be deleted whole), on OpenSearch Serverless, and where the ISM plugin is not installed.
 */
export async function ismStep(client: Client, target: OutputTarget, dryRun: boolean): Promise<StepResult> {
  const config = target.config;
  const template = await outputIndexTemplate(config, target.pipeline, target.baseDir, target.schema);
  const id = template?.name ?? `sluice-${target.pipeline}-output-${target.position}`;
  if (config.retention_days === undefined) return skip(target, id, 'the output sets no retention_days');
  if (!config.data_stream && !config.index.includes('%{')) {
    return skip(
      target,
      id,
      `index ${config.index} is one fixed index: deleting it by age would delete all of it; use a date pattern or data_stream`,
    );
  }
  if (config.auth?.type === 'aws_sigv4' && config.auth.service === 'aoss') {
    return skip(target, id, 'OpenSearch Serverless has no ISM: set a data lifecycle policy on the collection');
  }
  const patterns = [indexPatternWildcard(config.index)];
  const desired = ismPolicy({
    indexPatterns: patterns,
    retentionDays: config.retention_days,
    dataStream: config.data_stream,
  });
  const base = { step: 'ism policy' as const, pipelines: [target.pipeline], subject: id };
  try {
    const stored = await storedPolicy(client, id);
    if (stored === 'absent')
      return skip(target, id, 'the cluster has no Index State Management plugin (no _plugins/_ism)');
    const same = stored !== undefined && holdsAll(desired.policy, stored.policy);
    const detail = `delete after ${config.retention_days} days, ${patterns.join(', ')}`;
    if (dryRun) return { ...base, outcome: same ? 'unchanged' : stored ? 'would update' : 'would create', detail };
    if (!same) {
      const query = stored ? `?if_seq_no=${stored._seq_no}&if_primary_term=${stored._primary_term}` : '';
      await client.transport.request({
        method: 'PUT',
        path: `${ISM}/policies/${encodeURIComponent(id)}${query}`,
        body: desired,
      });
      // Indices already managed keep the version they started with until told to change.
      if (stored)
        await client.transport.request({
          method: 'POST',
          path: `${ISM}/change_policy/${patterns.map(encodeURIComponent).join(',')}`,
          body: { policy_id: id },
        });
    }
    const attached = await attachExisting(client, id, patterns);
    const attachedText = attached > 0 ? `; attached to ${attached} existing index(es)` : '';
    if (same && attached === 0) return { ...base, outcome: 'unchanged', detail };
    return { ...base, outcome: same ? 'updated' : stored ? 'updated' : 'created', detail: `${detail}${attachedText}` };
  } catch (error) {
    throw openSearchSetupError(
      errorScope(target),
      `install the ISM policy ${id}`,
      error,
      'Check that the user may manage ISM policies (cluster:admin/opendistro/ism/*) and that no other policy has an ism_template for the same index pattern.',
    );
  }
}
