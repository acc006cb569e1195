import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import { type Claim, type ClaimId, type ClaimState, decideClaim } from './claim.js';
import type { ClaimStore } from './claim-store.js';

export interface ClaimOptions {
  store: ClaimStore;
  /** This task (createOwnerId). */
  owner: string;
  /** A claim lasts this long without renewal. */
  claimMs: number;
  /** A finished claim is kept this long (its TTL), to absorb late duplicates. */
  retentionMs: number;
  metrics: Metrics;
  pipeline: string;
  logger: Logger;
  now?: () => number;
}

export type ClaimAttempt =
  | { kind: 'acquired'; holder: ClaimHolder; record: number; previousOwner?: string | null }
  | { kind: 'finished'; state: 'done' | 'quarantined' }
  | { kind: 'held'; owner: string; expiresAt: number };

/** Writes that race with another task are decided again from what it wrote, this many times. */
const RACE_ATTEMPTS = 3;

/**
 * Takes the claim of one object version, or says why not (finished before, held by another
 * task). Two tasks racing for one claim: the store's conditional write lets exactly one win;
 * the loser reads the winner's claim and decides again.
 */
export async function acquireClaim(id: ClaimId, options: ClaimOptions): Promise<ClaimAttempt> {
  const now = options.now ?? Date.now;
  const labels = { pipeline: options.pipeline };
  for (let attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
    const stored = await options.store.load(id);
    const decision = decideClaim(stored?.claim ?? null, options.owner, now());
    if (decision.action === 'finished') {
      options.metrics.claims.inc({ ...labels, outcome: 'finished' });
      return { kind: 'finished', state: decision.state };
    }
    if (decision.action === 'held') {
      options.metrics.claims.inc({ ...labels, outcome: 'held' });
      return { kind: 'held', owner: decision.owner, expiresAt: decision.expiresAt };
    }
    const record = decision.action === 'take' ? decision.record : 0;
    const claim = claimFor(id, 'in_progress', options.owner, record, options, now());
    const version = await options.store.save(claim, stored?.version ?? null);
    if (version === null) continue;
    const holder = new ClaimHolder(claim, version, options);
    if (decision.action === 'create') {
      options.metrics.claims.inc({ ...labels, outcome: 'created' });
      return { kind: 'acquired', holder, record };
    }
    const outcome = decision.previousOwner === null ? 'resumed' : 'taken_over';
    options.metrics.claims.inc({ ...labels, outcome });
    return { kind: 'acquired', holder, record, previousOwner: decision.previousOwner };
  }
  // Every write lost a race: another task is at it.
  options.metrics.claims.inc({ ...labels, outcome: 'held' });
  return { kind: 'held', owner: 'another task', expiresAt: now() + options.claimMs };
}

function claimFor(
  id: ClaimId,
  state: ClaimState,
  owner: string | null,
  record: number,
  options: ClaimOptions,
  now: number,
  reason?: string,
): Claim {
  const live = state === 'in_progress' && owner !== null;
  return {
    pipeline: id.pipeline,
    bucket: id.bucket,
    key: id.key,
    etag: id.etag,
    state,
    owner,
    expires_at: live ? now + options.claimMs : 0,
    record,
    ...(reason === undefined ? {} : { reason }),
    updated_at: now,
    delete_after: Math.ceil((now + options.retentionMs) / 1000),
  };
}

/**
 * A claim this task holds: renewed every third of its duration with the offset reached, until
 * it is finished or released. A renewal that finds another version written means another task
 * took the object over (this one was too slow to renew): `lost` aborts, and nothing more is written.
 */
export class ClaimHolder {
  private readonly lostController = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private record: number;
  private settled = false;
  /** Writes go one after the other: each is conditional on the version the previous one wrote. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private claim: Claim,
    private version: number,
    private readonly options: ClaimOptions,
  ) {
    this.record = claim.record;
    this.timer = setInterval(() => void this.renew(), Math.max(250, Math.floor(options.claimMs / 3)));
    this.timer.unref();
  }

  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Every record up to and including `record` is acknowledged: the next renewal stores it. */
  offset(record: number): void {
    if (record > this.record) this.record = record;
  }

  /** Finished (done, or quarantined with its entry in the dead-letter): duplicates are absorbed from now on. */
  finish(state: 'done' | 'quarantined', reason?: string): Promise<void> {
    return this.settle(state, null, reason);
  }

  /** Not finished (a drain, a pause): another task may take it at once and resume after the offset. */
  release(): Promise<void> {
    return this.settle('in_progress', null);
  }

  private settle(state: ClaimState, owner: string | null, reason?: string): Promise<void> {
    clearInterval(this.timer);
    if (this.settled || this.lost.aborted) return Promise.resolve();
    this.settled = true;
    return this.write(state, owner, reason, true).catch((error: unknown) => {
      // Not recorded: a release (or the next finish) may still be written.
      this.settled = false;
      throw error;
    });
  }

  private renew(): Promise<void> {
    if (this.settled || this.lost.aborted) return Promise.resolve();
    return this.write('in_progress', this.options.owner, undefined, false).catch((error: unknown) => {
      // The store did not answer: keep trying until the claim would have expired, then stop.
      const now = (this.options.now ?? Date.now)();
      this.options.logger.warn({ err: errorMessage(error) }, 'could not renew an object claim');
      if (now >= this.claim.expires_at) this.lose('expired while the claim store was unreachable');
    });
  }

  private write(state: ClaimState, owner: string | null, reason: string | undefined, final: boolean): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.lost.aborted) return;
      const now = (this.options.now ?? Date.now)();
      const claim = claimFor(this.claim, state, owner, this.record, this.options, now, reason);
      const version = await this.options.store.save(claim, this.version);
      if (version === null) {
        this.lose(final ? 'taken over before it was recorded' : 'taken over by another task');
        return;
      }
      this.claim = claim;
      this.version = version;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private lose(why: string): void {
    clearInterval(this.timer);
    if (this.lost.aborted) return;
    const { key, bucket } = this.claim;
    this.options.logger.warn({ bucket, key, why }, 'object claim lost; this task stops working on it');
    this.options.metrics.claims.inc({ pipeline: this.options.pipeline, outcome: 'lost' });
    this.lostController.abort(new Error(`claim lost: ${why}`));
  }
}
