import { describe, expect, it } from 'vitest';
import type { NotifiedRecord } from '../../../../src/sources/s3/notifications/notification-envelope.js';
import { decideRecord, type RecordFilter } from '../../../../src/sources/s3/notifications/notification-record.js';

const base: NotifiedRecord = {
  event: 'ObjectCreated:Put',
  created: true,
  bucket: 'logs',
  key: 'AWSLogs/1/x.log.gz',
  etag: 'e1',
  size: 10,
  region: 'eu-west-1',
};
const open: RecordFilter = { prefixes: [''], include: [], exclude: [], isOwnKey: () => false };

describe('decideRecord', () => {
  it('reads a create event with its bucket, key, ETag, size and region', () => {
    expect(decideRecord(base, open)).toEqual({
      kind: 'read',
      object: { bucket: 'logs', key: 'AWSLogs/1/x.log.gz', etag: 'e1', size: 10, region: 'eu-west-1' },
    });
  });

  it.each<[string, Partial<NotifiedRecord>, Partial<RecordFilter>, string]>([
    ['a removal', { event: 'ObjectRemoved:Delete', created: false }, {}, 'not_created'],
    ['another bucket', {}, { buckets: new Set(['other']) }, 'other_bucket'],
    ['a folder marker', { key: 'AWSLogs/1/' }, {}, 'folder'],
    ['a key outside the prefixes', {}, { prefixes: ['elb/', 'waf/'] }, 'filtered'],
    ['a key include does not match', {}, { include: [/\.json$/] }, 'filtered'],
    ['a key exclude matches', {}, { exclude: [/x\.log/] }, 'filtered'],
    [
      'a key sluice writes itself',
      {},
      { isOwnKey: (bucket, key) => bucket === 'logs' && key.startsWith('AWSLogs/') },
      'filtered',
    ],
  ])('skips %s', (_what, record, filter, reason) => {
    expect(decideRecord({ ...base, ...record }, { ...open, ...filter })).toEqual({ kind: 'skip', reason });
  });

  it('reads a key inside one of the prefixes of an allowed bucket', () => {
    const decision = decideRecord(base, { ...open, buckets: new Set(['logs']), prefixes: ['elb/', 'AWSLogs/'] });
    expect(decision.kind).toBe('read');
  });
});
