import { describe, expect, it } from 'vitest';
import { flushIntervalMs, opensearchOutputConfigSchema } from '../../src/outputs/opensearch/opensearch-config.js';

const base = { type: 'opensearch', hosts: ['https://search.example.com'], index: 'logs' };

describe('flushIntervalMs', () => {
  it.each([
    { case: 'nothing is set (default 1 s)', extra: {}, ms: 1000 },
    { case: 'flush_interval_seconds is fractional', extra: { flush_interval_seconds: 0.25 }, ms: 250 },
    { case: 'flush_interval_seconds is whole', extra: { flush_interval_seconds: 3 }, ms: 3000 },
    { case: 'only the deprecated flush_interval_ms is set', extra: { flush_interval_ms: 50 }, ms: 50 },
  ])('gives $ms ms when $case', ({ extra, ms }) => {
    expect(flushIntervalMs(opensearchOutputConfigSchema.parse({ ...base, ...extra }))).toBe(ms);
  });
});

describe('opensearchOutputConfigSchema flush interval', () => {
  it.each([
    { flush_interval_seconds: 0 },
    { flush_interval_seconds: -1 },
    { flush_interval_seconds: 'fast' },
    { flush_interval_ms: 0 },
    { flush_interval_ms: 0.5 },
  ])('refuses %j', (extra) => {
    expect(opensearchOutputConfigSchema.safeParse({ ...base, ...extra }).success).toBe(false);
  });
});

describe('opensearchOutputConfigSchema index cap', () => {
  it('caps an output at 1000 distinct indices with no overflow index when nothing is set', () => {
    const config = opensearchOutputConfigSchema.parse(base);
    expect(config.max_indices).toBe(1000);
    expect(config.overflow_index).toBeUndefined();
  });

  it.each([
    { max_indices: 0 },
    { max_indices: 1.5 },
    { overflow_index: 'spill-%{+YYYY.MM.dd}' },
    { overflow_index: '' },
  ])('refuses %j', (extra) => {
    expect(opensearchOutputConfigSchema.safeParse({ ...base, ...extra }).success).toBe(false);
  });
});
