import { existsSync, readFileSync } from 'node:fs';

/** What a running sluice's /readyz answers: the status and each pipeline's state. */
export interface Readiness {
  status: number;
  body: { pipelines: Record<string, { state: string; detail?: string; lastError?: string }> };
}

export async function readiness(port: number): Promise<Readiness> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

/** The documents of an NDJSON file (a file output or dead-letter), none when it does not exist yet. */
export function ndjson(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The done-set of a file checkpoint (`{ version, state }`), empty when nothing was saved yet. */
export function doneSet(path: string): Record<string, { etag: string; failed?: string }> {
  if (!existsSync(path)) return {};
  return (JSON.parse(readFileSync(path, 'utf8')) as { state: { done: Record<string, { etag: string }> } }).state.done;
}
