/**
 * One example per component type, as written in a pipeline file (the slot's key included).
 * test/reference-docs/reference-docs.test.ts parses each with the loader's schema, so an example
 * that stops being valid fails the build. A type without one gets `{ type: <type> }` when that
 * alone is valid.
 */
export const EXAMPLES: Record<string, Record<string, string>> = {
  sources: {
    s3: `source:
  type: s3
  bucket: \${ALB_LOG_BUCKET}
  prefix: AWSLogs/
  layout: alb
  region: eu-west-1
  poll_interval_seconds: 30
  lookback_minutes: 120`,
    file: `source:
  type: file
  path: logs/AWSLogs
  include: ["**/elasticloadbalancing/**/*.log.gz"]`,
  },
  parsers: {
    lines: `parser:
  type: lines
  field: message`,
  },
  filters: {
    date: `filters:
  - type: date
    field: time
    formats: [iso8601]`,
    geoip: `filters:
  - type: geoip
    source: client_ip
    target: geoip
    database: \${GEOIP_DATABASE:-/usr/share/GeoIP/GeoLite2-City.mmdb}`,
    user_agent: `filters:
  - type: user_agent
    source: user_agent`,
    waf_headers: `filters:
  - type: waf_headers
    allowlist: [host, user-agent, referer, x-forwarded-for]
    replacement: "[REDACTED]"`,
    redact: `filters:
  - type: redact
    pattern_fields: [request_url, redirect_url]
    replacement: "[REDACTED]"`,
    mutate: `filters:
  - type: mutate
    rename: { elb: load_balancer }
    convert: { matched_rule_priority: string }
    remove: [chosen_cert_arn]`,
    drop: `filters:
  - type: drop
    when: { equals: { field: request_url, value: "http://10.0.0.1:80/health" } }`,
  },
  outputs: {
    opensearch: `outputs:
  - type: opensearch
    hosts: ["\${OPENSEARCH_URL:-https://localhost:9200}"]
    index: alb-logs-%{+YYYY.MM.dd}
    auth:
      type: basic
      username: "\${OPENSEARCH_USERNAME}"
      password: "\${OPENSEARCH_PASSWORD}"
    template:
      kind: alb`,
    stdout: `outputs:
  - type: stdout
    when: { gte: { field: elb_status_code, value: 500 } }`,
    file: `outputs:
  - type: file
    path: out/alb-%{+YYYY.MM.dd}.ndjson`,
  },
  'dead-letters': {
    s3: `dead_letter:
  type: s3
  bucket: \${SLUICE_STATE_BUCKET}
  prefix: sluice/dead-letter`,
    file: `dead_letter:
  type: file
  path: out/dead-letter.ndjson`,
  },
  checkpoints: {
    s3: `checkpoint:
  type: s3
  bucket: \${SLUICE_STATE_BUCKET}
  prefix: sluice/checkpoints
  lease_seconds: 30`,
    dynamodb: `checkpoint:
  type: dynamodb
  table: sluice-checkpoints
  region: eu-west-1`,
    file: `checkpoint:
  type: file
  directory: out/checkpoints`,
  },
};
