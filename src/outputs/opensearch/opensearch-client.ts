import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { OutputError } from '../../core/errors.js';
import type { OpenSearchOutputConfig } from './opensearch-config.js';

/** A host URL fit for logs and error messages: any user:password in it is removed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

function readPem(baseDir: string, file: string, what: string): Buffer {
  const path = resolve(baseDir, file);
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new OutputError(
      'ERR_OUTPUT_TLS_CONFIG',
      `cannot read the ${what} file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { file: path, setting: `tls.${what}` },
      `Check tls.${what} and that the worker may read it.`,
      cause,
    );
  }
}

/** The PEM files tls names; every one that cannot be read is reported, not only the first. */
function readTlsFiles(
  baseDir: string,
  tls: OpenSearchOutputConfig['tls'],
): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const files = { ca: tls?.ca_file, cert: tls?.cert_file, key: tls?.key_file };
  const read: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const failures: OutputError[] = [];
  for (const [name, file] of Object.entries(files) as [keyof typeof files, string | undefined][]) {
    if (file === undefined) continue;
    try {
      read[name] = readPem(baseDir, file, `${name}_file`);
    } catch (error) {
      failures.push(error as OutputError);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'several TLS files cannot be read');
  return read;
}

/**
 * The OpenSearch client for one output. Its own retries are off (maxRetries 0): the output
 * retries per item, which the client cannot do. TLS verification stays on unless told otherwise.
 */
export function createOpenSearchClient(config: OpenSearchOutputConfig, baseDir: string): Client {
  const tls = config.tls;
  const options: ClientOptions = {
    nodes: config.hosts,
    maxRetries: 0,
    requestTimeout: Math.round(config.request_timeout_seconds * 1000),
    resurrectStrategy: 'optimistic',
    ssl: { rejectUnauthorized: !(tls?.insecure_skip_verify ?? false), ...readTlsFiles(baseDir, tls) },
  };
  const auth = config.auth;
  if (auth?.type === 'basic') {
    options.auth = { username: auth.username, password: auth.password };
  } else if (auth?.type === 'aws_sigv4') {
    // The default chain: environment, shared config, ECS task role, instance profile; refreshed before expiry.
    const provider = defaultProvider();
    Object.assign(
      options,
      AwsSigv4Signer({ region: auth.region, service: auth.service, getCredentials: () => provider() }),
    );
  }
  return new Client(options);
}
