import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { userAgentPool } from '../../bench/user-agents.js';
import { parseUserAgentParts } from '../../src/filters/user-agent-rules.js';

type RawRule = Record<string, string | undefined> & { regex: string; compiled: RegExp };

const doc = parse(readFileSync(createRequire(import.meta.url).resolve('uap-core/regexes.yaml'), 'utf8')) as Record<
  string,
  RawRule[]
>;
for (const list of Object.values(doc)) {
  for (const rule of list) rule.compiled = new RegExp(rule.regex, rule.regex_flag === 'i' ? 'i' : '');
}

/** The specification read literally: every regex in order, one by one, the first match wins. */
function naive(text: string) {
  const first = (list: RawRule[]) => {
    for (const rule of list) {
      const match = rule.compiled.exec(text);
      if (match) return { rule, match };
    }
    return undefined;
  };
  const value = (found: ReturnType<typeof first>, key: string, group: number) => {
    if (!found) return undefined;
    const replacement = found.rule[key];
    const raw =
      replacement === undefined
        ? found.match[group]
        : replacement.replace(/\$(\d)/g, (_, n) => found.match[Number(n)] ?? '');
    return raw?.trim() || undefined;
  };
  const agent = first(doc.user_agent_parsers!);
  const os = first(doc.os_parsers!);
  const device = first(doc.device_parsers!);
  const osVersion: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = value(os, `os_v${i}_replacement`, i + 1);
    if (part === undefined) break;
    osVersion.push(part);
  }
  return {
    family: value(agent, 'family_replacement', 1) ?? 'Other',
    major: value(agent, 'v1_replacement', 2),
    minor: value(agent, 'v2_replacement', 3),
    patch: value(agent, 'v3_replacement', 4),
    os: value(os, 'os_replacement', 1) ?? 'Other',
    osVersion,
    device: value(device, 'device_replacement', 1) ?? 'Other',
  };
}

describe('parseUserAgentParts', () => {
  it('finds what the rules read one by one find when the rules are joined in blocks', () => {
    const agents = [...userAgentPool(300), 'ELB-HealthChecker/2.0', 'Mozilla/5.0 (compatible; Yahoo! Slurp)', ''];
    for (const agent of agents) {
      const expected = naive(agent);
      const found = parseUserAgentParts(agent);
      expect({ ...found, major: found.major, minor: found.minor, patch: found.patch }, agent).toEqual(expected);
    }
  });
});
