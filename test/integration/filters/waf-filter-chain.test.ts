import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/core/components.js';
import { createFilter, filterConfigSchema } from '../../../src/filters/index.js';
import { makeEvent } from '../../filters/make-event.js';
import { componentContext } from '../../helpers/component-context.js';
import { geoipDatabasePath } from '../../helpers/services.js';

/** A WAF log line as AWS documents it, with the client moved into a documentation range. */
const wafLine = {
  timestamp: 1576280412771,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE-2ARN-3ARN-4ARN-123456EXAMPLE',
  terminatingRuleId: 'STMTest_SQLi_XSS',
  terminatingRuleType: 'REGULAR',
  action: 'BLOCK',
  httpSourceName: 'ALB',
  httpSourceId: '111122223333-app/web/abcdefghijklmnop',
  httpRequest: {
    clientIp: '2001:db8:1::7',
    country: 'GB',
    headers: [
      { name: 'Host', value: 'localhost:1989' },
      { name: 'User-Agent', value: 'curl/7.61.1' },
      { name: 'Accept', value: '*/*' },
      { name: 'Authorization', value: 'Basic dXNlcjpodW50ZXIy' },
      { name: 'x-stm-test', value: '10 AND 1=1' },
      { name: 'X-STM-Test', value: 'again' },
    ],
    uri: '/myUri',
    args: 'user=bob&password=hunter2',
    httpVersion: 'HTTP/1.1',
    httpMethod: 'GET',
    requestId: 'rid',
  },
};

/** The fields this test reads after the chain ran. */
interface ChainedDoc {
  '@timestamp'?: string;
  action?: string;
  formatVersion?: number;
  httpRequest: { args: string; header_map: unknown; headers: Array<{ name: string; value: string }> };
  client: { geo: unknown };
}

describe('WAF filter chain', () => {
  it('flattens headers, redacts secrets, sets the time and places the client when run in order', async () => {
    const ctx = componentContext({ pipeline: 'waf' });
    const configs = [
      { type: 'waf_headers', allowlist: ['host', 'user-agent', 'authorization', 'x-stm-test'] },
      { type: 'redact' },
      { type: 'date', field: 'timestamp', formats: ['epoch_millis'] },
      { type: 'geoip', database: geoipDatabasePath(), source: 'httpRequest.clientIp', target: 'client.geo' },
      { type: 'mutate', lowercase: ['action'], remove: ['formatVersion'] },
      { type: 'drop', when: { equals: { field: 'action', value: 'allow' } } },
    ];
    const filters: Filter[] = [];
    for (const config of configs) filters.push(await createFilter(filterConfigSchema.parse(config), ctx));
    const event = makeEvent(structuredClone(wafLine));
    expect(filters.every((filter) => filter.apply(event))).toBe(true);

    const doc = event.doc as unknown as ChainedDoc;
    expect(doc['@timestamp']).toBe('2019-12-13T23:40:12.771Z');
    expect(doc.action).toBe('block');
    expect(doc.formatVersion).toBeUndefined();
    expect(doc.httpRequest.args).toBe('user=bob&password=[REDACTED]');
    expect(doc.httpRequest.header_map).toEqual({
      host: 'localhost:1989',
      'user-agent': 'curl/7.61.1',
      authorization: '[REDACTED]',
      'x-stm-test': ['10 AND 1=1', 'again'],
    });
    expect(doc.httpRequest.headers[3]).toEqual({ name: 'Authorization', value: '[REDACTED]' });
    expect(JSON.stringify(doc)).not.toContain('hunter2');
    expect(JSON.stringify(doc)).not.toContain('dXNlcjpodW50ZXIy');
    expect(doc.client.geo).toMatchObject({
      ip: '2001:db8:1::7',
      city_name: 'London',
      location: { lat: 51.5142, lon: -0.0931 },
    });

    const allowed = makeEvent({ ...structuredClone(wafLine), action: 'ALLOW' });
    expect(filters.every((filter) => filter.apply(allowed))).toBe(false);
  });
});
