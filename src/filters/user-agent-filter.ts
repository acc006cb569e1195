/**
 * `user_agent`: parses a user-agent string (ALB `user_agent`, CloudFront `cs_user_agent`, WAF
 * `httpRequest.header_map.user-agent`) into the browser or client, its version, the OS and the
 * device, with the uap-core rules (user-agent-rules.ts) and in the shape the OpenSearch and
 * Elasticsearch user_agent processors write: `name`, `version`, `os.name`, `os.version`,
 * `os.full`, `device.name`, plus Logstash's `major`, `minor` and `patch`.
 *
 * Library choice (licences read in the packages themselves): uap-core 0.18.0 (Apache-2.0) is
 * the rule set Logstash and the ingest processors use, so names match what their users already
 * query, and it names the tools and bots that fill load balancer logs (curl, Python Requests,
 * Go-http-client, Googlebot as device Spider). ua-parser-js 2.x is AGPL-3.0 (not allowed); its
 * 1.x line (MIT) and its fork my-ua-parser (MIT) are faster on a miss (25 µs against 66 µs)
 * but name none of those tools and use other names ("Mac OS", "Mobile Chrome");
 * device-detector-js is LGPL-3.0; bowser (MIT) is browser-only; useragent-ng (MIT, on uap-core)
 * rewrites its own files in a postinstall step. The evaluator is ours, as its specification says.
 *
 * Cost: user agents repeat heavily, so results are cached by string (LRU, `cache_size`). The
 * input is cut to `max_length` characters before anything else: every rule scans the text, so
 * a hostile megabyte would cost seconds; 512 characters (ua-parser-js cuts at 500) cost under a
 * millisecond in the worst case measured, and real user agents fit.
 */
import { z } from 'zod';
import type { Filter } from '../core/components.js';
import type { LogEvent } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath, setField, shareFrozen } from '../core/field-path.js';
import { addTag } from '../core/tags.js';
import { compileCondition, type DocPredicate } from './condition.js';
import { fieldPathSchema } from './field-path-schema.js';
import { FilterBuildError } from './filter-build-error.js';
import { whenSchema } from './filter-when.js';
import { LruCache } from './lru-cache.js';
import { loadUserAgentRules, parseUserAgentParts, type UserAgentParts } from './user-agent-rules.js';

export const userAgentFilterSchema = z
  .strictObject({
    type: z.literal('user_agent'),
    source: fieldPathSchema.describe(
      'Field holding the user-agent string: user_agent (ALB), cs_user_agent (CloudFront), httpRequest.header_map.user-agent (WAF after waf_headers)',
    ),
    target: fieldPathSchema
      .default('user_agent_info')
      .describe(
        'Field that receives name, version, os and device (default user_agent_info: ALB keeps the string in user_agent)',
      ),
    max_length: z
      .number()
      .int()
      .min(16)
      .max(8192)
      .default(512)
      .describe('Characters of the string that are parsed; the rest is ignored, so a hostile megabyte costs no more'),
    cache_size: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('User agents whose results are kept (least recently used evicted first); 0 disables the cache'),
    tag_on_failure: z
      .string()
      .min(1)
      .default('_user_agent_parse_failure')
      .describe('Tag added when the source is not a string (nor a list of strings); the event is kept'),
    when: whenSchema,
  })
  .refine((config) => config.source !== config.target, {
    message: 'target must differ from source: the parsed object would replace the string',
    path: ['target'],
  })
  .describe('Parses a user-agent string into browser, version, OS and device');

export type UserAgentFilterConfig = z.infer<typeof userAgentFilterSchema>;

/** What the filter writes at `target`. */
export interface UserAgentResult {
  name: string;
  version?: string;
  major?: string;
  minor?: string;
  patch?: string;
  os: { name: string; version?: string; full?: string };
  device: { name: string };
}

/** The result for the parts, built once per distinct user agent and cached; keys in reading order. */
function toResult(parts: UserAgentParts): UserAgentResult {
  const head: Pick<UserAgentResult, 'name' | 'version' | 'major' | 'minor' | 'patch'> = { name: parts.family };
  if (parts.major !== undefined) {
    head.version = [parts.major, parts.minor, parts.patch].filter((part) => part !== undefined).join('.');
    head.major = parts.major;
    if (parts.minor !== undefined) head.minor = parts.minor;
    if (parts.patch !== undefined) head.patch = parts.patch;
  }
  const os: UserAgentResult['os'] = { name: parts.os };
  if (parts.osVersion.length > 0) {
    os.version = parts.osVersion.join('.');
    os.full = `${parts.os} ${os.version}`;
  }
  return { ...head, os, device: { name: parts.device } };
}

export interface UserAgentCacheStats {
  hits: number;
  misses: number;
  size: number;
}

export class UserAgentFilter implements Filter {
  readonly type = 'user_agent';
  private readonly source: FieldPath;
  private readonly target: FieldPath;
  private readonly cache: LruCache<string, Readonly<UserAgentResult>>;
  private readonly when: DocPredicate | undefined;

  constructor(private readonly config: UserAgentFilterConfig) {
    this.source = parseFieldPath(config.source);
    this.target = parseFieldPath(config.target);
    this.cache = new LruCache(config.cache_size);
    this.when = config.when === undefined ? undefined : compileCondition(config.when);
  }

  apply(event: LogEvent): boolean {
    const doc = event.doc;
    if (this.when !== undefined && !this.when(doc)) return true;
    let value = getField(doc, this.source);
    // waf_headers keeps a repeated header as a list: the first one is the request's.
    if (Array.isArray(value)) value = value[0];
    if (value === undefined || value === null || value === '') return true;
    if (typeof value !== 'string') {
      addTag(doc, this.config.tag_on_failure);
      return true;
    }
    const text = value.length > this.config.max_length ? value.slice(0, this.config.max_length) : value;
    let result = this.cache.get(text);
    if (result === undefined) {
      result = shareFrozen(toResult(parseUserAgentParts(text)));
      this.cache.set(text, result);
    }
    // One frozen object for every event of the agent: a later write into it copies it first (field-path.ts).
    setField(doc, this.target, result);
    return true;
  }

  cacheStats(): UserAgentCacheStats {
    return { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size };
  }
}

/** Builds the filter; the rules are read once per process, and a missing or broken rule file is a typed error. */
export function createUserAgentFilter(config: UserAgentFilterConfig): UserAgentFilter {
  try {
    loadUserAgentRules();
  } catch (error) {
    throw new FilterBuildError(
      `cannot read the user-agent rules: ${error instanceof Error ? error.message : String(error)}`,
      { source: config.source },
      'The uap-core package (its regexes.yaml) ships with sluice: reinstall it (npm ci) or use the release image.',
      error,
    );
  }
  return new UserAgentFilter(config);
}
