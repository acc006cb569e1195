/**
 * What one SQS message body says: the S3 records it carries, a test event, or nothing sluice
 * understands. Pure; the shapes are AWS's:
 * - S3 event notification: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
 *   "awsRegion":…,"s3":{"bucket":{"name":…},"object":{"key":…,"size":…,"eTag":…}}}, …]}`; the key
 *   is URL-encoded as a form value (`+` is a space, then `%XX`);
 * - SNS: `{"Type":"Notification","Message":"<the S3 notification as a JSON string>",…}`; with raw
 *   message delivery the body is S3's own;
 * - EventBridge: `{"source":"aws.s3","detail-type":"Object Created","region":…,"detail":{"bucket":
 *   {"name":…},"object":{"key":…,"size":…,"etag":…}}}`; its key is not encoded;
 * - `{"Service":"Amazon S3","Event":"s3:TestEvent",…}`, sent when a notification is configured.
 */

/** One object event named by a message. */
export interface NotifiedRecord {
  /** The event's name as sent: `ObjectCreated:Put`, `ObjectRemoved:Delete`, `Object Created`, … */
  event: string;
  /** True for events that create an object version (the only ones sluice reads). */
  created: boolean;
  bucket: string;
  /** Decoded: the key S3 stores. */
  key: string;
  /** The version's ETag, without quotes; set on every create event. */
  etag?: string;
  size?: number;
  /** The bucket's region, when the event names it: the read goes there. */
  region?: string;
}

export type ParsedMessage =
  | { kind: 'records'; envelope: 's3' | 'sns' | 'eventbridge'; records: NotifiedRecord[] }
  | { kind: 'test_event' }
  | { kind: 'invalid'; reason: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** An AWS region name (us-east-1, us-gov-west-1, cn-north-1): reads are sent there, one client per region. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The record's region, when it is a region name; otherwise none, and the source's region serves the read. */
function region(value: unknown): { region?: string } {
  const name = text(value);
  return name && REGION.test(name) ? { region: name } : {};
}

function invalid(reason: string): ParsedMessage {
  return { kind: 'invalid', reason };
}

/** S3 notification keys are form-encoded: `+` is a space, then percent-decoding (`%2B` is a plus). */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

/** Parses one message body. */
export function parseNotification(body: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return invalid('the body is not JSON');
  }
  if (isObject(value) && value.Type !== undefined) return parseSns(value);
  return parseEvent(value, 's3');
}

function parseSns(value: Json): ParsedMessage {
  if (value.Type === 'SubscriptionConfirmation') {
    return invalid('an SNS subscription confirmation: confirm the subscription (its SubscribeURL), then purge it');
  }
  const message = text(value.Message);
  if (value.Type !== 'Notification' || message === undefined) {
    return invalid(`an SNS message of type ${JSON.stringify(value.Type)} without a Message string`);
  }
  let inner: unknown;
  try {
    inner = JSON.parse(message);
  } catch {
    return invalid('an SNS notification whose Message is not JSON');
  }
  return parseEvent(inner, 'sns');
}

function parseEvent(value: unknown, envelope: 's3' | 'sns'): ParsedMessage {
  if (!isObject(value)) return invalid('the body is not a JSON object');
  if (value.Event === 's3:TestEvent') return { kind: 'test_event' };
  if (Array.isArray(value.Records)) return parseS3Records(value.Records, envelope);
  if (value.source === 'aws.s3' && isObject(value.detail)) return parseEventBridge(value);
  return invalid('neither an S3 event notification, an SNS notification of one, nor an EventBridge S3 event');
}

function parseS3Records(records: unknown[], envelope: 's3' | 'sns'): ParsedMessage {
  if (records.length === 0) return invalid('an S3 notification without records');
  const parsed: NotifiedRecord[] = [];
  for (const [index, record] of records.entries()) {
    const one = parseS3Record(record);
    if (typeof one === 'string') return invalid(`record ${index}: ${one}`);
    parsed.push(one);
  }
  return { kind: 'records', envelope, records: parsed };
}

/** One S3 record, or why it is not one. */
function parseS3Record(record: unknown): NotifiedRecord | string {
  if (!isObject(record)) return 'not an object';
  if (record.eventSource !== 'aws:s3') return `eventSource ${JSON.stringify(record.eventSource)} is not aws:s3`;
  const event = text(record.eventName);
  const s3 = record.s3;
  if (event === undefined || !isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object)) {
    return 'no eventName, s3.bucket or s3.object';
  }
  const bucket = text(s3.bucket.name);
  const encodedKey = text(s3.object.key);
  if (!bucket || encodedKey === undefined) return 'no bucket name or object key';
  let key: string;
  try {
    key = decodeS3Key(encodedKey);
  } catch {
    return `the key ${JSON.stringify(encodedKey)} is not URL-encoded text`;
  }
  const created = /^(s3:)?ObjectCreated:/.test(event);
  return withVersion({ event, created, bucket, key, ...region(record.awsRegion) }, s3.object);
}

function parseEventBridge(value: Json): ParsedMessage {
  const detail = value.detail as Json;
  const event = text(value['detail-type']);
  if (event === undefined || !isObject(detail.bucket) || !isObject(detail.object)) {
    return invalid('an EventBridge S3 event without detail-type, detail.bucket or detail.object');
  }
  const bucket = text(detail.bucket.name);
  const key = text(detail.object.key);
  if (!bucket || key === undefined) return invalid('an EventBridge S3 event without a bucket name or object key');
  const record = withVersion(
    { event, created: event === 'Object Created', bucket, key, ...region(value.region) },
    detail.object,
  );
  if (typeof record === 'string') return invalid(record);
  return { kind: 'records', envelope: 'eventbridge', records: [record] };
}

/** Adds the ETag and size (EventBridge spells it `etag`, S3 `eTag`); a create event must name its ETag. */
function withVersion(record: NotifiedRecord, object: Json): NotifiedRecord | string {
  const etag = text(object.eTag) ?? text(object.etag);
  const size = typeof object.size === 'number' && Number.isFinite(object.size) ? object.size : undefined;
  if (record.created && !etag) return `the create event for ${JSON.stringify(record.key)} names no ETag`;
  return {
    ...record,
    ...(etag ? { etag: stripQuotes(etag) } : {}),
    ...(size === undefined ? {} : { size }),
  };
}
