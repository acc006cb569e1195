import { describe, expect, it } from 'vitest';
import { ismPolicy } from '../../src/setup/ism-policy.js';

describe('ismPolicy', () => {
  it('deletes daily indices after the retention and rolls nothing over when the output writes dated indices', () => {
    const { policy } = ismPolicy({ indexPatterns: ['alb-logs-*'], retentionDays: 30, dataStream: false });
    expect(policy.default_state).toBe('hot');
    expect(policy.states).toEqual([
      { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }] },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ]);
    expect(policy.ism_template).toEqual([{ index_patterns: ['alb-logs-*'], priority: 100 }]);
    expect(policy.description).toContain('alb-logs-* deleted 30d after creation');
  });

  it('rolls a data stream over daily or at 30gb per primary shard before deleting when the output writes a data stream', () => {
    const { policy } = ismPolicy({ indexPatterns: ['waf-stream'], retentionDays: 7, dataStream: true });
    expect(policy.states[0]!.actions).toEqual([{ rollover: { min_primary_shard_size: '30gb', min_index_age: '1d' } }]);
    expect(policy.states[0]!.transitions).toEqual([{ state_name: 'delete', conditions: { min_index_age: '7d' } }]);
    expect(policy.ism_template[0]!.index_patterns).toEqual(['waf-stream']);
  });
});
