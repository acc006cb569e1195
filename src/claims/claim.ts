/**
 * A claim: which task works on one object version for one pipeline, how far it got, and whether
 * the version is finished. Every task of a notification pipeline shares them (claims/ stores);
 * docs/ARCHITECTURE.md, "Notification mode", says why.
 */

/** The object version a claim is about, for one pipeline (two pipelines read the same object apart). */
export interface ClaimId {
  pipeline: string;
  bucket: string;
  key: string;
  etag: string;
}

export type ClaimState = 'in_progress' | 'done' | 'quarantined';

export interface Claim extends ClaimId {
  state: ClaimState;
  /** The task working on it; null once released (a drain) or finished. */
  owner: string | null;
  /** Epoch ms, on the owner's clock: after it, another task may take the claim over. */
  expires_at: number;
  /** Every record up to and including this one is acknowledged. */
  record: number;
  /** Why a finished version was not read whole: the quarantine reason, or why it was skipped. */
  reason?: string;
  updated_at: number;
  /** Epoch seconds: the store's TTL removes the claim after it (DynamoDB TTL, an S3 lifecycle rule). */
  delete_after: number;
}

/** A stored claim and the version a write must name to replace it. */
export interface VersionedClaim {
  claim: Claim;
  version: number;
}

/** The store's key of a claim: one string that cannot be produced by another id. */
export function claimKey(id: ClaimId): string {
  return JSON.stringify([id.pipeline, id.bucket, id.key, id.etag]);
}

/** What a task that received a notification does about the claim it finds. */
export type ClaimDecision =
  /** None yet: create it. */
  | { action: 'create' }
  /** Expired (its owner stopped renewing) or released: take it over and resume after its record. */
  | { action: 'take'; previousOwner: string | null; record: number }
  /** Finished before: the notification is a duplicate. */
  | { action: 'finished'; state: 'done' | 'quarantined' }
  /** Another task works on it: leave the message, it comes back later. */
  | { action: 'held'; owner: string; expiresAt: number };

/** Decides from the stored claim (or none), this task's owner id and the time. Pure. */
export function decideClaim(stored: Claim | null, owner: string, now: number): ClaimDecision {
  if (!stored) return { action: 'create' };
  if (stored.state !== 'in_progress') return { action: 'finished', state: stored.state };
  if (stored.owner !== null && stored.owner !== owner && stored.expires_at > now) {
    return { action: 'held', owner: stored.owner, expiresAt: stored.expires_at };
  }
  return { action: 'take', previousOwner: stored.owner, record: stored.record };
}
