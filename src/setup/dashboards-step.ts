import { OutputError } from '../core/errors.js';
import { dashboardBundle } from './dashboards/bundles.js';
import { type SavedObject, toNdjson } from './dashboards/saved-object.js';
import { bulkGet, dashboardsClient, importNdjson } from './dashboards-request.js';
import { summarizeImport } from './import-result.js';
import { holdsAll } from './json-subset.js';
import { dashboardsError } from './setup-errors.js';
import type { DashboardsTarget } from './setup-plan.js';
import type { StepResult } from './setup-report.js';

function isStored(found: unknown): boolean {
  return found !== null && typeof found === 'object' && !Object.hasOwn(found, 'error');
}

/**
 * How Dashboards holds the bundle: every object as the bundle has it ('same'; what it adds
 * itself, such as an index pattern's field list, aside), none of them ('absent'), or otherwise.
 */
function compareStored(objects: SavedObject[], stored: unknown[]): 'same' | 'absent' | 'differs' {
  const present = stored.filter(isStored);
  if (present.length === 0) return 'absent';
  const same = objects.every((object) =>
    present.some((found) =>
      holdsAll(
        { type: object.type, id: object.id, attributes: object.attributes, references: object.references },
        found,
      ),
    ),
  );
  return same ? 'same' : 'differs';
}

/**
 * Imports one kind's dashboards with the index pattern set to the outputs' indices, unless
 * Dashboards already holds them exactly. Import errors (conflicts, missing references) fail
 * the step with each object named.
 */
export async function dashboardsStep(target: DashboardsTarget, dryRun: boolean): Promise<StepResult> {
  const bundle = dashboardBundle(target.kind, target.title, target.schema);
  const pipelines = [...new Set(target.covers.map((output) => output.pipeline))];
  const where = `${target.url}${target.tenant ? ` tenant ${target.tenant}` : ''}`;
  const base = { step: 'dashboards' as const, pipelines, subject: bundle.file };
  const client = dashboardsClient(target);
  try {
    const state = compareStored(bundle.objects, await bulkGet(client, target, bundle.objects));
    if (state === 'same')
      return { ...base, outcome: 'unchanged', detail: `${bundle.objects.length} objects in ${where}` };
    const detail = `${bundle.objects.length} objects for ${target.title} into ${where}`;
    if (dryRun) return { ...base, outcome: state === 'absent' ? 'would create' : 'would update', detail };
    const summary = summarizeImport(await importNdjson(client, target, toNdjson(bundle.objects)));
    if (!summary.ok) {
      throw new OutputError(
        'ERR_SETUP',
        `OpenSearch Dashboards at ${target.url} imported ${summary.imported} of ${bundle.objects.length} objects: ${summary.problems.join('; ')}`,
        { pipeline: pipelines.join(', '), dashboards: target.url },
        'Objects with the same ids exist in another form or tenant: check dashboards.tenant, or delete them in Dashboards (Management > Saved objects) and run setup again.',
      );
    }
    return { ...base, outcome: state === 'absent' ? 'created' : 'updated', detail: `imported ${detail}` };
  } catch (error) {
    throw dashboardsError(target.url, target.auth, pipelines, error);
  } finally {
    await client.close();
  }
}
