import { describe, expect, it } from 'vitest';
import { type Claim, claimKey, decideClaim } from '../../src/claims/claim.js';

const id = { pipeline: 'alb', bucket: 'logs', key: 'a/b.log.gz', etag: 'e1' };
const now = 1_000_000;
const claim = (over: Partial<Claim>): Claim => ({
  ...id,
  state: 'in_progress',
  owner: 'task-b',
  expires_at: now + 30_000,
  record: 500,
  updated_at: now - 1000,
  delete_after: 2_000_000,
  ...over,
});

describe('decideClaim', () => {
  it.each<[string, Claim | null, ReturnType<typeof decideClaim>]>([
    ['creates a claim when none is stored', null, { action: 'create' }],
    ['calls a done version finished', claim({ state: 'done', owner: null }), { action: 'finished', state: 'done' }],
    [
      'calls a quarantined version finished',
      claim({ state: 'quarantined', owner: null }),
      { action: 'finished', state: 'quarantined' },
    ],
    ['leaves a live claim of another task', claim({}), { action: 'held', owner: 'task-b', expiresAt: now + 30_000 }],
    [
      'takes over an expired claim, resuming after its record',
      claim({ expires_at: now }),
      { action: 'take', previousOwner: 'task-b', record: 500 },
    ],
    [
      'takes a released claim at once',
      claim({ owner: null, expires_at: 0 }),
      { action: 'take', previousOwner: null, record: 500 },
    ],
    [
      'takes its own live claim again',
      claim({ owner: 'task-a' }),
      { action: 'take', previousOwner: 'task-a', record: 500 },
    ],
  ])('%s', (_what, stored, decision) => {
    expect(decideClaim(stored, 'task-a', now)).toEqual(decision);
  });
});

describe('claimKey', () => {
  it('keeps ids apart that a plain join would confuse', () => {
    const a = claimKey({ pipeline: 'p', bucket: 'b', key: 'x"y', etag: 'e' });
    const b = claimKey({ pipeline: 'p', bucket: 'b', key: 'x', etag: 'y"e' });
    expect(a).not.toBe(b);
    expect(claimKey(id)).toBe('["alb","logs","a/b.log.gz","e1"]');
  });
});
