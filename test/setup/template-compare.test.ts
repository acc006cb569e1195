import { describe, expect, it } from 'vitest';
import type { IndexTemplate } from '../../src/outputs/opensearch/index-template.js';
import { templateDifferences } from '../../src/setup/template-compare.js';

const desired: IndexTemplate = {
  index_patterns: ['alb-logs-*'],
  priority: 200,
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      dynamic: false,
      properties: { client_ip: { type: 'ip' }, t: { type: 'date', format: 'epoch_millis' } },
    },
  },
  _meta: { managed_by: 'sluice', kind: 'alb' },
};

/** What GET _index_template answered for `desired` on OpenSearch 2.19 (settings nested and as strings, keys reordered). */
const stored = {
  index_patterns: ['alb-logs-*'],
  template: {
    settings: { index: { number_of_shards: '1', number_of_replicas: '0' } },
    mappings: {
      dynamic: false,
      properties: { t: { format: 'epoch_millis', type: 'date' }, client_ip: { type: 'ip' } },
    },
  },
  composed_of: [],
  priority: 200,
  _meta: { managed_by: 'sluice', kind: 'alb' },
};

describe('templateDifferences', () => {
  it('finds none when the cluster holds the template as sluice builds it', () => {
    expect(templateDifferences(desired, stored)).toEqual([]);
  });

  it.each([
    [
      'settings',
      {
        ...stored,
        template: { ...stored.template, settings: { index: { number_of_shards: '1', number_of_replicas: '1' } } },
      },
    ],
    ['mappings', { ...stored, template: { ...stored.template, mappings: { dynamic: true, properties: {} } } }],
    ['index_patterns', { ...stored, index_patterns: ['alb-*'] }],
    ['priority', { ...stored, priority: 100 }],
    ['_meta', { ...stored, _meta: { managed_by: 'someone' } }],
    ['data_stream', { ...stored, data_stream: { timestamp_field: { name: '@timestamp' } } }],
    ['composed_of', { ...stored, composed_of: ['extra'] }],
    ['version', { ...stored, version: 3 }],
    ['aliases', { ...stored, template: { ...stored.template, aliases: { all: {} } } }],
  ])('names %s when only it differs', (name, changed) => {
    expect(templateDifferences(desired, changed)).toEqual([name]);
  });
});
