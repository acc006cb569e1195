/**
 * `geoip`: places an IP address with a MaxMind GeoIP2/GeoLite2 City (or Country) database,
 * and names its network's autonomous system with a GeoLite2-ASN (or GeoIP2-ISP) database, in
 * the shape OpenSearch's and Elasticsearch's geoip processors write: `location` a geo_point
 * object, `asn` and `organization_name` as the processors name them for an ASN database.
 * One filter reads both, so an address is parsed and cached once. The databases are read once
 * at build; lookups go through a bounded LRU cache because log traffic repeats the same clients.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type AsnResponse, type CityResponse, Reader, type Response } from 'maxmind';
import { z } from 'zod';
import type { Filter, FilterContext } from '../core/components.js';
import type { LogEvent } from '../core/event.js';
import { type FieldPath, getField, parseFieldPath, setField, shareFrozen } from '../core/field-path.js';
import { readSharedFile } from '../core/shared-files.js';
import { addTag } from '../core/tags.js';
import { compileCondition, type DocPredicate } from './condition.js';
import { fieldPathSchema } from './field-path-schema.js';
import { FilterBuildError } from './filter-build-error.js';
import { whenSchema } from './filter-when.js';
import { isPrivateAddress } from './is-private-address.js';
import { LruCache } from './lru-cache.js';

export const geoipFilterSchema = z
  .strictObject({
    type: z.literal('geoip'),
    database: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Path to a GeoIP2 or GeoLite2 City (or Country) .mmdb file; relative paths resolve against the config file',
      ),
    asn_database: z
      .string()
      .min(1)
      .optional()
      .describe('Path to a GeoLite2-ASN (or GeoIP2-ISP) .mmdb file: adds asn and organization_name to the same target'),
    source: fieldPathSchema.describe(
      'Field holding the IP address, e.g. client_ip (ALB) or httpRequest.clientIp (WAF)',
    ),
    target: fieldPathSchema.default('geoip').describe('Field that receives the location object'),
    cache_size: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('Addresses whose lookups are kept (least recently used evicted first); 0 disables the cache'),
    tag_on_failure: z
      .string()
      .min(1)
      .default('_geoip_lookup_failure')
      .describe('Tag added when the source is not an IP address; the event is kept'),
    tag_on_unknown: z
      .string()
      .min(1)
      .optional()
      .describe('Tag added when the database does not know the address (default: no tag, nothing added)'),
    when: whenSchema,
  })
  .refine((config) => config.database !== undefined || config.asn_database !== undefined, {
    message: 'set database (City or Country), asn_database (ASN or ISP), or both',
  })
  .describe('Adds the location and the autonomous system of an IP address');

export type GeoipFilterConfig = z.infer<typeof geoipFilterSchema>;

/** What the filter writes at `target`; absent facts are left out. */
export interface GeoipResult {
  ip: string;
  country_iso_code?: string;
  country_name?: string;
  continent_code?: string;
  region_iso_code?: string;
  region_name?: string;
  city_name?: string;
  postal_code?: string;
  timezone?: string;
  location?: { lat: number; lon: number };
  /** From an ASN or ISP database. */
  asn?: number;
  organization_name?: string;
}

/** Cached outcome: a result, unknown to the database, or an address no database can place. */
type Lookup = Readonly<GeoipResult> | 'unknown' | 'private';

export interface GeoipCacheStats {
  hits: number;
  misses: number;
  size: number;
  /** Database lookups done (cache misses for valid, public addresses). */
  lookups: number;
}

function addCity(result: GeoipResult, record: CityResponse): void {
  const countryIso = record.country?.iso_code;
  if (countryIso) result.country_iso_code = countryIso;
  const countryName = record.country?.names?.en;
  if (countryName) result.country_name = countryName;
  const continent = record.continent?.code;
  if (continent) result.continent_code = continent;
  const region = record.subdivisions?.[0];
  // Like the OpenSearch/Elasticsearch geoip processors: "US-CA", not "CA".
  if (region?.iso_code) result.region_iso_code = countryIso ? `${countryIso}-${region.iso_code}` : region.iso_code;
  if (region?.names?.en) result.region_name = region.names.en;
  const city = record.city?.names?.en;
  if (city) result.city_name = city;
  const postal = record.postal?.code;
  if (postal) result.postal_code = postal;
  const timezone = record.location?.time_zone;
  if (timezone) result.timezone = timezone;
  const { latitude, longitude } = record.location ?? {};
  if (typeof latitude === 'number' && typeof longitude === 'number')
    result.location = { lat: latitude, lon: longitude };
}

function addAsn(result: GeoipResult, record: AsnResponse): void {
  if (typeof record.autonomous_system_number === 'number') result.asn = record.autonomous_system_number;
  if (record.autonomous_system_organization) result.organization_name = record.autonomous_system_organization;
}

/** The record for an address, or null; a valid address a reader refuses (IPv6 in an IPv4-only database) is unknown to it. */
function find<T extends Response>(reader: Reader<T> | undefined, address: string): T | null {
  if (reader === undefined) return null;
  try {
    return reader.get(address);
  } catch {
    return null;
  }
}

/** The readers a filter looks addresses up in; at least one is set. */
export interface GeoipReaders {
  city?: Reader<CityResponse>;
  asn?: Reader<AsnResponse>;
}

