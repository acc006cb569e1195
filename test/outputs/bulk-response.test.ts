import { describe, expect, it } from 'vitest';
import { classifyBulkResponse, classifyItem, type ItemOutcome } from '../../src/outputs/opensearch/bulk-response.js';
import { bulkFixture } from './opensearch-fixtures.js';

type Expected = { outcome: ItemOutcome['outcome']; status: number; reason?: RegExp };

/** Real bodies from test/fixtures/opensearch/ and what becomes of each item in them. */
const CASES: { fixture: string; items: Expected[] }[] = [
  {
    fixture: 'mapping-conflict',
    items: [
      { outcome: 'stored', status: 201 },
      {
        outcome: 'rejected',
        status: 400,
        reason:
          /^mapper_parsing_exception: failed to parse field \[sent_bytes\] of type \[long\].*\(caused by illegal_argument_exception: For input string: "a lot"\)$/,
      },
    ],
  },
  {
    fixture: 'version-conflict',
    items: [
      { outcome: 'duplicate', status: 409 },
      { outcome: 'stored', status: 201 },
    ],
  },
  {
    fixture: 'illegal-argument',
    items: [
      { outcome: 'stored', status: 201 },
      {
        outcome: 'rejected',
        status: 400,
        reason:
          /^illegal_argument_exception: Document contains at least one immense term in field="message".*\(caused by max_bytes_length_exceeded_exception: bytes can be at most 32766 in length; got 40000\)$/,
      },
      {
        outcome: 'rejected',
        status: 400,
        reason: /^illegal_argument_exception: Limit of total fields \[2\] has been exceeded$/,
      },
    ],
  },
  {
    fixture: 'index-closed',
    items: [{ outcome: 'rejected', status: 400, reason: /^index_closed_exception: closed$/ }],
  },
  {
    // Made read-only by an operator or an ISM policy: dead-lettered with the reason, not retried (bulk-response.ts).
    fixture: 'index-write-blocked',
    items: [
      {
        outcome: 'rejected',
        status: 403,
        reason: /^cluster_block_exception: .*blocked by: \[FORBIDDEN\/8\/index write \(api\)\]/,
      },
      {
        outcome: 'rejected',
        status: 403,
        reason: /^cluster_block_exception: .*blocked by: \[FORBIDDEN\/5\/index read-only \(api\)\]/,
      },
    ],
  },
  {
    // The user may not write to the index: a permission fault of the pipeline, not of the document.
    fixture: 'index-security-denied',
    items: [
      {
        outcome: 'denied',
        status: 403,
        reason: /^security_exception: no permissions for \[indices:data\/write\/bulk\[s\]\] and User \[name=sluice/,
      },
      { outcome: 'stored', status: 201 },
    ],
  },
  {
    // OpenSearch's own disk flood-stage block says 429 and is lifted by OpenSearch: retried.
    fixture: 'index-flood-stage-blocked',
    items: [
      {
        outcome: 'retry',
        status: 429,
        reason: /^cluster_block_exception: .*TOO_MANY_REQUESTS\/12\/disk usage exceeded/,
      },
    ],
  },
  {
    fixture: 'rejected-execution',
    items: [
      { outcome: 'retry', status: 429, reason: /^rejected_execution_exception: rejected execution of .*node-1\/write/ },
      {
        outcome: 'retry',
        status: 429,
        reason: /^es_rejected_execution_exception: rejected execution of .*node-1\/write/,
      },
      { outcome: 'stored', status: 201 },
    ],
  },
];

describe('classifyBulkResponse', () => {
  it.each(CASES)('classifies every item of the real $fixture response', ({ fixture, items }) => {
    const { body, request } = bulkFixture(fixture);
    const verdict = classifyBulkResponse(body, request.length / 2);
    expect(verdict.kind).toBe('items');
    const outcomes = verdict.kind === 'items' ? verdict.items : [];
    expect(outcomes.map(({ outcome, status }) => ({ outcome, status }))).toEqual(
      items.map(({ outcome, status }) => ({ outcome, status })),
    );
    outcomes.forEach((got, i) => {
      const reason = items[i]!.reason;
      if (reason) expect('reason' in got ? got.reason : undefined).toMatch(reason);
      else expect(got).not.toHaveProperty('reason');
    });
  });

  it.each([
    { case: 'fewer items than were sent', body: { items: [{ create: { status: 201 } }] }, sent: 2, answered: 1 },
    {
      case: 'more items than were sent',
      body: { items: [{ create: { status: 201 } }, { create: {} }] },
      sent: 1,
      answered: 2,
    },
    { case: 'no items list', body: { took: 1, errors: false }, sent: 1, answered: 0 },
    { case: 'an items value that is not a list', body: { items: 'all good' }, sent: 1, answered: 0 },
    { case: 'no body at all', body: undefined, sent: 1, answered: 0 },
    { case: 'the body of a request-level error', body: bulkFixture('request-malformed').body, sent: 1, answered: 0 },
  ])('reports a mismatch with the count answered when the body has $case', ({ body, sent, answered }) => {
    expect(classifyBulkResponse(body, sent)).toEqual({ kind: 'mismatch', answered });
  });
});

describe('classifyItem', () => {
  it.each([
    { result: { status: 200 }, expected: { outcome: 'stored', status: 200 } },
    { result: { status: 201 }, expected: { outcome: 'stored', status: 201 } },
    {
      result: { status: 409, error: { type: 'version_conflict_engine_exception' } },
      expected: { outcome: 'duplicate', status: 409 },
    },
    { result: { status: 500 }, expected: { outcome: 'retry', status: 500, reason: 'HTTP 500' } },
    {
      result: { status: 503, error: { type: 'unavailable_shards_exception' } },
      expected: { outcome: 'retry', status: 503, reason: 'unavailable_shards_exception: no reason given' },
    },
    {
      result: { status: 404, error: { type: 'index_not_found_exception', reason: 'no such index [x]' } },
      expected: { outcome: 'rejected', status: 404, reason: 'index_not_found_exception: no such index [x]' },
    },
    {
      result: { status: 400, error: { reason: 'bad' } },
      expected: { outcome: 'rejected', status: 400, reason: 'error: bad' },
    },
    { result: {}, expected: { outcome: 'rejected', status: 0, reason: 'HTTP 0' } },
  ])(
    'answers $expected.outcome for HTTP $result.status when the item says $result.error.type',
    ({ result, expected }) => {
      expect(classifyItem(result)).toEqual(expected);
    },
  );
});
