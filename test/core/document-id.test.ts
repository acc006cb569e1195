import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { documentId } from '../../src/core/document-id.js';
import type { Origin } from '../../src/core/event.js';

const ALB_KEY = 'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2024/05/01/a.log.gz';

// Ids the first implementation (createHash per object, copied per event) gave: indices hold
// them, so a replay of an object ingested by any earlier release must get the same ones.
const PINNED: [Omit<Origin, 'pipeline' | 'lastModified'>, string][] = [
  [
    { bucket: 'alb-logs', key: ALB_KEY, etag: '"9b2cf535f27731c974343645a3985328"', record: 1, sub: 0 },
    'bDxpJAfTVy9PN8KnVtycB3kDiEV-PEH8',
  ],
  [
    { bucket: 'alb-logs', key: ALB_KEY, etag: '"9b2cf535f27731c974343645a3985328"', record: 2, sub: 0 },
    'EnVCwoMVQcd32JdFiBEWv8j-OiY_xboO',
  ],
  [
    { bucket: 'alb-logs', key: ALB_KEY, etag: '"9b2cf535f27731c974343645a3985328-3"', record: 1, sub: 0 },
    'pxBJyceei6fg51mXfqvag1vvuXHcQorP',
  ],
  [
    { bucket: 'trail', key: 'AWSLogs/o/CloudTrail/x.json.gz', etag: '"e"', record: 7, sub: 41 },
    'Azw_8ZVCQjoWXYyeyyw375Q6N7AhD_mH',
  ],
  [{ bucket: '', key: 'logs/ünïcødé 日本.log', etag: '', record: 1234567, sub: 0 }, 'e8jBYSfCN3s-3udbcSk_7I2QYLAzeHIt'],
  [{ bucket: 'b', key: 'k', etag: 'e', record: 0, sub: 0 }, 'Jv_3uMrvtGTaSj8Im_04UgMvb7ErNOhx'],
];

const origin = (fields: Omit<Origin, 'pipeline' | 'lastModified'>): Origin => ({
  pipeline: 'p',
  lastModified: 0,
  ...fields,
});

describe('documentId', () => {
  it.each(PINNED)('gives the id earlier releases gave when the origin is %j', (fields, id) => {
    expect(documentId(origin(fields))).toBe(id);
    // The pipeline and LastModified are not part of it: a backfill lands on the same ids.
    expect(documentId({ ...origin(fields), pipeline: 'backfill', lastModified: 99 })).toBe(id);
  });

  it('equals the documented formula when objects and records vary', () => {
    for (let record = 1; record <= 2000; record++) {
      const fields = {
        bucket: `b${record % 3}`,
        key: `k/${record % 7}.gz`,
        etag: `"${record % 5}"`,
        record,
        sub: record % 4,
      };
      const expected = createHash('sha256')
        .update(`${fields.bucket}\0${fields.key}\0${fields.etag}\0${record}\0${fields.sub}`)
        .digest('base64url')
        .slice(0, 32);
      expect(documentId(origin(fields))).toBe(expected);
    }
  });
});
