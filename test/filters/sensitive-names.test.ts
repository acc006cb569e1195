import { describe, expect, it } from 'vitest';
import { defaultQueryParams, defaultSensitiveHeaders, normalizeName } from '../../src/filters/sensitive-names.js';

describe('normalizeName', () => {
  const cases: Array<[string, string]> = [
    ['password', 'password'],
    ['PassWord', 'password'],
    ['%70assword', 'password'],
    ['%2570assword', 'password'],
    ['%252570assword', 'password'],
    ['user[password]', 'password'],
    ['user%5Bpassword%5D', 'password'],
    ['a[b][token][]', 'token'],
    ['user[]', 'user[]'],
    ['X-Amz-Signature', 'x_amz_signature'],
    ['api-key', 'api_key'],
    ['%20token%20', 'token'],
    ['100%', '100%'],
    ['%E0%A4%A', '%e0%a4%a'],
    ['%70assword%', 'password%'],
    ['%70assword%zz[%74oken]', 'token'],
    ['user_token', 'user_token'],
  ];
  it.each(cases)('reads %s as %s', (name, expected) => {
    expect(normalizeName(name)).toBe(expected);
  });
});

describe('default sensitive names', () => {
  it('are written in normalized form so that each can match', () => {
    for (const name of defaultQueryParams) expect(normalizeName(name)).toBe(name);
    for (const name of defaultSensitiveHeaders) expect(normalizeName(name)).toBe(name.replaceAll('-', '_'));
  });

  it.each([
    'client_secret',
    'refresh_token',
    'id_token',
    'session_token',
    'x_amz_security_token',
    'x_amz_signature',
    'x_amz_credential',
    'sig',
    'api_key',
  ])('include the query parameter %s', (name) => {
    expect(defaultQueryParams).toContain(name);
  });

  it.each(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-amz-security-token'])(
    'include the header %s',
    (name) => {
      expect(defaultSensitiveHeaders).toContain(name);
    },
  );
});
