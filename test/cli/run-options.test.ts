import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/cli/environment.js';
import { type RunArguments, type RunOptions, resolveRunOptions } from '../../src/cli/run-options.js';
import { UsageError } from '../../src/cli/usage-error.js';

const live = { kind: 'live' } as const;
const utc = (text: string) => new Date(text);

// [case, environment, options given, backfill command, expected]
const cases: Array<[string, Record<string, string>, RunArguments, boolean, Partial<RunOptions>]> = [
  [
    'runs all pipelines of the default config when no variable is set',
    {},
    {},
    false,
    { command: 'run', config: 'pipelines', pipelineIds: [], mode: live },
  ],
  [
    'reads the config from SLUICE_CONFIG',
    { SLUICE_CONFIG: '/config/alb.yml' },
    {},
    false,
    { config: '/config/alb.yml' },
  ],
  [
    'runs one pipeline per id in SLUICE_PIPELINES, trimming spaces and skipping empty items',
    { SLUICE_PIPELINES: ' alb, waf,,cloudtrail ,' },
    {},
    false,
    { command: 'run', pipelineIds: ['alb', 'waf', 'cloudtrail'] },
  ],
  ['runs a single pipeline id', { SLUICE_PIPELINES: 'alb' }, {}, false, { pipelineIds: ['alb'] }],
  ['runs every pipeline when SLUICE_PIPELINES is empty', { SLUICE_PIPELINES: '' }, {}, false, { pipelineIds: [] }],
  [
    'runs a backfill from SLUICE_BACKFILL_FROM',
    { SLUICE_BACKFILL_FROM: '2024-01-01' },
    {},
    false,
    {
      command: 'backfill',
      config: 'pipelines',
      mode: { kind: 'backfill', from: utc('2024-01-01T00:00:00Z'), to: null },
    },
  ],
  [
    'runs a backfill over SLUICE_BACKFILL_FROM..SLUICE_BACKFILL_TO with config and pipelines',
    {
      SLUICE_BACKFILL_FROM: '2024-01-01T00:00:00Z',
      SLUICE_BACKFILL_TO: '2024-02-01',
      SLUICE_CONFIG: '/config',
      SLUICE_PIPELINES: 'alb,waf',
    },
    {},
    false,
    {
      command: 'backfill',
      config: '/config',
      pipelineIds: ['alb', 'waf'],
      mode: { kind: 'backfill', from: utc('2024-01-01T00:00:00Z'), to: utc('2024-02-01T00:00:00Z') },
    },
  ],
  [
    'runs live when SLUICE_BACKFILL_FROM is empty',
    { SLUICE_BACKFILL_FROM: '' },
    {},
    false,
    { command: 'run', mode: live },
  ],
  [
    'prefers the options to their variables',
    {
      SLUICE_CONFIG: '/env',
      SLUICE_PIPELINES: 'env',
      SLUICE_BACKFILL_FROM: '2020-01-01',
      SLUICE_BACKFILL_TO: '2020-02-01',
    },
    { config: '/option', pipeline: ['a', 'b'], from: '2024-01-01', to: '2024-01-02' },
    true,
    {
      command: 'backfill',
      config: '/option',
      pipelineIds: ['a', 'b'],
      mode: { kind: 'backfill', from: utc('2024-01-01T00:00:00Z'), to: utc('2024-01-02T00:00:00Z') },
    },
  ],
  [
    'takes the end from SLUICE_BACKFILL_TO when only --from is given',
    { SLUICE_BACKFILL_TO: '2024-02-01' },
    { from: '2024-01-01' },
    true,
    { mode: { kind: 'backfill', from: utc('2024-01-01T00:00:00Z'), to: utc('2024-02-01T00:00:00Z') } },
  ],
  [
    'serves health and metrics on 127.0.0.1:9600 and drains for 25 s by default',
    {},
    {},
    false,
    { http: { host: '127.0.0.1', port: 9600 }, shutdownTimeoutMs: 25_000, progressIntervalMs: 10_000, once: false },
  ],
  [
    'takes the host, port, drain budget, progress interval and log level from the environment',
    {
      SLUICE_HTTP_HOST: '0.0.0.0',
      SLUICE_HTTP_PORT: '9700',
      SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '20',
      SLUICE_PROGRESS_INTERVAL_SECONDS: '1',
      SLUICE_LOG_LEVEL: 'debug',
    },
    { once: true },
    false,
    {
      http: { host: '0.0.0.0', port: 9700 },
      shutdownTimeoutMs: 20_000,
      progressIntervalMs: 1000,
      logLevel: 'debug',
      once: true,
    },
  ],
  ['starts no HTTP server when SLUICE_HTTP_PORT is 0', { SLUICE_HTTP_PORT: '0' }, {}, false, { http: null }],
  [
    'lists instead of reading when a backfill is a dry run',
    {},
    { from: '2024-01-01', 'dry-run': true },
    true,
    { command: 'backfill', dryRun: true },
  ],
  ['reads when --dry-run is not given', {}, { from: '2024-01-01' }, true, { dryRun: false }],
];

describe('resolveRunOptions', () => {
  it.each(cases)('%s', (_name, env, args, backfill, expected) => {
    expect(resolveRunOptions(args, readSettings(env), backfill)).toMatchObject(expected);
  });

  const usage: Array<[string, Record<string, string>, RunArguments, boolean, string]> = [
    [
      'SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM',
      { SLUICE_BACKFILL_TO: '2024-02-01' },
      {},
      false,
      'SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM',
    ],
    ['--to is given to `run` without --from', {}, { to: '2024-02-01' }, false, '--to is set without --from'],
    ['`backfill` has no start', {}, {}, true, '--from (or SLUICE_BACKFILL_FROM) is required'],
    ['--from is not a date', {}, { from: 'last week' }, true, '--from: "last week" is not a date'],
    ['`run --dry-run` has no start', {}, { 'dry-run': true }, false, '--dry-run lists what a backfill would read'],
  ];
  it.each(usage)('throws a usage error when %s', (_name, env, args, backfill, message) => {
    const settings = readSettings(env);
    expect(() => resolveRunOptions(args, settings, backfill)).toThrow(UsageError);
    expect(() => resolveRunOptions(args, settings, backfill)).toThrow(message);
  });
});
