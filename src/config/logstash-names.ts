/**
 * Option names of Logstash's s3 input and elasticsearch output that users bring along, and
 * what sluice says instead (docs/MIGRATING-FROM-LOGSTASH.md). An unknown key found here gets
 * this hint instead of an edit-distance guess, which would be wrong for most of them.
 */
const LOGSTASH_NAMES: Record<string, string> = {
  interval: 'poll_interval_seconds (under source)',
  sincedb_path: 'checkpoint (type s3 or dynamodb), and start_time under source for the first start',
  exclude_pattern: 'exclude (regular expressions, under source)',
  delete: 'nothing: sluice never changes the bucket; expire objects with an S3 lifecycle rule',
  backup_to_bucket: 'nothing: sluice reads objects in place; use S3 replication or a lifecycle rule',
  backup_add_prefix: 'nothing: sluice reads objects in place; use S3 replication or a lifecycle rule',
  backup_to_dir: 'nothing: sluice reads objects in place',
  watch_for_new_files: '`sluice run --once` for a single pass',
  temporary_directory: 'nothing: objects are streamed, never written to disk',
  gzip_pattern: 'nothing: gzip is recognised by its bytes',
  codec: 'parser (at the pipeline level: alb, waf, json_lines, lines, ...)',
  additional_settings: 'force_path_style and endpoint under source',
  access_key_id: 'nothing: credentials come from the task role or the AWS environment, never the config',
  secret_access_key: 'nothing: credentials come from the task role or the AWS environment, never the config',
  role_arn: 'role_arn under source (the S3 reads assume it; deploy/ecs/README.md, "Cross-account log buckets")',
  user: 'auth: { type: basic, username, password }',
  ilm_enabled: 'nothing: index names come from index (e.g. alb-logs-%{+YYYY.MM.dd})',
  manage_template: 'template (kind and shards, under the opensearch output)',
  cacert: 'tls: { ca_file }',
  ssl_certificate_verification: 'nothing: certificates are always verified; add your CA with tls.ca_file',
};

/** What sluice calls a Logstash option, for an unknown key's message; undefined for other keys. */
export function logstashHint(key: string): string | undefined {
  const use = Object.hasOwn(LOGSTASH_NAMES, key) ? LOGSTASH_NAMES[key] : undefined;
  return use === undefined ? undefined : `Logstash's ${key} is ${use} in sluice`;
}
