/**
 * Realistic, deterministic log data for the benchmark: the line mixes a busy account
 * writes (ALB: http/https/h2/grpcs/wss, IPv4 and IPv6 clients, old and new layouts;
 * WAF JSON with header arrays; CloudFront with its headers; VPC flow with NODATA; S3
 * access; CloudTrail documents).
 */

/** A small deterministic PRNG (mulberry32), so every run measures the same bytes. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number): number => Math.floor(rng() * max);
const hex = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(rng, 16)];
  return s;
};

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'Go-http-client/2.0',
  'ELB-HealthChecker/2.0',
  'grpc-java-netty/1.64.0',
  'Mozilla/5.0 (compatible; \\"bot\\" crawler/1.0)',
];
const PATHS = ['/', '/api/v1/orders', '/api/v1/users/12345', '/static/app.js', '/search', '/health', '/login'];
const QUERIES = ['', '?page=2', '?q=red+shoes&sort=price', '?id=8f14e45f&utm_source=mail&utm_campaign=spring'];

function ipv4(rng: Rng): string {
  return `${int(rng, 223) + 1}.${int(rng, 256)}.${int(rng, 256)}.${int(rng, 256)}`;
}
function ipv6(rng: Rng): string {
  return `2001:db8:${hex(rng, 4)}:${hex(rng, 4)}::${hex(rng, 3)}`;
}
/**
 * An ALB client address with the hit rate a real GeoLite2 City database gives public clients,
 * against the test database (scripts/make-geoip-db.py, documentation networks only): 70 % IPv4
 * in its three /24s (768 addresses, so mostly geoip cache hits, as returning clients are),
 * 20 % IPv6 in its two /48s (distinct: a database lookup that places), 10 % random public
 * IPv4 the database does not know. About 90 % of events get a geoip object.
 */
function albClient(rng: Rng): string {
  const draw = rng();
  if (draw < 0.7) return `${pick(rng, ['192.0.2', '198.51.100', '203.0.113'])}.${int(rng, 256)}`;
  if (draw < 0.9) return `2001:db8:${int(rng, 2)}:${hex(rng, 4)}::${hex(rng, 3)}`;
  return ipv4(rng);
}
function isoTime(base: number, offsetMs: number): string {
  return `${new Date(base + offsetMs).toISOString().slice(0, -1)}000Z`;
}

const BASE_TIME = Date.UTC(2024, 4, 1, 10, 0, 0);

export function albLine(rng: Rng, i: number): string {
  const type = pick(rng, ['http', 'http', 'https', 'https', 'https', 'h2', 'h2', 'grpcs', 'wss'] as const);
  const tls = type !== 'http';
  const client = `${albClient(rng)}:${int(rng, 65535)}`;
  const status = pick(rng, [200, 200, 200, 200, 301, 304, 404, 500, 502]);
  const dispatched = status !== 502 || rng() < 0.5;
  const target = dispatched ? `10.0.${int(rng, 4)}.${int(rng, 256)}:8080` : '-';
  const scheme = tls ? 'https' : 'http';
  const port = tls ? 443 : 80;
  const proto = type === 'h2' || type === 'grpcs' ? 'HTTP/2.0' : 'HTTP/1.1';
  const method = type === 'grpcs' ? 'POST' : pick(rng, ['GET', 'GET', 'GET', 'POST', 'PUT']);
  const url = `${scheme}://shop.example.com:${port}${pick(rng, PATHS)}${pick(rng, QUERIES)}`;
  const time = isoTime(BASE_TIME, i * 3);
  const times = dispatched ? `0.00${int(rng, 10)} 0.0${int(rng, 100)} 0.000` : '-1 -1 -1';
  const fields = [
    type,
    time,
    'app/my-loadbalancer/50dc6c495c0c9188',
    client,
    target,
    times,
    String(status),
    dispatched ? String(status) : '-',
    String(int(rng, 2000)),
    String(int(rng, 60000)),
    `"${method} ${url} ${proto}"`,
    `"${pick(rng, USER_AGENTS)}"`,
    tls ? 'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2' : '- -',
    'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
    `"Root=1-${hex(rng, 8)}-${hex(rng, 24)}"`,
  ];
  // A live bucket is mostly the current layout; a backfill reaches older ones (20% here).
  const layout = rng();
  if (layout < 0.05) return fields.join(' '); // 2016: ends at trace_id
  fields.push(
    tls ? '"shop.example.com"' : '"-"',
    tls ? '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"' : '"-"',
    String(int(rng, 10)),
    `${isoTime(BASE_TIME, i * 3 - 40)}`,
    pick(rng, ['"forward"', '"waf,forward"', '"authenticate,forward"']),
    '"-"',
    dispatched ? '"-"' : '"TargetConnectionError"',
  );
  if (layout < 0.12) return fields.join(' '); // 2018: ends at error_reason
  fields.push(
    dispatched ? `"${target}"` : '"-"',
    dispatched ? `"${status}"` : '"-"',
    rng() < 0.02 ? '"Ambiguous"' : '"-"',
    rng() < 0.02 ? '"UndefinedContentLengthSemantics"' : '"-"',
  );
  if (layout < 0.2) return fields.join(' '); // 2020: ends at classification_reason
  fields.push(`TID_${hex(rng, 32)}`, '"-"', '"-"', '"-"');
  return fields.join(' ');
}

