import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/core/byte-budget.js';

/** Settles pending promise callbacks so a test can see which reservations were admitted. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { admitted: boolean; error?: unknown } {
  const state: { admitted: boolean; error?: unknown } = { admitted: false };
  promise.then(
    () => {
      state.admitted = true;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

describe('ByteBudget', () => {
  it.each([
    { case: 'fits under the limit', limit: 100, held: 0, bytes: 40, admitted: true },
    { case: 'fills the limit exactly', limit: 100, held: 60, bytes: 40, admitted: true },
    { case: 'would pass the limit', limit: 100, held: 61, bytes: 40, admitted: false },
    { case: 'is larger than the limit and nothing is reserved', limit: 100, held: 0, bytes: 250, admitted: true },
    { case: 'is larger than the limit and something is reserved', limit: 100, held: 1, bytes: 250, admitted: false },
    { case: 'is empty and the budget is full', limit: 100, held: 100, bytes: 0, admitted: true },
  ])('admits at once ($admitted) when a reservation $case', ({ limit, held, bytes, admitted }) => {
    const budget = new ByteBudget(limit);
    if (held > 0) expect(budget.tryReserve(held)).toBe(true);
    expect(budget.tryReserve(bytes)).toBe(admitted);
    expect(budget.used).toBe(admitted ? held + bytes : held);
  });

  it('waits for a release when a reservation does not fit, then holds its bytes', async () => {
    const budget = new ByteBudget(100);
    await budget.reserve(80);
    const waiting = track(budget.reserve(30));
    await settle();
    expect(waiting.admitted).toBe(false);
    expect(budget.waiting).toBe(1);
    budget.release(50);
    await settle();
    expect(waiting.admitted).toBe(true);
    expect(budget.used).toBe(60);
    expect(budget.waiting).toBe(0);
  });

  it('admits every waiter that fits after one release, in arrival order', async () => {
    const budget = new ByteBudget(100);
    await budget.reserve(100);
    const first = track(budget.reserve(40));
    const second = track(budget.reserve(40));
    const third = track(budget.reserve(40));
    budget.release(100);
    await settle();
    expect([first.admitted, second.admitted, third.admitted]).toEqual([true, true, false]);
    expect(budget.used).toBe(80);
  });

  it('lets nobody overtake a waiter when later reservations would fit', async () => {
    const budget = new ByteBudget(100);
    await budget.reserve(50);
    const large = track(budget.reserve(90));
    expect(budget.tryReserve(10)).toBe(false);
    const small = track(budget.reserve(10));
    await settle();
    expect([large.admitted, small.admitted]).toEqual([false, false]);
    budget.release(50);
    await settle();
    expect([large.admitted, small.admitted]).toEqual([true, true]);
    expect(budget.used).toBe(100);
  });

  it('admits a reservation larger than the limit once everything else is released', async () => {
    const budget = new ByteBudget(100);
    await budget.reserve(10);
    const huge = track(budget.reserve(500));
    await settle();
    expect(huge.admitted).toBe(false);
    budget.release(10);
    await settle();
    expect(huge.admitted).toBe(true);
    expect(budget.used).toBe(500);
  });

  it('rejects with the reason and reserves nothing when the signal aborts while waiting', async () => {
    const budget = new ByteBudget(100);
    await budget.reserve(95);
    const controller = new AbortController();
    const blocked = track(budget.reserve(50, controller.signal));
    const behind = track(budget.reserve(5));
    controller.abort(new Error('draining'));
    await settle();
    expect(blocked.admitted).toBe(false);
    expect((blocked.error as Error).message).toBe('draining');
    // The aborted waiter no longer holds back the one behind it, which fits.
    expect(behind.admitted).toBe(true);
    expect(budget.used).toBe(100);
  });

  it('rejects without reserving when the signal is already aborted, even if the bytes fit', async () => {
    const budget = new ByteBudget(100);
    const reason = new Error('stopped');
    await expect(budget.reserve(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(budget.used).toBe(0);
  });

  it('throws when more bytes are released than are reserved', () => {
    const budget = new ByteBudget(100);
    budget.tryReserve(10);
    expect(() => budget.release(11)).toThrow(RangeError);
    expect(budget.used).toBe(10);
  });

  it('refuses a limit that is not positive', () => {
    expect(() => new ByteBudget(0)).toThrow(RangeError);
  });
});
