import { describe, expect, it } from 'vitest';
import type { Doc, LogEvent } from '../../src/core/event.js';
import { createUserAgentFilter, userAgentFilterSchema } from '../../src/filters/user-agent-filter.js';
import { buildFilter, laterWriters } from './later-writers.js';
import { makeEvent } from './make-event.js';

function build(config: Record<string, unknown> = {}) {
  return createUserAgentFilter(userAgentFilterSchema.parse({ type: 'user_agent', source: 'user_agent', ...config }));
}

function parse(userAgent: unknown, config: Record<string, unknown> = {}): Doc {
  const event = makeEvent({ user_agent: userAgent });
  expect(build(config).apply(event)).toBe(true);
  return event.doc;
}

describe('user_agent filter', () => {
  // Expected values are what uap-core's rules give, the names Logstash and the ingest processor write.
  const agents: Array<[string, string, Doc]> = [
    [
      'Chrome on macOS (the Elasticsearch documentation example)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36',
      {
        name: 'Chrome',
        version: '51.0.2704',
        major: '51',
        minor: '0',
        patch: '2704',
        os: { name: 'Mac OS X', version: '10.10.5', full: 'Mac OS X 10.10.5' },
        device: { name: 'Mac' },
      },
    ],
    [
      'Chrome Mobile on a Samsung phone',
      'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
      {
        name: 'Chrome Mobile',
        version: '120.0.6099',
        major: '120',
        minor: '0',
        patch: '6099',
        os: { name: 'Android', version: '13', full: 'Android 13' },
        device: { name: 'Samsung SM-S918B' },
      },
    ],
    [
      'Mobile Safari on an iPhone',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      {
        name: 'Mobile Safari',
        version: '17.5',
        major: '17',
        minor: '5',
        os: { name: 'iOS', version: '17.5', full: 'iOS 17.5' },
        device: { name: 'iPhone' },
      },
    ],
    [
      'Edge on Windows',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
      {
        name: 'Edge',
        version: '126.0.2592',
        major: '126',
        minor: '0',
        patch: '2592',
        os: { name: 'Windows', version: '10', full: 'Windows 10' },
        device: { name: 'Other' },
      },
    ],
    [
      'Googlebot as a spider',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      { name: 'Googlebot', version: '2.1', major: '2', minor: '1', os: { name: 'Other' }, device: { name: 'Spider' } },
    ],
    [
      'curl',
      'curl/8.4.0',
      {
        name: 'curl',
        version: '8.4.0',
        major: '8',
        minor: '4',
        patch: '0',
        os: { name: 'Other' },
        device: { name: 'Other' },
      },
    ],
    [
      'Python Requests',
      'python-requests/2.31.0',
      {
        name: 'Python Requests',
        version: '2.31',
        major: '2',
        minor: '31',
        os: { name: 'Other' },
        device: { name: 'Other' },
      },
    ],
    [
      'an AWS SDK with its OS',
      'aws-sdk-java/2.20.1 Linux/5.10.184-175.749.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.7+7-LTS Java/17.0.7',
      expect.objectContaining({
        name: 'aws-sdk-java',
        version: '2.20.1',
        os: expect.objectContaining({ name: 'Linux' }),
      }),
    ],
    [
      'an agent no rule knows',
      'ELB-HealthChecker/2.0',
      { name: 'Other', os: { name: 'Other' }, device: { name: 'Other' } },
    ],
  ];
  it.each(agents)('parses %s', (_name, userAgent, expected) => {
    const doc = parse(userAgent);
    expect(doc.user_agent_info).toEqual(expected);
    expect(doc.user_agent).toBe(userAgent);
    expect(doc.tags).toBeUndefined();
  });

  it('writes a nested target and reads a WAF header, taking the first of repeated values', () => {
    const filter = build({ source: 'httpRequest.header_map.user-agent', target: '[client][user_agent]' });
    const event = makeEvent({ httpRequest: { header_map: { 'user-agent': ['curl/8.4.0', 'Go-http-client/2.0'] } } });
    filter.apply(event);
    expect(event.doc.client).toEqual({ user_agent: expect.objectContaining({ name: 'curl', version: '8.4.0' }) });
  });

  const untouched: Array<[string, Doc]> = [
    ['the field is missing', {}],
    ['the field is null (ALB writes - for none)', { user_agent: null }],
    ['the field is empty', { user_agent: '' }],
  ];
  it.each(untouched)('adds nothing when %s', (_name, doc) => {
    const event = makeEvent({ ...doc });
    build().apply(event);
    expect(event.doc).toEqual(doc);
  });

  it.each([
    ['a number', 42],
    ['an object', { a: 'curl/8.4.0' }],
    ['a list of numbers', [1, 2]],
    ['a boolean', true],
  ])('tags %s and keeps the event', (_name, value) => {
    const doc = parse(value);
    expect(doc.tags).toEqual(['_user_agent_parse_failure']);
    expect(doc.user_agent_info).toBeUndefined();
  });

  it('parses only the first max_length characters', () => {
    const padded = `${'x'.repeat(100)} Chrome/120.0.6099.144 Safari/537.36`;
    expect(parse(padded, { max_length: 100 }).user_agent_info).toMatchObject({ name: 'Other' });
    expect(parse(padded, { max_length: 200 }).user_agent_info).toMatchObject({ name: 'Chrome', major: '120' });
  });

  it('parses hostile megabyte-long values quickly, as the cut text', () => {
    const filter = build({ cache_size: 0 });
    const baits = [
      `Mozilla/5.0 (${'; '.repeat(1 << 19)}`,
      `Mozilla/5.0 (Linux; Android 10; ${'a Build/'.repeat(1 << 17)}`,
      'a'.repeat(1 << 20),
      `Mozilla/5.0 (compatible; ${'bot'.repeat(1 << 18)}`,
      ' '.repeat(1 << 20),
    ];
    const started = performance.now();
    for (let round = 0; round < 3; round++) {
      for (const bait of baits) {
        const event = makeEvent({ user_agent: bait });
        expect(filter.apply(event)).toBe(true);
        expect(event.doc.user_agent_info).toMatchObject({ name: expect.any(String) });
      }
    }
    // Uncut, each of these costs 0.5 to 2 seconds (every rule scans the whole megabyte); cut, about a millisecond.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('serves repeated user agents from the cache, one frozen object for all their events', () => {
    const filter = build({ cache_size: 2 });
    const events = [
      'curl/8.4.0',
      'python-requests/2.31.0',
      'curl/8.4.0',
      'Go-http-client/2.0',
      'python-requests/2.31.0',
    ].map((userAgent) => makeEvent({ user_agent: userAgent }));
    for (const event of events) filter.apply(event);
    expect(filter.cacheStats()).toEqual({ hits: 1, misses: 4, size: 2 });
    expect(events[2]!.doc.user_agent_info).toBe(events[0]!.doc.user_agent_info);
    expect(() => {
      (events[0]!.doc.user_agent_info as { os: { name: string } }).os.name = 'changed';
    }).toThrow(TypeError);
    expect((events[2]!.doc.user_agent_info as { os: { name: string } }).os.name).toBe('Other');
  });

  describe.each(laterWriters('user_agent_info', 'name', 'os', 'name'))('a later $name', ({ config, expect: after }) => {
    it('changes the user_agent_info of the event it writes and of no other event of the agent', async () => {
      const filter = build();
      const later = await buildFilter(config);
      const [written, before, after_] = [1, 2, 3].map(() => makeEvent({ user_agent: 'curl/8.4.0' })) as [
        LogEvent,
        LogEvent,
        LogEvent,
      ];
      filter.apply(written);
      filter.apply(before);
      const parsed = structuredClone(before.doc.user_agent_info) as Record<string, unknown>;
      expect(parsed).toMatchObject({ name: 'curl', os: { name: 'Other' } });
      later.apply(written);
      filter.apply(after_);
      expect(written.doc.user_agent_info).toEqual(after(parsed));
      expect(before.doc.user_agent_info).toEqual(parsed);
      expect(after_.doc.user_agent_info).toEqual(parsed);
    });
  });

  it('applies only where the when condition holds', () => {
    const filter = build({ when: { gte: { field: 'elb_status_code', value: 400 } } });
    const ok = makeEvent({ user_agent: 'curl/8.4.0', elb_status_code: 200 });
    const failed = makeEvent({ user_agent: 'curl/8.4.0', elb_status_code: 503 });
    filter.apply(ok);
    filter.apply(failed);
    expect(ok.doc.user_agent_info).toBeUndefined();
    expect(failed.doc.user_agent_info).toMatchObject({ name: 'curl' });
  });
});

describe('userAgentFilterSchema', () => {
  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['no source', { source: undefined }, 'expected string'],
    ['a target equal to the source', { target: 'user_agent' }, 'target must differ from source'],
    ['a tiny max_length', { max_length: 4 }, 'Too small'],
    ['an unknown key', { cache: 10 }, 'Unrecognized key'],
  ];
  it.each(invalid)('rejects %s', (_name, config, message) => {
    const result = userAgentFilterSchema.safeParse({ type: 'user_agent', source: 'user_agent', ...config });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});
