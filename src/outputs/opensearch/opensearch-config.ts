import { z } from 'zod';
import { deprecated } from '../../core/deprecation.js';
import { checkEventPattern } from '../event-pattern.js';

const MiB = 1024 * 1024;

export const tlsConfigSchema = z
  .strictObject({
    ca_file: z
      .string()
      .optional()
      .describe('PEM file with the CA certificate(s) that signed the server certificate; relative to the config file.'),
    cert_file: z.string().optional().describe('PEM client certificate for mutual TLS (needs key_file).'),
    key_file: z.string().optional().describe('PEM private key of the client certificate (needs cert_file).'),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe(
        'DANGEROUS: accept any server certificate, so anyone on the network path can read and change your logs and ' +
          'steal the credentials sent with them. Only for throwaway local testing; use ca_file instead.',
      ),
  })
  .refine((tls) => (tls.cert_file === undefined) === (tls.key_file === undefined), {
    message: 'cert_file and key_file go together',
  })
  .describe('TLS settings for https hosts. Certificates are always verified unless insecure_skip_verify is true.');

export const authConfigSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .min(1)
        .describe('User name; usually interpolated from an environment variable (OPENSEARCH_USERNAME).'),
      password: z
        .string()
        .min(1)
        .describe('Password; keep it in the environment (OPENSEARCH_PASSWORD) and interpolate it, never in the file.'),
    }),
    z.strictObject({
      type: z.literal('aws_sigv4'),
      region: z.string().min(1).describe('AWS region of the domain or collection, e.g. eu-west-1.'),
      service: z
        .enum(['es', 'aoss'])
        .default('es')
        .describe('`es` for Amazon OpenSearch Service domains, `aoss` for OpenSearch Serverless collections.'),
    }),
  ])
  .describe(
    'How to authenticate. aws_sigv4 signs with the default AWS credential chain (environment, ECS task role, instance profile).',
  );

export const templateConfigSchema = z
  .strictObject({
    name: z.string().optional().describe('Template name; defaults to `sluice-<pipeline>`.'),
    kind: z
      .enum(['alb', 'alb_connection', 'nlb', 's3_access', 'vpc_flow', 'waf', 'generic'])
      .default('generic')
      .describe(
        'Built-in mappings to install, named after the parser whose fields they map: `alb`, `alb_connection`, `nlb`, ' +
          '`s3_access`, `vpc_flow` (text and Parquet), `waf`, or `generic` (shared fields only). Ignored with file.',
      ),
    file: z
      .string()
      .optional()
      .describe('A JSON file holding your own composable index template body; replaces the built-in mappings.'),
    dynamic: z
      .boolean()
      .default(false)
      .describe(
        'Map fields the built-in mappings do not name as they arrive (strings as keywords). Off by default: log ' +
          'content is hostile, and one line with a thousand new keys fills index.mapping.total_fields.limit (1000), ' +
          'after which every document bringing a new field is rejected until the next index. Unknown fields stay ' +
          'in _source either way (reindex to search them later). kind generic maps only @timestamp, tags and geoip: ' +
          'give your own fields with file, or turn this on accepting that risk. Ignored with file.',
      ),
    number_of_shards: z.int().min(1).default(1).describe('Primary shards of each new index.'),
    number_of_replicas: z.int().min(0).default(1).describe('Replicas of each new index; 0 on a single-node cluster.'),
    priority: z.int().min(0).default(200).describe('Template priority; higher wins over overlapping templates.'),
  })
  .describe('Install a composable index template (_index_template) at start-up so fields get real mappings.');

export const dashboardsConfigSchema = z
  .strictObject({
    url: z
      .url()
      .describe(
        'OpenSearch Dashboards base URL, e.g. https://search-logs.eu-west-1.es.amazonaws.com/_dashboards or ' +
          'http://dashboards.internal:5601. `sluice setup` imports the saved objects of template.kind (alb, waf) here.',
      ),
    tenant: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Security plugin tenant to import into (sent as the securitytenant header), e.g. global or admin_tenant.',
      ),
    auth: authConfigSchema
      .optional()
      .describe(
        'How to authenticate to Dashboards; defaults to the output auth (same user, or SigV4 with service es).',
      ),
  })
  .describe(
    'Where `sluice setup` installs the dashboards for this output (OpenSearch Dashboards saved objects API). TLS ' +
      'settings are the output tls.',
  );

