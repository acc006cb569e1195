import type { Claim, ClaimId, VersionedClaim } from './claim.js';

/**
 * Where claims live, with optimistic concurrency: `save` writes only when the stored version is
 * still `expected` (null: only when none is stored) and returns the new version, or null when
 * another task wrote first. Other failures throw (ERR_CHECKPOINT: the store is the record of
 * what was read). Writes must be atomic: two tasks racing for one claim, exactly one wins.
 */
export interface ClaimStore {
  /** Contacts the store once before the first claim (creates the table when configured to). */
  prepare(): Promise<void>;
  load(id: ClaimId): Promise<VersionedClaim | null>;
  save(claim: Claim, expected: number | null): Promise<number | null>;
  /** For logs: `dynamodb://table`. */
  describe(): string;
}
