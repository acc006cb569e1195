import { describe, expect, it } from 'vitest';
import { decodeS3Key, parseNotification } from '../../../../src/sources/s3/notifications/notification-envelope.js';

/** An S3 event notification record as S3 sends it (key already URL-encoded). */
function s3Record(key: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2024-05-01T00:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: 'logs', arn: 'arn:aws:s3:::logs' },
      object: { key, size: 120, eTag: '0123abcd', sequencer: '0055AED6DCD90281E5' },
    },
    ...extra,
  };
}

const s3Body = (...records: unknown[]) => JSON.stringify({ Records: records });
const snsBody = (message: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:logs',
    Message: message,
    Timestamp: '2024-05-01T00:00:01.000Z',
  });
const eventBridgeBody = (detailType: string, key: string, object: Record<string, unknown> = { etag: 'b1946ac9' }) =>
  JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '111122223333',
    time: '2021-11-12T00:00:00Z',
    region: 'ca-central-1',
    resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
    detail: { version: '0', bucket: { name: 'amzn-s3-demo-bucket1' }, object: { key, size: 5, ...object } },
  });
const testEvent = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2024-05-01T00:00:00.000Z',
  Bucket: 'logs',
  RequestId: 'r',
  HostId: 'h',
});

describe('decodeS3Key', () => {
  it.each([
    ['AWSLogs/123/x.log.gz', 'AWSLogs/123/x.log.gz'],
    ['red+flower.jpg', 'red flower.jpg'],
    ['c%2B%2B.log', 'c++.log'],
    ['a%3Ab%2Cc%3Dd.log', 'a:b,c=d.log'],
    ['caf%C3%A9+%E2%82%AC.log', 'café €.log'],
    ['100%25+sure', '100% sure'],
  ])('decodes %s to %s when S3 form-encoded it', (encoded, key) => {
    expect(decodeS3Key(encoded)).toBe(key);
  });
});

