import { describe, expect, it } from 'vitest';
import {
  heartbeatTickMs,
  MAX_VISIBILITY_MS,
  planVisibility,
  VISIBILITY_LIMIT_MARGIN_MS,
} from '../../../../src/sources/s3/notifications/visibility-plan.js';

const received = 1_000_000;

describe('planVisibility', () => {
  it.each([
    ['before half the timeout passed', received, received + 14_999, { action: 'wait' }],
    ['at half the timeout', received, received + 15_000, { action: 'extend', visibilitySeconds: 30 }],
    [
      'long after the last extension',
      received + 60_000,
      received + 80_000,
      { action: 'extend', visibilitySeconds: 30 },
    ],
    ['half a timeout after the last extension', received + 60_000, received + 74_000, { action: 'wait' }],
  ])('decides %s', (_when, setAt, now, step) => {
    expect(planVisibility({ receivedAt: received, setAt }, 30, now)).toEqual(step);
  });

  it('extends by less than the timeout when the 12-hour ceiling is near', () => {
    const ceiling = received + MAX_VISIBILITY_MS - VISIBILITY_LIMIT_MARGIN_MS;
    const now = ceiling - 10_500;
    expect(planVisibility({ receivedAt: received, setAt: now - 20_000 }, 30, now)).toEqual({
      action: 'extend',
      visibilitySeconds: 10,
    });
  });

  it('stops when the ceiling leaves less than a second', () => {
    const ceiling = received + MAX_VISIBILITY_MS - VISIBILITY_LIMIT_MARGIN_MS;
    expect(planVisibility({ receivedAt: received, setAt: ceiling - 20_000 }, 30, ceiling - 500)).toEqual({
      action: 'stop',
    });
  });

  it('never plans a visibility that ends past 12 hours after the receive', () => {
    for (let now = received; now < received + MAX_VISIBILITY_MS; now += 7_919_000) {
      const step = planVisibility({ receivedAt: received, setAt: received }, 43_200, now);
      if (step.action === 'extend') {
        expect(now + step.visibilitySeconds * 1000).toBeLessThanOrEqual(received + MAX_VISIBILITY_MS);
      }
    }
  });
});

describe('heartbeatTickMs', () => {
  it.each([
    [1, 200],
    [5, 500],
    [30, 1000],
    [43_200, 1000],
  ])('looks every %s s timeout at %s ms', (timeout, tick) => {
    expect(heartbeatTickMs(timeout)).toBe(tick);
  });
});
