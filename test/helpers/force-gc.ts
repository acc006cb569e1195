import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand, without starting vitest with --expose-gc: a memory bound
 * measured after one counts what is held, not garbage a busy machine has not collected yet.
 */
export function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
