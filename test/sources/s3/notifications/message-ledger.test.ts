import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { Metrics } from '../../../../src/core/metrics.js';
import { MessageLedger, type RecordSettlement } from '../../../../src/sources/s3/notifications/message-ledger.js';
import type { ReceivedMessage, SqsQueue } from '../../../../src/sources/s3/notifications/sqs-queue.js';
import type { VisibilityHeartbeat } from '../../../../src/sources/s3/notifications/visibility-heartbeat.js';

/** Records what the ledger asks of SQS and the heartbeat. */
function setUp() {
  const calls: string[] = [];
  const queue = {
    delete: async (handle: string) => {
      calls.push(`delete ${handle}`);
    },
    changeVisibility: async (handles: string[], seconds: number) => {
      calls.push(`visible ${handles.join(',')} in ${seconds}`);
      return handles.map((receiptHandle) => ({ receiptHandle }));
    },
  } as unknown as SqsQueue;
  const tracked = new Set<string>();
  const heartbeat = {
    track: (handle: string) => tracked.add(handle),
    untrack: (handle: string) => tracked.delete(handle),
  } as unknown as VisibilityHeartbeat;
  const ledger = new MessageLedger(queue, heartbeat, new Metrics(), 'p', silentLogger());
  return { ledger, calls, tracked };
}

const message = (id: string): ReceivedMessage => ({
  id,
  body: '{}',
  receiptHandle: `h-${id}`,
  receivedAt: 0,
  receiveCount: 1,
});

describe('MessageLedger', () => {
  it.each<[string, RecordSettlement[], string[]]>([
    ['deletes a message when its one record is done', ['done'], ['delete h-m']],
    ['deletes a message only when every record is done', ['done', 'done', 'done'], ['delete h-m']],
    [
      'makes a message visible at once when a record is drained',
      ['done', { visibleInSeconds: 0 }],
      ['visible h-m in 0'],
    ],
    [
      'makes a message visible at the earliest release asked for',
      [{ visibleInSeconds: 30 }, { visibleInSeconds: 0 }, 'done'],
      ['visible h-m in 0'],
    ],
    ['prefers a release to a lapse', ['lapse', { visibleInSeconds: 30 }], ['visible h-m in 30']],
    ['leaves a message to lapse when its object is held elsewhere', ['done', 'lapse'], []],
  ])('%s', async (_what, settlements, expected) => {
    const { ledger, calls, tracked } = setUp();
    const entry = ledger.add(message('m'), settlements.length);
    for (const [index, how] of settlements.entries()) {
      expect(calls).toEqual([]);
      expect(tracked.has('h-m')).toBe(true);
      ledger.settle(entry, how);
      if (index < settlements.length - 1) await ledger.settled();
    }
    await ledger.settled();
    expect(calls).toEqual(expected);
    expect(tracked.size).toBe(0);
  });

  it('settles nothing twice when a record is settled after the message ended', async () => {
    const { ledger, calls } = setUp();
    const entry = ledger.add(message('m'), 1);
    ledger.settle(entry, 'done');
    ledger.settle(entry, { visibleInSeconds: 0 });
    await ledger.settled();
    expect(calls).toEqual(['delete h-m']);
  });

  it('makes every message still held visible at once when released at the end', async () => {
    const { ledger, calls, tracked } = setUp();
    ledger.add(message('a'), 1);
    ledger.add(message('b'), 2);
    await ledger.releaseAll();
    expect(calls).toEqual(['visible h-a,h-b in 0']);
    expect(tracked.size).toBe(0);
  });
});
