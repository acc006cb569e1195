import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../../src/core/components.js';
import { createOutput, outputConfigSchema } from '../../../src/outputs/index.js';
import {
  generateTestPki,
  type RunningProxy,
  startSigV4Proxy,
  startTlsProxy,
  type TestPki,
} from '../../helpers/proxies.js';
import { openSearchUrl, testOpenSearchClient, uniqueName } from '../../helpers/services.js';
import { albEvents, closeTestContexts, type TestContext, testContext } from './output-context.js';

const client = testOpenSearchClient();
const proxies: RunningProxy[] = [];
const bases: string[] = [];
const password = 'pa55-Word-only-in-env-7f3a';
const accessKeyId = 'AKIASLUICETESTKEY001';
const secretAccessKey = 'sluice/TestSecretKey+OnlyInTheEnvironment01';
let pki: TestPki;

beforeAll(() => {
  pki = generateTestPki(mkdtempSync(join(tmpdir(), 'sluice-pki-')));
  // The default AWS credential chain reads these first; no profile or metadata service is consulted.
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterAll(async () => {
  await closeTestContexts();
  await Promise.all(proxies.map((p) => p.close()));
  for (const base of bases) {
    await client.indices.delete({ index: `${base}-*` }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: base }).catch(() => undefined);
  }
});

async function proxy(started: Promise<RunningProxy>): Promise<RunningProxy> {
  const p = await started;
  proxies.push(p);
  return p;
}

function config(host: string, extra: Record<string, unknown>) {
  const base = uniqueName('out-sec');
  bases.push(base);
  return {
    base,
    config: outputConfigSchema.parse({
      type: 'opensearch',
      hosts: [host],
      index: `${base}-%{+YYYY.MM.dd}`,
      template: { kind: 'alb', number_of_replicas: 0, name: base },
      flush_interval_seconds: 0.02,
      request_timeout_seconds: 5,
      ...extra,
    }),
  };
}

/** Start, write five events, and check they are in the node behind the proxy. */
async function roundTrip(output: Output, base: string, t: TestContext): Promise<void> {
  await output.start();
  const report = await output.write(albEvents(t.ctx.pipeline, 'AWSLogs/1/sec.log.gz', ['2024-10-01'], 5));
  expect(report.stored).toBe(5);
  const index = `${base}-2024.10.01`;
  await client.indices.refresh({ index });
  expect((await client.count({ index })).body.count).toBe(5);
}

function expectNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('OpenSearchOutput over TLS with basic auth', () => {
  it('stores events through a TLS proxy when the test CA is trusted and the password is right', async () => {
    const p = await proxy(startTlsProxy(openSearchUrl(), { pki, basicAuth: { username: 'sluice', password } }));
    const t = testContext('tls-ok');
    const { base, config: c } = config(p.url, {
      tls: { ca_file: pki.caFile },
      auth: { type: 'basic', username: 'sluice', password },
    });
    const output = createOutput(c, t.ctx);
    await roundTrip(output, base, t);
    await output.close();
    expect(p.stats.forwarded).toBeGreaterThanOrEqual(2);
    expect(p.stats.unauthorized).toBeUndefined();
    expect(p.authorizations.length).toBeGreaterThan(0);
    expectNoSecrets(t.logs(), [password, ...new Set(p.authorizations)]);
  });

  it.each([
    ['an unrelated CA is trusted', () => ({ ca_file: pki.otherCaFile })],
    ['no CA is configured (verification is on by default)', () => undefined],
  ])('refuses the server with a TLS error naming ca_file when %s', async (_, tls) => {
    const p = await proxy(startTlsProxy(openSearchUrl(), { pki, basicAuth: { username: 'sluice', password } }));
    const t = testContext('tls-wrong-ca');
    const { config: c } = config(p.url, { tls: tls(), auth: { type: 'basic', username: 'sluice', password } });
    const output = createOutput(c, t.ctx);
    const error = await output.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_OUTPUT_TLS', hint: expect.stringMatching(/tls\.ca_file/) });
    expect((error as Error).message).toMatch(/certificate/i);
    expect(p.stats.forwarded).toBeUndefined();
    expectNoSecrets(`${(error as Error).message} ${JSON.stringify(error)} ${t.logs()}`, [password]);
    await output.close();
  });

  it('fails start with ERR_OUTPUT_UNAUTHENTICATED and never shows the password when it is wrong', async () => {
    const p = await proxy(startTlsProxy(openSearchUrl(), { pki, basicAuth: { username: 'sluice', password } }));
    const t = testContext('tls-bad-password');
    const wrong = 'wrong-Password-9c1d';
    const { config: c } = config(p.url, {
      tls: { ca_file: pki.caFile },
      auth: { type: 'basic', username: 'sluice', password: wrong },
    });
    const output = createOutput(c, t.ctx);
    const error = await output.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_OUTPUT_UNAUTHENTICATED', hint: expect.stringMatching(/auth\.password/) });
    expect(p.stats.unauthorized).toBe(1);
    expectNoSecrets(`${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)} ${t.logs()}`, [
      wrong,
      ...p.authorizations,
    ]);
    await output.close();
  });

  it('presents a client certificate when the proxy requires mutual TLS', async () => {
    const p = await proxy(startTlsProxy(openSearchUrl(), { pki, requireClientCert: true }));
    const t = testContext('tls-mutual');
    const without = createOutput(config(p.url, { tls: { ca_file: pki.caFile } }).config, t.ctx);
    await expect(without.start()).rejects.toBeDefined();
    await without.close();
    const { base, config: c } = config(p.url, {
      tls: { ca_file: pki.caFile, cert_file: pki.clientCertFile, key_file: pki.clientKeyFile },
    });
    const output = createOutput(c, t.ctx);
    await roundTrip(output, base, t);
    await output.close();
  });
});

describe('OpenSearchOutput with AWS SigV4', () => {
  it.each(['es', 'aoss'] as const)(
    'signs every request so the receiving side verifies it when the service is %s',
    async (service) => {
      const p = await proxy(
        startSigV4Proxy(openSearchUrl(), {
          credentials: { accessKeyId, secretAccessKey },
          region: 'eu-west-1',
          service,
        }),
      );
      const t = testContext(`sigv4-${service}`);
      const { base, config: c } = config(p.url, { auth: { type: 'aws_sigv4', region: 'eu-west-1', service } });
      const output = createOutput(c, t.ctx);
      await roundTrip(output, base, t);
      await output.close();
      expect(p.stats.verified).toBeGreaterThanOrEqual(2);
      expect(p.stats.rejected).toBeUndefined();
      expectNoSecrets(t.logs(), [secretAccessKey, ...new Set(p.authorizations)]);
    },
  );

  it('fails start with ERR_OUTPUT_FORBIDDEN when the receiving side does not accept the signature', async () => {
    const p = await proxy(
      startSigV4Proxy(openSearchUrl(), {
        credentials: { accessKeyId, secretAccessKey: 'a-different-secret' },
        region: 'eu-west-1',
        service: 'es',
      }),
    );
    const t = testContext('sigv4-bad');
    const { config: c } = config(p.url, { auth: { type: 'aws_sigv4', region: 'eu-west-1', service: 'es' } });
    const output = createOutput(c, t.ctx);
    const error = await output.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_OUTPUT_FORBIDDEN', hint: expect.stringMatching(/task role/) });
    expect(p.stats['rejected:signature-mismatch']).toBe(1);
    expectNoSecrets(`${(error as Error).message} ${JSON.stringify(error)} ${t.logs()}`, [
      secretAccessKey,
      ...p.authorizations,
    ]);
    await output.close();
  });
});
