import { isDeepStrictEqual } from 'node:util';
import type { IndexTemplate } from '../outputs/opensearch/index.js';

/** `{number_of_shards: 1}` and `{index: {number_of_shards: "1"}}` alike become `{"index.number_of_shards": "1"}`. */
function flatSettings(settings: unknown, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  if (settings === null || typeof settings !== 'object') return flat;
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      Object.assign(flat, flatSettings(value, path));
    else flat[path.startsWith('index.') ? path : `index.${path}`] = String(value);
  }
  return flat;
}

interface StoredTemplate {
  index_patterns?: unknown;
  priority?: unknown;
  version?: unknown;
  composed_of?: unknown;
  data_stream?: unknown;
  _meta?: unknown;
  template?: { settings?: unknown; mappings?: unknown; aliases?: unknown };
}

/**
 * What differs between the template sluice would install and the one the cluster holds
 * (`GET _index_template/<name>`: settings come back nested under `index` and as strings).
 * An empty list means the installed template is already the one sluice builds.
 */
export function templateDifferences(desired: IndexTemplate, stored: StoredTemplate): string[] {
  const differences: string[] = [];
  const compare = (name: string, want: unknown, have: unknown) => {
    if (!isDeepStrictEqual(want, have)) differences.push(name);
  };
  compare('index_patterns', desired.index_patterns, stored.index_patterns);
  compare('priority', desired.priority, stored.priority);
  compare('data_stream', desired.data_stream !== undefined, stored.data_stream !== undefined);
  compare('_meta', desired._meta, stored._meta);
  compare('composed_of', [], stored.composed_of ?? []);
  compare('version', undefined, stored.version);
  compare('settings', flatSettings(desired.template.settings), flatSettings(stored.template?.settings));
  compare('mappings', desired.template.mappings, stored.template?.mappings ?? {});
  compare('aliases', undefined, stored.template?.aliases);
  return differences;
}
