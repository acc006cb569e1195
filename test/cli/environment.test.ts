import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENVIRONMENT, readSettings, type Settings, workerThreads } from '../../src/cli/environment.js';
import { main } from '../../src/cli/main.js';
import { EnvironmentError } from '../../src/cli/usage-error.js';

const defaults: Settings = {
  config: 'pipelines',
  configS3ForcePathStyle: false,
  configReloadSeconds: 0,
  pipelines: [],
  backfillFrom: undefined,
  backfillTo: undefined,
  httpHost: '127.0.0.1',
  httpPort: 9600,
  logLevel: 'info',
  shutdownTimeoutSeconds: 25,
  progressIntervalSeconds: 10,
  workerThreads: 1,
  maxOldSpaceMb: 128,
  maxSemiSpaceMb: 8,
};

describe('SLUICE_WORKER_THREADS', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [16, 4],
  ])('auto on %i CPUs is %i threads', (cpus, threads) => {
    expect(workerThreads('auto', () => cpus)).toBe(threads);
  });
});

describe('readSettings', () => {
  it('uses the default of every variable when none is set', () => {
    expect(readSettings({})).toEqual(defaults);
  });

  it('ignores variables that are not in the table', () => {
    expect(readSettings({ SLUICE_SERVICES_DIR: '/x', SLUICE_HTTP_PORTS: 'abc', PATH: '/bin' })).toEqual(defaults);
  });

  const valid: Array<[string, string, Partial<Settings>]> = [
    ['SLUICE_CONFIG', '/config/alb.yml', { config: '/config/alb.yml' }],
    ['SLUICE_CONFIG', '', { config: 'pipelines' }],
    ['SLUICE_CONFIG_S3_FORCE_PATH_STYLE', 'true', { configS3ForcePathStyle: true }],
    ['SLUICE_CONFIG_S3_FORCE_PATH_STYLE', 'FALSE', { configS3ForcePathStyle: false }],
    ['SLUICE_CONFIG_S3_FORCE_PATH_STYLE', '1', { configS3ForcePathStyle: true }],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '30', { configReloadSeconds: 30 }],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '0.5', { configReloadSeconds: 0.5 }],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '0', { configReloadSeconds: 0 }],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '', { configReloadSeconds: 0 }],
    ['SLUICE_PIPELINES', ' alb, waf,,cloudtrail ,', { pipelines: ['alb', 'waf', 'cloudtrail'] }],
    ['SLUICE_PIPELINES', 'alb', { pipelines: ['alb'] }],
    ['SLUICE_PIPELINES', '', { pipelines: [] }],
    ['SLUICE_BACKFILL_FROM', '2024-01-01', { backfillFrom: new Date('2024-01-01T00:00:00Z') }],
    ['SLUICE_BACKFILL_FROM', '', { backfillFrom: undefined }],
    ['SLUICE_BACKFILL_TO', '2024-02-01T06:30', { backfillTo: new Date('2024-02-01T06:30:00Z') }],
    ['SLUICE_HTTP_HOST', '0.0.0.0', { httpHost: '0.0.0.0' }],
    ['SLUICE_HTTP_HOST', '::', { httpHost: '::' }],
    ['SLUICE_HTTP_HOST', 'localhost', { httpHost: 'localhost' }],
    ['SLUICE_HTTP_HOST', '', { httpHost: '127.0.0.1' }],
    ['SLUICE_HTTP_PORT', '8080', { httpPort: 8080 }],
    ['SLUICE_HTTP_PORT', ' 0 ', { httpPort: 0 }],
    ['SLUICE_HTTP_PORT', '', { httpPort: 9600 }],
    ['SLUICE_LOG_LEVEL', 'debug', { logLevel: 'debug' }],
    ['SLUICE_LOG_LEVEL', 'silent', { logLevel: 'silent' }],
    ['SLUICE_SHUTDOWN_TIMEOUT_SECONDS', '20', { shutdownTimeoutSeconds: 20 }],
    ['SLUICE_SHUTDOWN_TIMEOUT_SECONDS', '2.5', { shutdownTimeoutSeconds: 2.5 }],
    ['SLUICE_PROGRESS_INTERVAL_SECONDS', '1', { progressIntervalSeconds: 1 }],
    ['SLUICE_WORKER_THREADS', '2', { workerThreads: 2 }],
    ['SLUICE_WORKER_THREADS', '64', { workerThreads: 64 }],
    ['SLUICE_WORKER_THREADS', '', { workerThreads: 1 }],
    ['SLUICE_WORKER_THREADS', 'AUTO', { workerThreads: Math.min(availableParallelism(), 4) }],
    ['SLUICE_MAX_OLD_SPACE_MB', '256', { maxOldSpaceMb: 256 }],
    ['SLUICE_MAX_OLD_SPACE_MB', '', { maxOldSpaceMb: 128 }],
    ['SLUICE_MAX_SEMI_SPACE_MB', '32', { maxSemiSpaceMb: 32 }],
    ['SLUICE_MAX_SEMI_SPACE_MB', '', { maxSemiSpaceMb: 8 }],
  ];
  it.each(valid)('reads %s=%j', (name, value, expected) => {
    expect(readSettings({ [name]: value })).toEqual({ ...defaults, ...expected });
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['SLUICE_HTTP_PORT', 'abc', /port number \(0-65535\)/],
    ['SLUICE_CONFIG_S3_FORCE_PATH_STYLE', 'yes', /must be true or false/],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '-1', /number of seconds \(0 turns it off\)/],
    ['SLUICE_CONFIG_RELOAD_SECONDS', '5s', /number of seconds \(0 turns it off\)/],
    ['SLUICE_HTTP_PORT', '65536', /port number/],
    ['SLUICE_HTTP_PORT', '80.5', /port number/],
    ['SLUICE_HTTP_PORT', '-1', /port number/],
    ['SLUICE_HTTP_HOST', 'http://0.0.0.0', /IP address/],
    ['SLUICE_HTTP_HOST', 'two words', /IP address/],
    ['SLUICE_LOG_LEVEL', 'loud', /one of fatal, error, warn, info, debug, trace, silent/],
    ['SLUICE_SHUTDOWN_TIMEOUT_SECONDS', 'abc', /seconds above 0/],
    ['SLUICE_SHUTDOWN_TIMEOUT_SECONDS', '0', /seconds above 0/],
    ['SLUICE_PROGRESS_INTERVAL_SECONDS', '-1', /seconds above 0/],
    ['SLUICE_WORKER_THREADS', '0', /auto or a whole number from 1 to 64/],
    ['SLUICE_WORKER_THREADS', '65', /auto or a whole number from 1 to 64/],
    ['SLUICE_WORKER_THREADS', 'many', /auto or a whole number from 1 to 64/],
    ['SLUICE_MAX_OLD_SPACE_MB', 'abc', /megabytes above 0/],
    ['SLUICE_MAX_OLD_SPACE_MB', '0', /megabytes above 0/],
    ['SLUICE_MAX_OLD_SPACE_MB', '1.5', /megabytes above 0/],
    ['SLUICE_MAX_SEMI_SPACE_MB', '0', /megabytes from 1 to 1024/],
    ['SLUICE_MAX_SEMI_SPACE_MB', '2048', /megabytes from 1 to 1024/],
    ['SLUICE_MAX_SEMI_SPACE_MB', 'big', /megabytes from 1 to 1024/],
    ['SLUICE_BACKFILL_FROM', 'yesterday', /UTC date or timestamp/],
    ['SLUICE_BACKFILL_TO', '2024-13-01', /UTC date or timestamp/],
  ];
  it.each(invalid)('throws a usage error naming %s when it is %j', (name, value, message) => {
    let error: unknown;
    try {
      readSettings({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const { code, problems } = error as EnvironmentError;
    expect(code).toBe('ERR_USAGE');
    expect(problems).toEqual([{ variable: name, value, message: expect.stringMatching(message) }]);
    expect((error as Error).message).toContain(`${name}=${JSON.stringify(value)}: `);
  });

  it('lists every unusable variable at once', () => {
    expect(() => readSettings({ SLUICE_HTTP_PORT: 'abc', SLUICE_LOG_LEVEL: 'loud', SLUICE_CONFIG: 'x' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({ variable: 'SLUICE_HTTP_PORT' }),
          expect.objectContaining({ variable: 'SLUICE_LOG_LEVEL' }),
        ],
      }),
    );
  });

  it('gives an unset variable the default a command asks for, and keeps a value that is set', () => {
    const demo = { SLUICE_HTTP_PORT: '0', SLUICE_LOG_LEVEL: 'warn' };
    expect(readSettings({}, demo)).toMatchObject({ httpPort: 0, logLevel: 'warn' });
    expect(readSettings({ SLUICE_HTTP_PORT: '9700', SLUICE_LOG_LEVEL: '' }, demo)).toMatchObject({
      httpPort: 9700,
      logLevel: 'warn',
    });
  });

  it('parses every default of the table (a typo in a default would break every start)', () => {
    for (const variable of Object.values(ENVIRONMENT)) {
      if ('default' in variable) expect(() => variable.parse(variable.default), variable.name).not.toThrow();
      else expect(variable.unset, `${variable.name} says what unset means`).toBeTruthy();
    }
  });
});

