import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComponentContext } from '../../../src/core/components.js';
import type { Doc, LogEvent } from '../../../src/core/event.js';
import { createGeoipFilter, type GeoipFilter, geoipFilterSchema } from '../../../src/filters/geoip-filter.js';
import { createFilter, filterConfigSchema } from '../../../src/filters/index.js';
import { buildFilter, laterWriters } from '../../filters/later-writers.js';
import { makeEvent } from '../../filters/make-event.js';
import { componentContext } from '../../helpers/component-context.js';
import { geoipAsnDatabasePath, geoipDatabasePath } from '../../helpers/services.js';

function context(baseDir: string): ComponentContext {
  return componentContext({ pipeline: 'geoip-test', baseDir });
}

async function build(config: Record<string, unknown>): Promise<GeoipFilter> {
  const parsed = geoipFilterSchema.parse({ type: 'geoip', database: geoipDatabasePath(), ...config });
  return createGeoipFilter(parsed, context('/'));
}

const london = {
  country_iso_code: 'GB',
  country_name: 'United Kingdom',
  continent_code: 'EU',
  region_iso_code: 'GB-ENG',
  region_name: 'England',
  city_name: 'London',
  postal_code: 'EC2V',
  timezone: 'Europe/London',
  location: { lat: 51.5142, lon: -0.0931 },
};

