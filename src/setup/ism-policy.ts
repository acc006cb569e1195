/**
 * The Index State Management policy `sluice setup` installs for an output with
 * `retention_days`: indices are deleted that many days after they were created. A data
 * stream also rolls over, so its backing indices age out one by one; daily indices
 * (`%{+YYYY.MM.dd}`) need no rollover. The ism_template attaches the policy to every new
 * index that matches the output's patterns.
 */
export interface IsmPolicyOptions {
  /** The output's index patterns (the same the index template matches), or its data stream name. */
  indexPatterns: string[];
  retentionDays: number;
  dataStream: boolean;
}

/** When a data stream's write index rolls over: at the first of these. */
export const DATA_STREAM_ROLLOVER = { min_primary_shard_size: '30gb', min_index_age: '1d' } as const;

/** Above ISM templates users write without a priority (0), below nothing they set on purpose. */
const ISM_TEMPLATE_PRIORITY = 100;

export interface IsmPolicyBody {
  policy: {
    description: string;
    default_state: string;
    states: Array<{ name: string; actions: Record<string, unknown>[]; transitions: Record<string, unknown>[] }>;
    ism_template: Array<{ index_patterns: string[]; priority: number }>;
  };
}

export function ismPolicy(options: IsmPolicyOptions): IsmPolicyBody {
  const age = `${options.retentionDays}d`;
  const patterns = options.indexPatterns.join(', ');
  return {
    policy: {
      description: `sluice setup: ${patterns} deleted ${age} after creation${options.dataStream ? ', rolled over daily or at 30gb per primary shard' : ''}`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: options.dataStream ? [{ rollover: { ...DATA_STREAM_ROLLOVER } }] : [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: age } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: options.indexPatterns, priority: ISM_TEMPLATE_PRIORITY }],
    },
  };
}
