import maxmind, { type CityResponse } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { geoipDatabasePath } from '../../helpers/services.js';

describe('GeoIP2-City test database', () => {
  it('returns the inserted city for IPv4 and IPv6 documentation addresses', async () => {
    const reader = await maxmind.open<CityResponse>(geoipDatabasePath());
    expect(reader.metadata.databaseType).toBe('GeoIP2-City');
    expect(reader.get('192.0.2.10')?.city?.names.en).toBe('London');
    expect(reader.get('203.0.113.5')?.country?.iso_code).toBe('US');
    expect(reader.get('2001:db8::1')?.city?.names.en).toBe('New York');
    expect(reader.get('8.8.8.8')).toBeNull();
  });
});
