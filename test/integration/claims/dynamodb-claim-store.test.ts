import { beforeAll, describe, expect, it } from 'vitest';
import { acquireClaim, type ClaimOptions } from '../../../src/claims/claim-holder.js';
import { DynamoClaimStore } from '../../../src/claims/dynamodb-claim-store.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/core/metrics.js';
import { testDynamoClient, uniqueName } from '../../helpers/services.js';

/** Claims on the serial moto, whose conditional writes are atomic (two racing writers, one wins). */
describe('DynamoClaimStore', () => {
  const table = uniqueName('claims');
  const store = new DynamoClaimStore({ client: testDynamoClient(true), table, pipeline: 'p', createTable: true });
  beforeAll(() => store.prepare());
  const options = (owner: string, claimMs = 60_000): ClaimOptions => ({
    store,
    owner,
    claimMs,
    retentionMs: 86_400_000,
    metrics: new Metrics(),
    pipeline: 'p',
    logger: silentLogger(),
  });
  const id = () => ({ pipeline: 'p', bucket: 'logs', key: uniqueName('AWSLogs/k'), etag: 'e1' });

  it('lets exactly one of many racing tasks take a new claim', async () => {
    const version = id();
    const attempts = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((owner) => acquireClaim(version, options(owner))));
    const acquired = attempts.filter((attempt) => attempt.kind === 'acquired');
    expect(acquired).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.kind === 'held')).toHaveLength(4);
    for (const attempt of acquired) await attempt.holder.release();
  });

  it('hands the offset of a released claim to the next task, and absorbs duplicates once done', async () => {
    const version = id();
    const first = await acquireClaim(version, options('a'));
    if (first.kind !== 'acquired') throw new Error(`expected to acquire, got ${first.kind}`);
    first.holder.offset(1234);
    await first.holder.release();
    const second = await acquireClaim(version, options('b'));
    expect(second.kind === 'acquired' && second.record).toBe(1234);
    if (second.kind !== 'acquired') return;
    await second.holder.finish('done');
    expect(await acquireClaim(version, options('c'))).toEqual({ kind: 'finished', state: 'done' });
    const stored = await store.load(version);
    expect(stored?.claim).toMatchObject({ state: 'done', owner: null, record: 1234 });
    expect(stored?.claim.delete_after).toBeGreaterThan(Date.now() / 1000);
  });

  it('takes over an expired claim, and the first holder learns it lost the claim at its next renewal', async () => {
    const version = id();
    const first = await acquireClaim(version, options('a', 3000));
    if (first.kind !== 'acquired') throw new Error(`expected to acquire, got ${first.kind}`);
    first.holder.offset(77);
    // Renewed every second: the offset reaches the store without a release.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await store.load(version))?.claim.record).toBe(77);
    expect((await acquireClaim(version, options('b', 3000))).kind).toBe('held');
    // A task whose clock says the claim expired takes it over, keeping its offset.
    const later = { ...options('b', 3000), now: () => Date.now() + 10_000 };
    const second = await acquireClaim(version, later);
    expect(second).toMatchObject({ kind: 'acquired', record: 77, previousOwner: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(first.holder.lost.aborted).toBe(true);
    if (second.kind === 'acquired') await second.holder.release();
  });
});
