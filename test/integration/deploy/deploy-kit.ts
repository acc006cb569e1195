/**
 * What the deploy tests share: the shipped deploy files with their placeholders replaced the way
 * deploy/ecs/README.md tells users to, and generated ALB and WAF objects in the layouts AWS
 * delivers them in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { albLine } from '../../helpers/alb-data.js';
import type { IdentityPolicy } from '../../helpers/iam-policy-evaluator.js';
import { repoRoot } from '../../helpers/process.js';

export const ACCOUNT = '123456789012';
export const pipelinesDir = join(repoRoot, 'pipelines');

/**
 * The placeholders of deploy/ecs/README.md's table (`| \`example-alb-logs\` | ... |` rows between
 * the `placeholders` markers), in the order the table gives them.
 */
export function placeholders(): string[] {
  const readme = readFileSync(join(repoRoot, 'deploy/ecs/README.md'), 'utf8');
  const table = /<!-- placeholders -->([\s\S]*?)<!-- end of placeholders -->/.exec(readme)?.[1];
  if (!table) throw new Error('deploy/ecs/README.md has no placeholders table');
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
}

/** A deploy file's text with each placeholder replaced; a placeholder the caller does not replace fails. */
export function substituted(path: string, values: Record<string, string>): string {
  let text = readFileSync(join(repoRoot, path), 'utf8');
  for (const name of placeholders()) {
    const value = values[name];
    if (value === undefined) throw new Error(`no value given for the placeholder ${name}`);
    text = text.split(name).join(value);
  }
  return text;
}

export function shippedPolicy(values: Record<string, string>): IdentityPolicy {
  return JSON.parse(substituted('deploy/ecs/iam-policy.json', values)) as IdentityPolicy;
}

/** The container's `environment` of the task definition, placeholders replaced. */
export function taskEnvironment(values: Record<string, string>): Record<string, string> {
  const task = JSON.parse(substituted('deploy/ecs/task-definition.json', values)) as {
    containerDefinitions: Array<{ environment: Array<{ name: string; value: string }> }>;
  };
  return Object.fromEntries(task.containerDefinitions[0]!.environment.map((e) => [e.name, e.value]));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateParts = (at: Date) => ({
  y: at.getUTCFullYear(),
  m: pad(at.getUTCMonth() + 1),
  d: pad(at.getUTCDate()),
  h: pad(at.getUTCHours()),
  mi: pad(at.getUTCMinutes()),
});

/** An ALB key under `AWSLogs/` delivered at `at` (its partition and file-name time). */
export function albDeliveryKey(at: Date, objectIndex: number): string {
  const { y, m, d, h, mi } = dateParts(at);
  return (
    `AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/${y}/${m}/${d}/` +
    `${ACCOUNT}_elasticloadbalancing_us-east-1_app.shop.50dc6c495c0c9188_${y}${m}${d}T${h}${mi}Z_192.0.2.1_${pad(objectIndex, 8)}.log.gz`
  );
}

/** A WAF key under `AWSLogs/` delivered at `at`. */
export function wafDeliveryKey(at: Date, objectIndex: number): string {
  const { y, m, d, h, mi } = dateParts(at);
  return (
    `AWSLogs/${ACCOUNT}/WAFLogs/us-east-1/shop-acl/${y}/${m}/${d}/${h}/${mi}/` +
    `${ACCOUNT}_waflogs_us-east-1_shop-acl_${y}${m}${d}T${h}${mi}Z_${pad(objectIndex, 8)}.log.gz`
  );
}

/** `lines` ALB records logged on `day` (their own time names the daily index), plus `garbage` unparsable lines. */
export function albRecords(objectIndex: number, lines: number, day: Date, garbage = 0): Buffer {
  const records = Array.from({ length: lines }, (_, i) =>
    albLine(objectIndex, i + 1, new Date(day.getTime() + i * 1000)),
  );
  for (let i = 0; i < garbage; i++) records.push(`not an ALB line ${objectIndex}-${i}`);
  return gzipSync(`${records.join('\n')}\n`);
}

/** `lines` WAF records of `day`, every third one blocked, plus `garbage` lines that are not JSON. */
export function wafRecords(objectIndex: number, lines: number, day: Date, garbage = 0): Buffer {
  const records = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      timestamp: day.getTime() + i * 1000,
      formatVersion: 1,
      webaclId: `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/shop-acl/1EXAMPLE`,
      terminatingRuleId: 'Default_Action',
      terminatingRuleType: 'REGULAR',
      action: i % 3 === 0 ? 'BLOCK' : 'ALLOW',
      httpSourceName: 'ALB',
      httpSourceId: `${ACCOUNT}-app/shop/50dc6c495c0c9188`,
      ruleGroupList: [],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      httpRequest: {
        clientIp: `192.0.2.${(i % 250) + 1}`,
        country: 'GB',
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'User-Agent', value: 'curl/8.5.0' },
        ],
        uri: `/item/${objectIndex}/${i}`,
        args: '',
        httpVersion: 'HTTP/1.1',
        httpMethod: 'GET',
        requestId: `req-${objectIndex}-${i}`,
      },
    }),
  );
  for (let i = 0; i < garbage; i++) records.push(`{ not json ${objectIndex}-${i}`);
  return gzipSync(`${records.join('\n')}\n`);
}

/** A random UTC day in the 2090s: indices named after it belong to this test run alone. */
export function privateDay(): Date {
  const start = Date.UTC(2090, 0, 1);
  return new Date(start + Math.floor(Math.random() * 3650) * 86_400_000);
}

/** `alb-logs-2093.05.17` for a day, as the shipped index pattern names it. */
export function dailyIndex(prefix: string, day: Date): string {
  const { y, m, d } = dateParts(day);
  return `${prefix}-${y}.${m}.${d}`;
}