export function wafLine(rng: Rng, i: number): string {
  const blocked = rng() < 0.1;
  return JSON.stringify({
    timestamp: BASE_TIME + i * 5,
    formatVersion: 1,
    webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    terminatingRuleId: blocked ? 'AWS-AWSManagedRulesSQLiRuleSet' : 'Default_Action',
    terminatingRuleType: blocked ? 'MANAGED_RULE_GROUP' : 'REGULAR',
    action: blocked ? 'BLOCK' : 'ALLOW',
    terminatingRuleMatchDetails: [],
    httpSourceName: 'ALB',
    httpSourceId: '123456789012-app/my-loadbalancer/50dc6c495c0c9188',
    ruleGroupList: [
      {
        ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
        terminatingRule: null,
        nonTerminatingMatchingRules: [],
        excludedRules: null,
        customerConfig: null,
      },
    ],
    rateBasedRuleList: [],
    nonTerminatingMatchingRules: [],
    requestHeadersInserted: null,
    responseCodeSent: null,
    httpRequest: {
      clientIp: rng() < 0.2 ? ipv6(rng) : ipv4(rng),
      country: pick(rng, ['US', 'DE', 'JP', 'BR', 'IN']),
      headers: [
        { name: 'Host', value: 'shop.example.com' },
        { name: 'User-Agent', value: pick(rng, USER_AGENTS) },
        { name: 'Accept', value: '*/*' },
        { name: 'Cookie', value: `session=${hex(rng, 32)}` },
        { name: 'X-Forwarded-For', value: ipv4(rng) },
      ],
      uri: pick(rng, PATHS),
      args: pick(rng, QUERIES).slice(1),
      httpVersion: 'HTTP/1.1',
      httpMethod: pick(rng, ['GET', 'POST']),
      requestId: `1-${hex(rng, 8)}-${hex(rng, 24)}`,
    },
    labels: blocked ? [{ name: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' }] : [],
  });
}

export const CLOUDFRONT_HEADER =
  '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';

export function cloudfrontLine(rng: Rng, i: number): string {
  const t = new Date(BASE_TIME + i * 4).toISOString();
  const result = pick(rng, ['Hit', 'Hit', 'Miss', 'RefreshHit', 'Error']);
  return [
    t.slice(0, 10),
    t.slice(11, 19),
    pick(rng, ['LAX1', 'SEA19-C1', 'FRA56-P2', 'NRT57-C3']),
    String(int(rng, 100000)),
    rng() < 0.2 ? ipv6(rng) : ipv4(rng),
    'GET',
    'd111111abcdef8.cloudfront.net',
    pick(rng, PATHS),
    result === 'Error' ? '502' : '200',
    '-',
    encodeURIComponent(pick(rng, USER_AGENTS)),
    pick(rng, QUERIES).slice(1) || '-',
    '-',
    result,
    `${hex(rng, 40)}==`,
    'shop.example.com',
    'https',
    String(int(rng, 900)),
    `0.0${int(rng, 100)}`,
    '-',
    'TLSv1.3',
    'TLS_AES_128_GCM_SHA256',
    result,
    'HTTP/2.0',
    '-',
    '-',
    String(int(rng, 65535)),
    `0.0${int(rng, 100)}`,
    result,
    'text/html',
    String(int(rng, 100000)),
    '-',
    '-',
  ].join('\t');
}

export const VPC_FLOW_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export function vpcFlowLine(rng: Rng, i: number): string {
  const start = Math.floor(BASE_TIME / 1000) + Math.floor(i / 100);
  if (rng() < 0.02) return `2 123456789012 eni-${hex(rng, 17)} - - - - - - - ${start} ${start + 60} - NODATA`;
  return [
    2,
    '123456789012',
    `eni-${hex(rng, 17)}`,
    `10.0.${int(rng, 256)}.${int(rng, 256)}`,
    rng() < 0.5 ? ipv4(rng) : `10.1.${int(rng, 256)}.${int(rng, 256)}`,
    int(rng, 65535),
    pick(rng, [443, 80, 22, 5432, 53]),
    pick(rng, [6, 6, 6, 17]),
    int(rng, 1000),
    int(rng, 1_000_000),
    start,
    start + 60,
    rng() < 0.9 ? 'ACCEPT' : 'REJECT',
    'OK',
  ].join(' ');
}

export function s3AccessLine(rng: Rng, i: number): string {
  const op = pick(rng, ['REST.GET.OBJECT', 'REST.PUT.OBJECT', 'REST.HEAD.OBJECT', 'REST.GET.BUCKET']);
  const key = op === 'REST.GET.BUCKET' ? '-' : `photos/2024/05/${hex(rng, 8)}.jpg`;
  const d = new Date(BASE_TIME + i * 10);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const time = `[${String(d.getUTCDate()).padStart(2, '0')}/${month}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000]`;
  const status = pick(rng, [200, 200, 200, 304, 403, 404]);
  return [
    '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    'amzn-s3-demo-bucket1',
    time,
    ipv4(rng),
    'arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0',
    hex(rng, 16).toUpperCase(),
    op,
    key,
    `"${op.split('.')[1]} /amzn-s3-demo-bucket1/${key === '-' ? '' : key} HTTP/1.1"`,
    String(status),
    status === 403 ? 'AccessDenied' : status === 404 ? 'NoSuchKey' : '-',
    String(int(rng, 500000)),
    String(int(rng, 500000)),
    String(int(rng, 200)),
    String(int(rng, 100)),
    '"-"',
    `"${pick(rng, ['aws-sdk-java/2.25.0 Linux/5.10', 'aws-cli/2.15.0 Python/3.11.6', 'S3Console/0.4'])}"`,
    '-',
    `${hex(rng, 60)}=`,
    'SigV4',
    'TLS_AES_128_GCM_SHA256',
    'AuthHeader',
    'amzn-s3-demo-bucket1.s3.us-east-1.amazonaws.com',
    'TLSv1.3',
    '-',
    '-',
  ].join(' ');
}

export function cloudtrailEvent(rng: Rng, i: number): Record<string, unknown> {
  const name = pick(rng, ['GetObject', 'AssumeRole', 'DescribeInstances', 'PutObject', 'ConsoleLogin']);
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${hex(rng, 16).toUpperCase()}:session`,
      arn: 'arn:aws:sts::123456789012:assumed-role/app/session',
      accountId: '123456789012',
      accessKeyId: `ASIA${hex(rng, 16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: 'arn:aws:iam::123456789012:role/app' },
        attributes: { creationDate: new Date(BASE_TIME).toISOString(), mfaAuthenticated: 'false' },
      },
    },
    eventTime: new Date(BASE_TIME + i * 50).toISOString().replace('.000', ''),
    eventSource: 's3.amazonaws.com',
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: ipv4(rng),
    userAgent: pick(rng, USER_AGENTS),
    requestParameters: { bucketName: 'amzn-s3-demo-bucket1', key: `data/${hex(rng, 12)}.json` },
    responseElements: null,
    requestID: hex(rng, 16).toUpperCase(),
    eventID: `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '123456789012',
    eventCategory: 'Data',
  };
}

/** Objects as their uncompressed text: many lines, or (CloudTrail) many documents of `perDocument` events. */
export function generateObject(type: string, records: number, seed = 1): string {
  const rng = random(seed);
  const lines: string[] = [];
  switch (type) {
    case 'alb':
      for (let i = 0; i < records; i++) lines.push(albLine(rng, i));
      break;
    case 'waf':
      for (let i = 0; i < records; i++) lines.push(wafLine(rng, i));
      break;
    case 'cloudfront':
      lines.push(CLOUDFRONT_HEADER);
      for (let i = 0; i < records; i++) lines.push(cloudfrontLine(rng, i));
      break;
    case 'vpc_flow':
      lines.push(VPC_FLOW_HEADER);
      for (let i = 0; i < records; i++) lines.push(vpcFlowLine(rng, i));
      break;
    case 's3_access':
      for (let i = 0; i < records; i++) lines.push(s3AccessLine(rng, i));
      break;
    case 'cloudtrail': {
      const events: Record<string, unknown>[] = [];
      for (let i = 0; i < records; i++) events.push(cloudtrailEvent(rng, i));
      return JSON.stringify({ Records: events });
    }
    default:
      throw new Error(`no generator for ${type}`);
  }
  return `${lines.join('\n')}\n`;
}