describe('geoip filter', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-geoip-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const places: Array<[string, string, Record<string, unknown>]> = [
    ['an IPv4 address in London', '192.0.2.10', { ip: '192.0.2.10', ...london }],
    [
      'an IPv4 address in Berlin',
      '198.51.100.7',
      {
        ip: '198.51.100.7',
        country_iso_code: 'DE',
        country_name: 'Germany',
        continent_code: 'EU',
        region_iso_code: 'DE-BE',
        region_name: 'Land Berlin',
        city_name: 'Berlin',
        postal_code: '10115',
        timezone: 'Europe/Berlin',
        location: { lat: 52.5244, lon: 13.4105 },
      },
    ],
    [
      'an IPv4 address in San Francisco',
      '203.0.113.5',
      expect.objectContaining({ city_name: 'San Francisco', region_iso_code: 'US-CA', continent_code: 'NA' }),
    ],
    [
      'an IPv6 address in New York',
      '2001:db8::1',
      expect.objectContaining({ ip: '2001:db8::1', city_name: 'New York', country_iso_code: 'US' }),
    ],
    ['an IPv6 address in London', '2001:db8:1::abcd', { ip: '2001:db8:1::abcd', ...london }],
    [
      'a bracketed IPv6 address',
      '[2001:db8::1]',
      expect.objectContaining({ ip: '2001:db8::1', city_name: 'New York' }),
    ],
    ['an IPv4-mapped IPv6 address', '::ffff:192.0.2.10', { ip: '::ffff:192.0.2.10', ...london }],
  ];
  it.each(places)('places %s', async (_name, ip, expected) => {
    const filter = await build({ source: 'client_ip' });
    const event = makeEvent({ client_ip: ip });
    expect(filter.apply(event)).toBe(true);
    expect(event.doc.geoip).toEqual(expected);
    expect(event.doc.tags).toBeUndefined();
  });

  const skipped: string[] = [
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    '::ffff:10.0.0.1',
  ];
  it.each(skipped)('skips the private or reserved address %s without a lookup or tag', async (ip) => {
    const filter = await build({ source: 'client_ip', tag_on_unknown: '_geoip_unknown' });
    const event = makeEvent({ client_ip: ip });
    expect(filter.apply(event)).toBe(true);
    expect(event.doc).toEqual({ client_ip: ip });
    expect(filter.cacheStats().lookups).toBe(0);
  });

  const failures: Array<[string, Doc, Doc]> = [
    [
      'tags an invalid address',
      { client_ip: 'not-an-ip' },
      { client_ip: 'not-an-ip', tags: ['_geoip_lookup_failure'] },
    ],
    [
      'tags an address with a port',
      { client_ip: '192.0.2.1:443' },
      { client_ip: '192.0.2.1:443', tags: ['_geoip_lookup_failure'] },
    ],
    ['tags a number', { client_ip: 3232235777 }, { client_ip: 3232235777, tags: ['_geoip_lookup_failure'] }],
    ['adds nothing for an unknown public address', { client_ip: '8.8.8.8' }, { client_ip: '8.8.8.8' }],
    ['adds nothing for a missing field', { other: 1 }, { other: 1 }],
    ['adds nothing for a null field (ALB writes - for no client)', { client_ip: null }, { client_ip: null }],
  ];
  it.each(failures)('%s', async (_name, doc, expected) => {
    const filter = await build({ source: 'client_ip' });
    const event = makeEvent(doc);
    expect(filter.apply(event)).toBe(true);
    expect(event.doc).toEqual(expected);
  });

  it('tags hostile values of any shape or size without throwing', async () => {
    const filter = await build({ source: 'client_ip' });
    let deep: unknown = '192.0.2.1';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const hostile: unknown[] = [
      deep,
      `192.0.2.1${' '.repeat(4_000_000)}x`,
      ['192.0.2.1'],
      JSON.parse('{"__proto__":{"polluted":"yes"}}'),
      true,
    ];
    for (const value of hostile) {
      const event = makeEvent({ client_ip: value, geoip: 'a string where the target goes' });
      expect(() => filter.apply(event)).not.toThrow();
      expect(event.doc.tags).toEqual(['_geoip_lookup_failure']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('tags an unknown address when tag_on_unknown is set', async () => {
    const filter = await build({ source: 'client_ip', tag_on_unknown: '_geoip_unknown' });
    const event = makeEvent({ client_ip: '2001:4860::8888' });
    filter.apply(event);
    expect(event.doc).toEqual({ client_ip: '2001:4860::8888', tags: ['_geoip_unknown'] });
  });

  it('reads a nested WAF source and writes a custom target', async () => {
    const filter = await build({ source: 'httpRequest.clientIp', target: '[client][geo]' });
    const event = makeEvent({ httpRequest: { clientIp: '203.0.113.9' } });
    filter.apply(event);
    expect((event.doc.client as Doc).geo).toEqual(expect.objectContaining({ city_name: 'San Francisco' }));
  });

  it('serves repeated addresses from the cache and evicts the least recently used', async () => {
    const filter = await build({ source: 'client_ip', cache_size: 2 });
    const cities: string[] = [];
    for (const ip of ['192.0.2.1', '198.51.100.1', '192.0.2.1', '203.0.113.1', '192.0.2.1', '198.51.100.1']) {
      const event = makeEvent({ client_ip: ip });
      filter.apply(event);
      cities.push((event.doc.geoip as { city_name: string }).city_name);
    }
    expect(cities).toEqual(['London', 'Berlin', 'London', 'San Francisco', 'London', 'Berlin']);
    // London stays (used last before each eviction); Berlin is evicted by San Francisco and looked up again.
    expect(filter.cacheStats()).toEqual({ hits: 2, misses: 4, size: 2, lookups: 4 });
  });

  it('looks every address up when the cache is disabled', async () => {
    const filter = await build({ source: 'client_ip', cache_size: 0 });
    for (let i = 0; i < 3; i++) filter.apply(makeEvent({ client_ip: '192.0.2.1' }));
    expect(filter.cacheStats()).toEqual({ hits: 0, misses: 3, size: 0, lookups: 3 });
  });

  it('puts one frozen object into every event of a cached address', async () => {
    const filter = await build({ source: 'client_ip' });
    const first = makeEvent({ client_ip: '192.0.2.1' });
    const second = makeEvent({ client_ip: '192.0.2.1' });
    filter.apply(first);
    filter.apply(second);
    expect(second.doc.geoip).toBe(first.doc.geoip);
    expect(Object.isFrozen(first.doc.geoip) && Object.isFrozen((first.doc.geoip as Doc).location)).toBe(true);
    // A write that goes around the field-path functions fails loudly instead of changing the other event.
    expect(() => {
      (first.doc.geoip as { city_name: string }).city_name = 'changed';
    }).toThrow(TypeError);
    expect(second.doc.geoip).toEqual({ ip: '192.0.2.1', ...london });
  });

  describe.each(laterWriters('geoip', 'city_name', 'location', 'lat'))('a later $name', ({ config, expect: after }) => {
    it('changes the geoip of the event it writes and of no other event of the address', async () => {
      const filter = await build({ source: 'client_ip' });
      const later = await buildFilter(config);
      const [written, before, after_] = [1, 2, 3].map(() => makeEvent({ client_ip: '192.0.2.1' })) as [
        LogEvent,
        LogEvent,
        LogEvent,
      ];
      filter.apply(written);
      filter.apply(before);
      later.apply(written);
      filter.apply(after_);
      const placed = { ip: '192.0.2.1', ...london };
      expect(written.doc.geoip).toEqual(after(placed));
      expect(before.doc.geoip).toEqual(placed);
      expect(after_.doc.geoip).toEqual(placed);
    });
  });

  it('does not cache invalid strings', async () => {
    const filter = await build({ source: 'client_ip', cache_size: 1 });
    filter.apply(makeEvent({ client_ip: '192.0.2.1' }));
    filter.apply(makeEvent({ client_ip: 'garbage' }));
    filter.apply(makeEvent({ client_ip: '192.0.2.1' }));
    expect(filter.cacheStats().lookups).toBe(1);
  });

  it('applies only where the when condition holds', async () => {
    const filter = await build({ source: 'client_ip', when: { equals: { field: 'kind', value: 'alb' } } });
    const skippedEvent = makeEvent({ kind: 'waf', client_ip: '192.0.2.1' });
    filter.apply(skippedEvent);
    expect(skippedEvent.doc.geoip).toBeUndefined();
    const appliedEvent = makeEvent({ kind: 'alb', client_ip: '192.0.2.1' });
    filter.apply(appliedEvent);
    expect(appliedEvent.doc.geoip).toEqual({ ip: '192.0.2.1', ...london });
  });

  it('resolves a relative database path against the config directory through createFilter', async () => {
    const dir = join(tmp, 'conf');
    mkdirSync(join(dir, 'db'), { recursive: true });
    copyFileSync(geoipDatabasePath(), join(dir, 'db', basename(geoipDatabasePath())));
    const config = filterConfigSchema.parse({
      type: 'geoip',
      database: `db/${basename(geoipDatabasePath())}`,
      source: 'client_ip',
    });
    const filter = await createFilter(config, context(dir));
    const event = makeEvent({ client_ip: '192.0.2.1' });
    filter.apply(event);
    expect(event.doc.geoip).toEqual({ ip: '192.0.2.1', ...london });
  });

  it('fails with a typed error naming the path when the database is missing', async () => {
    const parsed = geoipFilterSchema.parse({ type: 'geoip', database: 'missing.mmdb', source: 'client_ip' });
    await expect(createGeoipFilter(parsed, context(tmp))).rejects.toMatchObject({
      code: 'ERR_FILTER_BUILD',
      message: expect.stringContaining(join(tmp, 'missing.mmdb')),
    });
  });

  it('fails with a typed error when the file is not a MaxMind database', async () => {
    const path = join(tmp, 'bad.mmdb');
    writeFileSync(path, 'not a database');
    const parsed = geoipFilterSchema.parse({ type: 'geoip', database: path, source: 'client_ip' });
    await expect(createGeoipFilter(parsed, context(tmp))).rejects.toMatchObject({ code: 'ERR_FILTER_BUILD' });
  });

  describe('with an ASN database', () => {
    const withAsn = (config: Record<string, unknown>) => build({ asn_database: geoipAsnDatabasePath(), ...config });

    const networks: Array<[string, Record<string, unknown>, string, Record<string, unknown>]> = [
      [
        'names the AS of an IPv4 address when only asn_database is set',
        { database: undefined },
        '192.0.2.10',
        { ip: '192.0.2.10', asn: 64496, organization_name: 'Example Transit Ltd (documentation AS)' },
      ],
      [
        'adds the AS to the location when both databases are set',
        {},
        '198.51.100.7',
        expect.objectContaining({
          city_name: 'Berlin',
          country_iso_code: 'DE',
          asn: 64497,
          organization_name: 'Beispiel Netze GmbH (documentation AS)',
        }),
      ],
      [
        'names the AS of an IPv6 address',
        {},
        '2001:db8::1',
        expect.objectContaining({ city_name: 'New York', asn: 64499 }),
      ],
      [
        'names a 32-bit AS of a network the City database does not know',
        {},
        '2001:db8:2::1',
        { ip: '2001:db8:2::1', asn: 65536, organization_name: 'Example 32-bit AS (documentation AS)' },
      ],
      [
        'places a network the ASN database does not know without an AS',
        {},
        '2001:db8:1::1',
        { ip: '2001:db8:1::1', ...london },
      ],
      [
        'names the AS of an IPv4-mapped IPv6 address',
        { database: undefined },
        '::ffff:203.0.113.5',
        { ip: '::ffff:203.0.113.5', asn: 64498, organization_name: 'Example Cloud Inc (documentation AS)' },
      ],
    ];
    it.each(networks)('%s', async (_name, config, ip, expected) => {
      const filter = await withAsn({ source: 'client_ip', ...config });
      const event = makeEvent({ client_ip: ip });
      expect(filter.apply(event)).toBe(true);
      expect(event.doc.geoip).toEqual(expected);
      expect(event.doc.tags).toBeUndefined();
    });

    it('adds nothing, or the unknown tag, for an address neither database knows', async () => {
      const filter = await withAsn({ source: 'client_ip', tag_on_unknown: '_geoip_unknown' });
      const event = makeEvent({ client_ip: '8.8.8.8' });
      filter.apply(event);
      expect(event.doc).toEqual({ client_ip: '8.8.8.8', tags: ['_geoip_unknown'] });
    });

    it('looks an address up once in both databases and serves it from the cache after', async () => {
      const filter = await withAsn({ source: 'client_ip' });
      for (let i = 0; i < 3; i++) filter.apply(makeEvent({ client_ip: '192.0.2.1' }));
      expect(filter.cacheStats()).toEqual({ hits: 2, misses: 1, size: 1, lookups: 1 });
    });

    it('fails saying to use asn_database when an ASN database is given as database', async () => {
      const parsed = geoipFilterSchema.parse({ type: 'geoip', database: geoipAsnDatabasePath(), source: 'client_ip' });
      await expect(createGeoipFilter(parsed, context(tmp))).rejects.toMatchObject({
        code: 'ERR_FILTER_BUILD',
        message: expect.stringContaining('is a GeoLite2-ASN database, not what database takes'),
        hint: expect.stringContaining('Give it as asn_database instead.'),
      });
    });

    it('fails saying to use database when a City database is given as asn_database', async () => {
      const parsed = geoipFilterSchema.parse({ type: 'geoip', asn_database: geoipDatabasePath(), source: 'client_ip' });
      await expect(createGeoipFilter(parsed, context(tmp))).rejects.toMatchObject({
        code: 'ERR_FILTER_BUILD',
        message: expect.stringContaining('is a GeoIP2-City database, not what asn_database takes'),
        hint: expect.stringContaining('Give it as database instead.'),
      });
    });

    it('refuses a geoip filter without either database', () => {
      const result = geoipFilterSchema.safeParse({ type: 'geoip', source: 'client_ip' });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain(
        'set database (City or Country), asn_database (ASN or ISP), or both',
      );
    });
  });
});
