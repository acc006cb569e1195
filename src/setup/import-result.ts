/**
 * What the Dashboards import API answered (`POST /api/saved_objects/_import`, HTTP 200 either
 * way): `{success, successCount, successResults, errors}`, where each error names the object
 * and its type (conflict, missing_references, unsupported_type, unknown, ...).
 */
export interface ImportSummary {
  ok: boolean;
  imported: number;
  problems: string[];
}

interface ImportError {
  type?: string;
  id?: string;
  title?: string;
  error?: { type?: string; message?: string; references?: Array<{ type?: string; id?: string }> };
}

function describe(error: ImportError): string {
  const what = `${error.type ?? '?'} ${error.id ?? '?'}${error.title ? ` (${error.title})` : ''}`;
  const kind = error.error?.type ?? 'unknown';
  if (kind === 'missing_references') {
    const missing = (error.error?.references ?? []).map((ref) => `${ref.type} ${ref.id}`).join(', ');
    return `${what}: missing references ${missing}`;
  }
  return `${what}: ${kind}${error.error?.message ? ` ${error.error.message}` : ''}`;
}

export function summarizeImport(body: unknown): ImportSummary {
  const answer = (body ?? {}) as { success?: unknown; successCount?: unknown; errors?: ImportError[] };
  const problems = (answer.errors ?? []).map(describe);
  const imported = typeof answer.successCount === 'number' ? answer.successCount : 0;
  if (typeof answer.success !== 'boolean') {
    return {
      ok: false,
      imported,
      problems: ['the answer is not a saved objects import result (is the URL Dashboards?)'],
    };
  }
  return { ok: answer.success && problems.length === 0, imported, problems };
}
