import { isDeepStrictEqual } from 'node:util';

/**
 * What decides whether a running pipeline must restart: its resolved config (after `${VAR}`
 * interpolation and schema defaults) and the folder its relative paths resolve against. The
 * file it is written in and its place there only position messages: moving a pipeline to
 * another file, or reordering a file, restarts nothing.
 */
export interface PipelineDefinition {
  id: string;
  config: unknown;
  baseDir: string;
}

/** What a reload does to each pipeline id, each list in the order the new config (or the old one, for `stop`) gives. */
export interface ReloadPlan {
  /** Same definition: left running, not drained, its lease kept. */
  keep: string[];
  /** Changed definition: drained, then started with the new one. */
  restart: string[];
  /** Only in the new config: started. */
  start: string[];
  /** Only in the old config: drained and stopped. */
  stop: string[];
}

/** Compares the running pipelines with the new config's: keep, restart, start or stop each one. */
export function planReload(running: readonly PipelineDefinition[], wanted: readonly PipelineDefinition[]): ReloadPlan {
  const before = new Map(running.map((definition) => [definition.id, definition]));
  const after = new Set(wanted.map((definition) => definition.id));
  const plan: ReloadPlan = { keep: [], restart: [], start: [], stop: [] };
  for (const definition of wanted) {
    const old = before.get(definition.id);
    if (!old) plan.start.push(definition.id);
    else if (sameDefinition(old, definition)) plan.keep.push(definition.id);
    else plan.restart.push(definition.id);
  }
  for (const definition of running) if (!after.has(definition.id)) plan.stop.push(definition.id);
  return plan;
}

/** True when the reload changes nothing that runs. */
export function changesNothing(plan: ReloadPlan): boolean {
  return plan.restart.length === 0 && plan.start.length === 0 && plan.stop.length === 0;
}

// Deep equality ignores key order, so `{ a, b }` and `{ b, a }` are the same setting; arrays
// (filters, outputs) keep their order, which matters.
function sameDefinition(a: PipelineDefinition, b: PipelineDefinition): boolean {
  return a.baseDir === b.baseDir && isDeepStrictEqual(a.config, b.config);
}
