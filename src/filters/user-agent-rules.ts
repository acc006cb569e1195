/**
 * The uap-core rules (ua-parser's regexes.yaml, Apache-2.0, the npm package `uap-core`), read
 * as its specification (docs/specification.md in the package) says: for each of user agent,
 * OS and device, the first regex that matches wins, its groups fill family and versions, and
 * `*_replacement` strings override them with `$1`…`$9` put in. Logstash's useragent filter and
 * the OpenSearch and Elasticsearch user_agent processors read the same file, so names agree
 * ("Chrome Mobile", "Mac OS X", "Spider").
 *
 * The hot path is a miss: about 1,200 regexes tried in order. Trying them one by one costs
 * about 230 µs per user agent (measured on 5,000 generated ones, bench/user-agents.ts); here
 * consecutive rules are also joined, 64 at a time, into one alternation that is tested first,
 * so a block with no match costs one scan instead of 64: about 80 µs, with the same results
 * (the rules use no back-references, so joining them changes no match; 2,000 agents compared).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

/** One rule of regexes.yaml: the regex and the replacements its list knows. */
interface RawRule {
  regex: string;
  regex_flag?: string;
  [replacement: string]: string | undefined;
}

interface Rule {
  regex: RegExp;
  raw: RawRule;
}

interface Block {
  test: RegExp;
  rules: Rule[];
}

/** What the rules find; fields a rule does not give are absent. */
export interface UserAgentParts {
  family: string;
  major?: string;
  minor?: string;
  patch?: string;
  os: string;
  osVersion: string[];
  device: string;
}

const BLOCK_SIZE = 64;

function compile(list: RawRule[]): Block[] {
  const blocks: Block[] = [];
  let current: { flags: string; rules: Rule[] } | undefined;
  const flush = () => {
    if (current === undefined) return;
    const source = current.rules.map((rule) => `(?:${rule.regex.source})`).join('|');
    blocks.push({ test: new RegExp(source, current.flags), rules: current.rules });
  };
  for (const raw of list) {
    const flags = raw.regex_flag === 'i' ? 'i' : '';
    if (current === undefined || current.flags !== flags || current.rules.length === BLOCK_SIZE) {
      flush();
      current = { flags, rules: [] };
    }
    current.rules.push({ regex: new RegExp(raw.regex, flags), raw });
  }
  flush();
  return blocks;
}

function firstMatch(blocks: Block[], text: string): [RawRule, RegExpExecArray] | undefined {
  for (const block of blocks) {
    if (!block.test.test(text)) continue;
    for (const rule of block.rules) {
      const match = rule.regex.exec(text);
      if (match !== null) return [rule.raw, match];
    }
  }
  return undefined;
}

/** A replacement with `$n` put in, or the group itself; empty results count as absent. */
function pick(rule: RawRule, key: string, match: RegExpExecArray, group: number): string | undefined {
  const replacement = rule[key];
  const value =
    replacement === undefined ? match[group] : replacement.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '');
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function readRules(): { agent: Block[]; os: Block[]; device: Block[] } {
  const path = createRequire(import.meta.url).resolve('uap-core/regexes.yaml');
  // Without the duplicate-key check and pretty errors the file reads in half the time (0.4 s against 0.9 s).
  const doc = parse(readFileSync(path, 'utf8'), { uniqueKeys: false, prettyErrors: false }) as Record<
    string,
    RawRule[] | undefined
  >;
  const lists = [doc.user_agent_parsers, doc.os_parsers, doc.device_parsers];
  if (!lists.every((list) => Array.isArray(list) && list.every((rule) => typeof rule?.regex === 'string'))) {
    throw new Error(`${path} does not hold user_agent_parsers, os_parsers and device_parsers lists of regexes`);
  }
  const [agent, os, device] = lists.map((list) => compile(list!));
  return { agent: agent!, os: os!, device: device! };
}

let rules: ReturnType<typeof readRules> | undefined;

/** Reads and compiles the rules once per process (about 0.4 s, nearly all of it the YAML); every user_agent filter shares them. */
export function loadUserAgentRules(): void {
  rules ??= readRules();
}

/** The user agent, OS and device a user-agent string names; "Other" where no rule matches. */
export function parseUserAgentParts(text: string): UserAgentParts {
  loadUserAgentRules();
  const { agent, os, device } = rules!;
  const parts: UserAgentParts = { family: 'Other', os: 'Other', osVersion: [], device: 'Other' };
  const agentMatch = firstMatch(agent, text);
  if (agentMatch !== undefined) {
    const [rule, match] = agentMatch;
    parts.family = pick(rule, 'family_replacement', match, 1) ?? 'Other';
    const versions = [pick(rule, 'v1_replacement', match, 2), pick(rule, 'v2_replacement', match, 3)];
    const patch = pick(rule, 'v3_replacement', match, 4);
    if (versions[0] !== undefined) parts.major = versions[0];
    if (versions[1] !== undefined) parts.minor = versions[1];
    if (patch !== undefined) parts.patch = patch;
  }
  const osMatch = firstMatch(os, text);
  if (osMatch !== undefined) {
    const [rule, match] = osMatch;
    parts.os = pick(rule, 'os_replacement', match, 1) ?? 'Other';
    for (let i = 1; i <= 4; i++) {
      const part = pick(rule, `os_v${i}_replacement`, match, i + 1);
      if (part === undefined) break;
      parts.osVersion.push(part);
    }
  }
  const deviceMatch = firstMatch(device, text);
  if (deviceMatch !== undefined) {
    const [rule, match] = deviceMatch;
    parts.device = pick(rule, 'device_replacement', match, 1) ?? 'Other';
  }
  return parts;
}
