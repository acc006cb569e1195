import { describe, expect, it } from 'vitest';
import type { Output } from '../../src/core/components.js';
import { ObjectOffsets, offsetMarkInterval } from '../../src/pipeline/object-offsets.js';
import { RoutedOutput } from '../../src/pipeline/routed-output.js';

function routed(idempotent: boolean | undefined): RoutedOutput {
  const output: Output = {
    type: 'test',
    idempotent,
    start: async () => {},
    write: async () => ({ stored: 0, duplicates: 0, deadLettered: 0 }),
    close: async () => {},
  };
  return new RoutedOutput(output, undefined);
}

describe('offsetMarkInterval', () => {
  it.each([
    [[true], 50_000],
    [[true, true], 50_000],
    [[true, false], 1],
    [[false], 1],
    [[undefined], 1],
    [[true, undefined], 1],
  ])('gives outputs idempotent %j an interval of %i records', (flags, expected) => {
    expect(offsetMarkInterval(flags.map(routed), 50_000)).toBe(expected);
  });
});

describe('ObjectOffsets', () => {
  it.each([
    { start: 0, interval: 1, acknowledged: [2000, 4000], settle: false, marks: [2000, 4000] },
    { start: 0, interval: 5000, acknowledged: [2000, 4000, 6000], settle: false, marks: [6000] },
    { start: 0, interval: 5000, acknowledged: [2000, 4000], settle: true, marks: [4000] },
    { start: 3000, interval: 5000, acknowledged: [5000, 7000], settle: true, marks: [7000] },
    { start: 3000, interval: 1, acknowledged: [], settle: true, marks: [] },
    { start: 0, interval: 1, acknowledged: [2000, 1000], settle: true, marks: [2000] },
    { start: 0, interval: 1, acknowledged: [2000], settle: true, marks: [2000] },
  ])('marks $marks when acknowledgements reach $acknowledged (interval $interval, settled: $settle)', (c) => {
    const marks: number[] = [];
    const offsets = new ObjectOffsets(c.start, c.interval, (record) => marks.push(record));
    for (const record of c.acknowledged) offsets.acknowledge(record);
    if (c.settle) offsets.settle();
    expect(marks).toEqual(c.marks);
  });
});
