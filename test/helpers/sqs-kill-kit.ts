import { GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ClaimId, claimKey } from '../../src/claims/claim.js';
import { CLAIM_KEY_ATTRIBUTE } from '../../src/claims/dynamodb-claim-store.js';
import { documentId } from '../../src/core/document-id.js';
import { testDynamoClient, testOpenSearchClient } from './services.js';
import { type SluiceProcess, startSluice } from './sluice-process.js';

/**
 * Helpers of the notification-mode kill tests (test/integration/exactly-once/sqs-kill*.test.ts):
 * a seeded random source, a group of `sluice run` tasks killed and replaced, copies of the
 * notifications S3 itself sent, the claim table as the tasks see it, and every stored `_id`.
 */

/** The seed of this run: `SLUICE_TEST_SEED` replays a failed one, else a fresh one. */
export function testSeed(): number {
  const given = process.env.SLUICE_TEST_SEED;
  return given ? Number(given) >>> 0 : Math.floor(Math.random() * 0xffffffff) >>> 0;
}

/** A seeded pseudo-random source in [0, 1) (xorshift32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/** Tasks of one pipeline: SIGKILLed one at a time and replaced, their output kept. */
export class SluiceTasks {
  readonly live: SluiceProcess[] = [];
  private readonly ended: string[] = [];

  constructor(
    private readonly args: string[],
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.live.push(startSluice(args));
  }

  /** The live task with this pid (an owner id is host:pid:random). */
  byPid(pid: number): SluiceProcess | undefined {
    return this.live.find((task) => task.child.pid === pid);
  }

  /** SIGKILLs `victim`, waits for it to die, and starts a replacement. */
  async killAndReplace(victim: SluiceProcess): Promise<void> {
    const at = this.live.indexOf(victim);
    if (at < 0) throw new Error('the victim is not a live task');
    this.live.splice(at, 1);
    victim.child.kill('SIGKILL');
    const exit = await victim.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`the victim ended by ${exit.signal ?? exit.code}, not SIGKILL`);
    this.ended.push(victim.output());
    this.live.push(startSluice(this.args));
  }

  /** SIGTERMs every live task; the exit of each (a drain ends with 0). */
  async stopAll(): Promise<Array<{ code: number | null; output: string }>> {
    for (const task of this.live) task.child.kill('SIGTERM');
    const exits = [];
    for (const task of this.live.splice(0)) {
      const exit = await task.exited;
      this.ended.push(task.output());
      exits.push({ code: exit.code, output: task.output() });
    }
    return exits;
  }

  /** Everything every task (dead or alive) wrote. */
  outputs(): string {
    return [...this.ended, ...this.live.map((task) => task.output())].join('\n');
  }

  /** The last lines of each live task, for a failure message. */
  tails(chars = 1500): string {
    return this.live.map((task) => task.output().slice(-chars)).join('\n---\n');
  }
}

/**
 * Copies of notification bodies S3 itself put in the queue (up to `want`): messages are
 * received, their bodies kept, and made visible again at once, so the queue is as it was.
 */
export async function notificationBodies(sqs: SQSClient, queueUrl: string, want: number): Promise<string[]> {
  const bodies: string[] = [];
  const handles: string[] = [];
  for (let empty = 0; bodies.length < want && empty < 2; ) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 1,
      }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) empty++;
    for (const message of messages) {
      handles.push(message.ReceiptHandle!);
      // S3's test event (sent when notifications are set up) is no object's notification.
      if (!message.Body!.includes('s3:TestEvent')) bodies.push(message.Body!);
    }
  }
  for (let i = 0; i < handles.length; i += 10) {
    const entries = handles
      .slice(i, i + 10)
      .map((handle, n) => ({ Id: String(n), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  return bodies.slice(0, want);
}

export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/** The keys an S3 notification body names (form-decoded as S3 encodes them). */
export function notifiedKeys(body: string): string[] {
  const parsed = JSON.parse(body) as { Records?: Array<{ s3: { object: { key: string } } }> };
  return (parsed.Records ?? []).map((record) => decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')));
}

export interface StoredClaim {
  state: string;
  owner: string | null;
  record: number;
}

/** One claim as the DynamoDB claim store wrote it (on the serial moto), or undefined (none yet, or no table yet). */
export async function readClaim(table: string, id: ClaimId): Promise<StoredClaim | undefined> {
  const got = await testDynamoClient(true)
    .send(
      new GetItemCommand({
        TableName: table,
        Key: { [CLAIM_KEY_ATTRIBUTE]: { S: claimKey(id) } },
        ConsistentRead: true,
      }),
    )
    .catch((error: unknown) => {
      // The first task creates the table when it starts.
      if (error instanceof ResourceNotFoundException) return { Item: undefined };
      throw error;
    });
  const item = got.Item;
  if (!item) return undefined;
  return {
    state: item.state?.S ?? '',
    owner: item.owner?.S ?? null,
    record: Number(item.record?.N ?? 0),
  };
}

/** The pid in an owner id (`host:pid:random`, checkpoint/owner-id.ts). */
export function ownerPid(owner: string): number {
  return Number(owner.split(':')[1]);
}

/** The `_id`s records 1..lines of one object version get (one event per record). */
export function expectedIds(id: Omit<ClaimId, 'pipeline'>, lines: number): string[] {
  const ids: string[] = [];
  for (let record = 1; record <= lines; record++) {
    ids.push(documentId({ ...id, pipeline: '', record, sub: 0, lastModified: 0 }));
  }
  return ids;
}

/** Every `_id` stored under `pattern`, once per document (a scroll in index order). */
export async function storedIds(pattern: string): Promise<string[]> {
  const opensearch = testOpenSearchClient();
  await opensearch.indices.refresh({ index: pattern });
  const ids: string[] = [];
  let response = await opensearch.search({
    index: pattern,
    scroll: '2m',
    size: 10_000,
    _source: false,
    body: { sort: ['_doc'] },
  } as Parameters<typeof opensearch.search>[0]);
  for (;;) {
    const hits = response.body.hits.hits as Array<{ _id: string }>;
    if (hits.length === 0) break;
    for (const hit of hits) ids.push(hit._id);
    response = await opensearch.scroll({ scroll_id: response.body._scroll_id!, scroll: '2m' } as Parameters<
      typeof opensearch.scroll
    >[0]);
  }
  await opensearch
    .clearScroll({ scroll_id: response.body._scroll_id } as Parameters<typeof opensearch.clearScroll>[0])
    .catch(() => undefined);
  return ids;
}
