import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A lease owner id unique to this process: host, pid and a random part, so two ECS tasks
 * (or a restarted task that reuses a pid) never mistake each other's lease for their own.
 */
export function createOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
