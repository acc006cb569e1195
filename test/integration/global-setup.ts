import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Starts the real servers once per test run (scripts/services.sh is idempotent and
 * reuses what already runs) and hands their endpoints to the tests through the environment.
 * A service that cannot start fails the run: integration tests are never skipped.
 */
export default async function setup(): Promise<void> {
  const script = resolve(import.meta.dirname, '../../scripts/services.sh');
  const { stdout, stderr } = await promisify(execFile)('bash', [script, 'start'], {
    maxBuffer: 10 * 1024 * 1024,
    timeout: 15 * 60_000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`scripts/services.sh start failed:\n${error.stderr ?? ''}\n${error.message}`);
  });
  if (stderr.trim()) process.stderr.write(stderr);
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) process.env[match[1]!] = match[2]!;
  }
}