describe('parseNotification', () => {
  it.each([
    ['us-gov-west-1', 'us-gov-west-1'],
    ['cn-north-1', 'cn-north-1'],
    ['ap-southeast-7', 'ap-southeast-7'],
    ['', undefined],
    ['not a region', undefined],
    ['eu-west-1.evil.example', undefined],
  ])('keeps the record region %j only when it is a region name', (awsRegion, region) => {
    const parsed = parseNotification(s3Body(s3Record('a.log', { awsRegion })));
    expect(parsed).toMatchObject({ kind: 'records' });
    const [record] = (parsed as { records: { region?: string }[] }).records;
    expect(record?.region).toBe(region);
  });

  it('reads every record of an S3 notification, decoding each key and keeping its region and ETag', () => {
    const parsed = parseNotification(
      s3Body(
        s3Record('AWSLogs/one+file.log.gz'),
        s3Record('AWSLogs/two%2Bthree.log.gz', { awsRegion: 'us-west-2' }),
        s3Record('gone.log', { eventName: 'ObjectRemoved:Delete' }),
      ),
    );
    expect(parsed).toEqual({
      kind: 'records',
      envelope: 's3',
      records: [
        {
          event: 'ObjectCreated:Put',
          created: true,
          bucket: 'logs',
          key: 'AWSLogs/one file.log.gz',
          etag: '0123abcd',
          size: 120,
          region: 'eu-west-1',
        },
        {
          event: 'ObjectCreated:Put',
          created: true,
          bucket: 'logs',
          key: 'AWSLogs/two+three.log.gz',
          etag: '0123abcd',
          size: 120,
          region: 'us-west-2',
        },
        {
          event: 'ObjectRemoved:Delete',
          created: false,
          bucket: 'logs',
          key: 'gone.log',
          etag: '0123abcd',
          size: 120,
          region: 'eu-west-1',
        },
      ],
    });
  });

  it.each([
    ['ObjectCreated:Put', true],
    ['ObjectCreated:CompleteMultipartUpload', true],
    ['ObjectCreated:Copy', true],
    ['s3:ObjectCreated:Post', true],
    ['ObjectRemoved:Delete', false],
    ['ObjectRestore:Completed', false],
    ['ObjectTagging:Put', false],
    ['LifecycleTransition', false],
  ])('marks %s created: %s', (eventName, created) => {
    const parsed = parseNotification(s3Body(s3Record('k', { eventName })));
    expect(parsed.kind === 'records' && parsed.records[0]?.created).toBe(created);
  });

  it('unwraps an SNS notification whose Message is the S3 notification as a string', () => {
    const parsed = parseNotification(snsBody(s3Body(s3Record('a+b.log'), s3Record('c.log'))));
    expect(parsed.kind).toBe('records');
    if (parsed.kind !== 'records') return;
    expect(parsed.envelope).toBe('sns');
    expect(parsed.records.map((record) => record.key)).toEqual(['a b.log', 'c.log']);
  });

  it('reads an EventBridge Object Created event without decoding its key', () => {
    const parsed = parseNotification(eventBridgeBody('Object Created', 'raw/2023-08-08T14:03:40 a+b.zip'));
    expect(parsed).toEqual({
      kind: 'records',
      envelope: 'eventbridge',
      records: [
        {
          event: 'Object Created',
          created: true,
          bucket: 'amzn-s3-demo-bucket1',
          key: 'raw/2023-08-08T14:03:40 a+b.zip',
          etag: 'b1946ac9',
          size: 5,
          region: 'ca-central-1',
        },
      ],
    });
  });

  it('marks an EventBridge Object Deleted event as not created', () => {
    const parsed = parseNotification(eventBridgeBody('Object Deleted', 'x', {}));
    expect(parsed.kind === 'records' && parsed.records[0]?.created).toBe(false);
  });

  it('accepts an EventBridge ETag spelled eTag and in quotes', () => {
    const parsed = parseNotification(eventBridgeBody('Object Created', 'x', { eTag: '"abc"' }));
    expect(parsed.kind === 'records' && parsed.records[0]?.etag).toBe('abc');
  });

  it('recognises the test event, direct and through SNS', () => {
    expect(parseNotification(testEvent)).toEqual({ kind: 'test_event' });
    expect(parseNotification(snsBody(testEvent))).toEqual({ kind: 'test_event' });
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['an unknown object', '{"hello":"world"}', /neither an S3 event notification/],
    ['no records', '{"Records":[]}', /without records/],
    ['a record of another service', s3Body({ eventSource: 'aws:dynamodb' }), /record 0: eventSource "aws:dynamodb"/],
    [
      'a record without a key',
      s3Body({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }),
      /no bucket name or object key/,
    ],
    ['a key that is not URL-encoded text', s3Body(s3Record('bad%E0%A4%A')), /not URL-encoded text/],
    [
      'a create event without an ETag',
      s3Body({ ...s3Record('k'), s3: { bucket: { name: 'b' }, object: { key: 'k' } } }),
      /names no ETag/,
    ],
    ['an SNS Message that is not JSON', snsBody('plain text'), /Message is not JSON/],
    [
      'an SNS subscription confirmation',
      JSON.stringify({ Type: 'SubscriptionConfirmation', SubscribeURL: 'https://x' }),
      /subscription confirmation/,
    ],
    [
      'an EventBridge event of another shape',
      JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }),
      /without detail-type, detail.bucket/,
    ],
  ])('calls a body invalid, saying why, when it is %s', (_what, body, reason) => {
    const parsed = parseNotification(body);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toMatch(reason);
  });

  it('calls the whole message invalid when one of its records is, so none of it is deleted', () => {
    const parsed = parseNotification(s3Body(s3Record('good.log'), { eventSource: 'aws:s3' }));
    expect(parsed).toEqual({ kind: 'invalid', reason: 'record 1: no eventName, s3.bucket or s3.object' });
  });
});