export class GeoipFilter implements Filter {
  readonly type = 'geoip';
  private readonly source: FieldPath;
  private readonly target: FieldPath;
  private readonly cache: LruCache<string, Lookup>;
  private readonly when: DocPredicate | undefined;
  private lookups = 0;

  constructor(
    private readonly readers: GeoipReaders,
    private readonly config: GeoipFilterConfig,
  ) {
    this.source = parseFieldPath(config.source);
    this.target = parseFieldPath(config.target);
    this.cache = new LruCache(config.cache_size);
    this.when = config.when === undefined ? undefined : compileCondition(config.when);
  }

  apply(event: LogEvent): boolean {
    const doc = event.doc;
    if (this.when !== undefined && !this.when(doc)) return true;
    const value = getField(doc, this.source);
    if (value === undefined || value === null || value === '') return true;
    if (typeof value !== 'string') {
      addTag(doc, this.config.tag_on_failure);
      return true;
    }
    let found = this.cache.get(value);
    if (found === undefined) {
      found = this.lookup(value);
      if (found === undefined) {
        // Not an address: not cached, so garbage cannot push real addresses out.
        addTag(doc, this.config.tag_on_failure);
        return true;
      }
      this.cache.set(value, found);
    }
    if (found === 'private') return true;
    if (found === 'unknown') {
      if (this.config.tag_on_unknown) addTag(doc, this.config.tag_on_unknown);
      return true;
    }
    // One frozen object for every event of the address: a later write into it copies it first (field-path.ts).
    setField(doc, this.target, found);
    return true;
  }

  /** Lookup outcome, or undefined when the text is not an IP address. */
  private lookup(text: string): Lookup | undefined {
    let address = text.trim();
    // ALB and ELB never bracket IPv6, but other sources do: [2001:db8::1].
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
    const version = isIP(address);
    if (version === 0) return undefined;
    if (isPrivateAddress(address, version as 4 | 6)) return 'private';
    // Look IPv4-mapped IPv6 up as the IPv4 address it carries.
    const mapped = version === 6 && /^::ffff:/i.test(address) ? address.slice(7) : '';
    const lookupAddress = isIP(mapped) === 4 ? mapped : address;
    this.lookups++;
    const city = find(this.readers.city, lookupAddress);
    const asn = find(this.readers.asn, lookupAddress);
    if (city === null && asn === null) return 'unknown';
    const result: GeoipResult = { ip: address };
    if (city !== null) addCity(result, city);
    if (asn !== null) addAsn(result, asn);
    return shareFrozen(result);
  }

  cacheStats(): GeoipCacheStats {
    return { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size, lookups: this.lookups };
  }
}

type DatabaseRole = 'database' | 'asn_database';

const roles: Record<DatabaseRole, { kinds: RegExp; wanted: string }> = {
  database: { kinds: /City|Country/i, wanted: 'a GeoIP2 or GeoLite2 City (or Country) .mmdb file' },
  asn_database: { kinds: /ASN|ISP/i, wanted: 'a GeoLite2-ASN or GeoIP2-ISP .mmdb file' },
};

/** Opens one database and checks it is the kind its key asks for; fails saying what to fix. */
async function openDatabase<T extends Response>(
  role: DatabaseRole,
  configured: string,
  ctx: FilterContext,
): Promise<Reader<T>> {
  const path = resolve(ctx.baseDir, configured);
  const { kinds, wanted } = roles[role];
  let reader: Reader<T>;
  try {
    // One copy of the database for the main thread and every worker thread (core/shared-files.ts).
    const database = await readSharedFile(path);
    if (database[0] === 0x1f && database[1] === 0x8b) throw new Error('a gzip file: give the .mmdb inside it');
    // The reader's own cache holds decoded records by offset; ours holds results by address.
    reader = new Reader<T>(database, { cache: new LruCache<number, unknown>(1_000) });
  } catch (error) {
    throw new FilterBuildError(
      `cannot open GeoIP database ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { pipeline: ctx.pipeline, database: path, setting: role },
      `Point ${role} at ${wanted} (relative paths resolve against the config file).`,
      error,
    );
  }
  const kind = reader.metadata.databaseType;
  if (!kinds.test(kind)) {
    const other: DatabaseRole = role === 'database' ? 'asn_database' : 'database';
    const hint = roles[other].kinds.test(kind) ? ` Give it as ${other} instead.` : '';
    throw new FilterBuildError(
      `GeoIP database ${path} is a ${kind} database, not what ${role} takes`,
      { pipeline: ctx.pipeline, database: path, setting: role },
      `Use ${wanted} for ${role}.${hint}`,
    );
  }
  return reader;
}

/**
 * Opens the databases once; fails with a typed error saying what to fix, or an AggregateError of
 * both when neither opens (a config check lists both).
 */
export async function createGeoipFilter(config: GeoipFilterConfig, ctx: FilterContext): Promise<GeoipFilter> {
  const [city, asn] = await Promise.allSettled([
    config.database === undefined ? undefined : openDatabase<CityResponse>('database', config.database, ctx),
    config.asn_database === undefined ? undefined : openDatabase<AsnResponse>('asn_database', config.asn_database, ctx),
  ]);
  const failures = [city, asn].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length > 0) {
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'several GeoIP databases do not open');
  }
  const readers: GeoipReaders = {};
  if (city.status === 'fulfilled' && city.value) readers.city = city.value;
  if (asn.status === 'fulfilled' && asn.value) readers.asn = asn.value;
  return new GeoipFilter(readers, config);
}
