import { describe, expect, it } from 'vitest';
import { AssumeRoleFailure, defaultSessionName } from '../../../src/sources/s3/assumed-role.js';
import { S3Clients } from '../../../src/sources/s3/s3-clients.js';

const settings = { region: 'us-east-1', force_path_style: true };

describe('S3Clients', () => {
  it("gives the source's region client when a read names no region or the source's own", async () => {
    const clients = new S3Clients(settings, 'p');
    expect(clients.forRegion(undefined)).toBe(clients.source);
    expect(clients.forRegion('us-east-1')).toBe(clients.source);
    expect(await clients.source.config.region()).toBe('us-east-1');
  });

  it('builds one client per other region a record names, and reuses it', async () => {
    const clients = new S3Clients(settings, 'p');
    const eu = clients.forRegion('eu-west-1');
    expect(eu).not.toBe(clients.source);
    expect(await eu.config.region()).toBe('eu-west-1');
    expect(clients.forRegion('eu-west-1')).toBe(eu);
    expect(await clients.forRegion('ap-southeast-2').config.region()).toBe('ap-southeast-2');
  });

  it('signs with the session of role_arn, asked of STS at the endpoint, when role_arn is set', async () => {
    const roleArn = 'arn:aws:iam::210987654321:role/log-reader';
    // Nothing listens on port 1: the credentials can only come from that STS call, which fails.
    const clients = new S3Clients({ ...settings, endpoint: 'http://127.0.0.1:1', role_arn: roleArn }, 'p');
    for (const client of [clients.source, clients.forRegion('eu-west-1')]) {
      const failure = await client.config.credentials().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AssumeRoleFailure);
      expect(failure).toMatchObject({
        roleArn,
        message: expect.stringContaining(`sts:AssumeRole on ${roleArn} failed`),
      });
    }
  }, 30_000);

  it('uses one given client for every region when a test gives one', () => {
    const given = new S3Clients(settings, 'p').source;
    const clients = new S3Clients({ ...settings, role_arn: 'arn:aws:iam::210987654321:role/r' }, 'p', given);
    expect(clients.forRegion('eu-west-1')).toBe(given);
    expect(clients.source).toBe(given);
  });
});

describe('defaultSessionName', () => {
  it.each([
    ['alb', 'sluice-alb'],
    ['waf:prod/eu', 'sluice-waf-prod-eu'],
    ['x'.repeat(80), `sluice-${'x'.repeat(57)}`],
  ])('names the session of pipeline %s %s, within what STS accepts', (pipeline, name) => {
    expect(defaultSessionName(pipeline)).toBe(name);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
