import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_SINK, DeliveryLedger, outputSink } from '../../src/pipeline/delivery-ledger.js';

describe('DeliveryLedger', () => {
  it('knows which part took which batch, and no other', () => {
    const ledger = new DeliveryLedger();
    ledger.add(outputSink(0), 1, 2000);
    ledger.add(DEAD_LETTER_SINK, 2001, 4000);
    expect(ledger.has(outputSink(0), 1, 2000)).toBe(true);
    expect(ledger.has(outputSink(1), 1, 2000)).toBe(false);
    expect(ledger.has(DEAD_LETTER_SINK, 1, 2000)).toBe(false);
    expect(ledger.has(outputSink(0), 1, 1999)).toBe(false);
    expect(ledger.has(DEAD_LETTER_SINK, 2001, 4000)).toBe(true);
  });

  it('forgets the batches at or before an acknowledged offset, for every part', () => {
    const ledger = new DeliveryLedger();
    ledger.add(outputSink(0), 1, 2000);
    ledger.add(DEAD_LETTER_SINK, 1, 2000);
    ledger.add(outputSink(0), 2001, 4000);
    ledger.forgetThrough(2000);
    expect(ledger.has(outputSink(0), 1, 2000)).toBe(false);
    expect(ledger.has(DEAD_LETTER_SINK, 1, 2000)).toBe(false);
    expect(ledger.has(outputSink(0), 2001, 4000)).toBe(true);
    expect(ledger.empty).toBe(false);
    ledger.forgetThrough(4000);
    expect(ledger.empty).toBe(true);
  });
});