export const opensearchOutputConfigSchema = z
  .strictObject({
    type: z.literal('opensearch'),
    hosts: z
      .array(z.url())
      .min(1)
      .describe('OpenSearch endpoints, e.g. https://search-logs.eu-west-1.es.amazonaws.com:443.'),
    index: z
      .string()
      .min(1)
      .superRefine(checkEventPattern)
      .describe(
        'Index name pattern: `%{+YYYY.MM.dd}` formats the event @timestamp in UTC (YYYY, YY, MM, dd, HH, ww, xxxx), ' +
          '`%{[field][sub]}` inserts a field. With data_stream it names the data stream.',
      ),
    max_indices: z
      .int()
      .min(1)
      .default(1000)
      .describe(
        'Most distinct index names this output writes to while the process runs; an event whose index would be one ' +
          'more goes to overflow_index, or to the dead-letter with ERR_OUTPUT_INDEX_LIMIT. Guards the cluster when a ' +
          'field in `index` takes hostile values: every index holds shards, and a cluster refuses new ones past ' +
          'cluster.max_shards_per_node (default 1000 per data node). 1000 holds almost three years of daily indices, ' +
          'or 90 days of daily indices for each of 10 values of a routing field; a backfill over more needs more.',
      ),
    overflow_index: z
      .string()
      .min(1)
      .refine((name) => !name.includes('%{'), { message: 'overflow_index is one fixed name, without %{...}' })
      .optional()
      .describe(
        'Index that takes the events whose own index would exceed max_indices (default: none, they go to the ' +
          'dead-letter). One fixed name; the installed template covers it too.',
      ),
    action: z
      .enum(['create', 'index'])
      .default('create')
      .describe('`create` (default) refuses an existing id, so a replay is counted as a duplicate, not rewritten.'),
    document_id: z
      .enum(['deterministic', 'auto'])
      .default('deterministic')
      .describe(
        '`deterministic` ids come from bucket, key, ETag and record number. `auto` lets OpenSearch pick ids: a little ' +
          'faster, but gives up exactly-once: every replay after a crash or redeploy stores the events again.',
      ),
    data_stream: z
      .boolean()
      .default(false)
      .describe('Write into a data stream named by `index` (op type create). The template then declares it.'),
    flush_bytes: z
      .int()
      .min(1024)
      .default(5 * MiB)
      .describe('Send a bulk request once it holds this many bytes.'),
    flush_events: z.int().min(1).default(5000).describe('Send a bulk request once it holds this many events.'),
    flush_interval_seconds: z
      .number()
      .positive()
      .default(1)
      .describe('Send a bulk request at the latest this long after its first event; fractions allowed (0.2 = 200 ms).'),
    flush_interval_ms: deprecated(
      z.int().min(1).optional().describe('Deprecated: use flush_interval_seconds (the same time in seconds).'),
      { use: 'flush_interval_seconds', convert: (ms) => Number(ms) / 1000 },
    ),
    concurrency: z.int().min(1).max(64).default(2).describe('Bulk requests in flight at once.'),
    max_buffered_bytes: z
      .int()
      .min(1024)
      .optional()
      .describe(
        'Backpressure bound on bytes waiting or in flight; write() waits above it. Defaults to flush_bytes * (2 * concurrency + 1).',
      ),
    max_retries: z
      .int()
      .min(0)
      .default(10)
      .describe('Retries of a bulk request or of its items after 429, 5xx or network errors before the write fails.'),
    retry_backoff: z
      .strictObject({
        initial_ms: z.int().min(1).default(200).describe('Upper bound of the first jittered delay.'),
        max_ms: z.int().min(1).default(20_000).describe('Cap of the jittered exponential delay.'),
      })
      .default({ initial_ms: 200, max_ms: 20_000 })
      .describe('Full-jitter exponential backoff between retries.'),
    request_timeout_seconds: z.number().positive().default(60).describe('Timeout of one HTTP request.'),
    tls: tlsConfigSchema.optional(),
    auth: authConfigSchema.optional(),
    template: templateConfigSchema.optional(),
    retention_days: z
      .int()
      .min(1)
      .max(36_500)
      .optional()
      .describe(
        '`sluice setup` installs an Index State Management policy that deletes each index of this output this many ' +
          'days after it was created (data streams also roll over daily or at 30 GB per primary shard). Counted from ' +
          'the index creation, not the event time: a backfilled day is kept this long from when it was indexed. ' +
          'Unset: no policy. Not for a fixed index name without %{...}, which would be deleted whole.',
      ),
    dashboards: dashboardsConfigSchema.optional(),
  })
  .describe('Bulk-index events into OpenSearch, exactly once with deterministic ids.');

export type OpenSearchOutputConfig = z.infer<typeof opensearchOutputConfigSchema>;

/** The flush interval in ms: the deprecated flush_interval_ms when a config still sets it (the loader refuses both). */
export function flushIntervalMs(
  config: Pick<OpenSearchOutputConfig, 'flush_interval_ms' | 'flush_interval_seconds'>,
): number {
  return config.flush_interval_ms ?? config.flush_interval_seconds * 1000;
}
export type TemplateConfig = z.infer<typeof templateConfigSchema>;
export type DashboardsConfig = z.infer<typeof dashboardsConfigSchema>;
export type AuthConfig = z.infer<typeof authConfigSchema>;