describe('main', () => {
  afterEach(() => vi.restoreAllMocks());

  function capture() {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    return () => written.join('');
  }

  it.each([['run'], ['backfill'], ['validate'], ['parse'], ['demo']])(
    'exits 64 naming the variable when `sluice %s` finds SLUICE_HTTP_PORT=abc',
    async (command) => {
      const output = capture();
      expect(await main([command], { SLUICE_HTTP_PORT: 'abc' })).toBe(64);
      expect(output()).toContain('sluice: SLUICE_HTTP_PORT="abc": must be a port number (0-65535)');
      expect(output()).toContain('"code":"ERR_USAGE"');
    },
  );

  it('exits 64 before reading any config when SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM', async () => {
    const output = capture();
    expect(await main(['run'], { SLUICE_BACKFILL_TO: '2024-02-01', SLUICE_CONFIG: '/nonexistent/config' })).toBe(64);
    expect(output()).toContain('SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM');
    expect(output()).not.toContain('/nonexistent/config');
  });

  it('exits 78 with the problem when the config SLUICE_CONFIG names does not exist', async () => {
    const output = capture();
    expect(await main(['run'], { SLUICE_CONFIG: '/nonexistent/config', SLUICE_HTTP_PORT: '0' })).toBe(78);
    expect(output()).toContain('/nonexistent/config');
    expect(output()).toContain('"code":"ERR_CONFIG_INVALID"');
  });

  it('prints the environment of the table in `sluice run --help`', async () => {
    const output = capture();
    expect(await main(['run', '--help'], {})).toBe(0);
    expect(output()).toContain('SLUICE_HTTP_HOST=127.0.0.1');
  });
});
