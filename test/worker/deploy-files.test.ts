import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENT, readSettings, VARIABLES } from '../../src/cli/environment.js';
import * as exitCodes from '../../src/cli/exit-codes.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { HealthRegistry } from '../../src/worker/health.js';
import { startHttpServer } from '../../src/worker/http-server.js';
import { dockerCmd, dockerEnv, dockerHealthcheckCommand, dockerInstructions } from '../helpers/dockerfile.js';
import { repoRoot } from '../helpers/process.js';

const run = promisify(execFile);
const read = (path: string) => readFileSync(resolve(repoRoot, path), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: deploy JSON is checked field by field below.
const readJson = (path: string) => JSON.parse(read(path)) as Record<string, any>;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface StateStore {
  type: string;
  bucket: string;
  prefix: string;
}
/** What the IAM checks read of a baked-in pipeline. */
interface ShippedPipeline {
  source: { bucket: string; prefix: string };
  checkpoint?: StateStore;
  dead_letter?: StateStore;
}
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

describe('Dockerfile', () => {
  const instructions = dockerInstructions();
  const of = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);

  it('builds in one stage and runs in another, both from the pinned NODE_IMAGE (test/worker/node-line.test.ts)', () => {
    expect(of('FROM')).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
  });

  it('installs dev dependencies only in the build stage and production ones in the runtime stage', () => {
    // A RUN's own options (`--mount=type=cache,...`) come before its command.
    const runs = of('RUN').map((r) => r.replace(/^(--\S+\s+)+/, ''));
    const runtimeStart = instructions.findIndex((i) => i.op === 'FROM' && i.args.endsWith('runtime'));
    const buildRuns = instructions
      .slice(0, runtimeStart)
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args.replace(/^(--\S+\s+)+/, ''));
    expect(buildRuns).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), 'npm run build']));
    expect(runs.filter((r) => r.includes('npm ci') && r.includes('--omit=dev'))).toHaveLength(1);
    expect(runs.some((r) => r.includes('apt-get install') && r.includes('tini'))).toBe(true);
  });

  it('runs as uid 10001 through tini and the entrypoint, exposing 9600', () => {
    expect(of('USER')).toEqual(['10001:10001']);
    expect(of('EXPOSE')).toEqual(['9600']);
    expect(of('ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "/app/entrypoint.sh"]']);
    expect(dockerCmd()).toEqual(['run']);
  });

  it('serves health and metrics on 127.0.0.1 only, not on 0.0.0.0, unless the operator opts in', () => {
    expect(readSettings(dockerEnv()).httpHost).toBe('127.0.0.1');
    expect(of('ENV').join(' ')).not.toMatch(/0\.0\.0\.0|::/);
  });

  it('sets only SLUICE_* variables of the environment table, and only where it differs from their default', () => {
    const { NODE_ENV, ...sluice } = dockerEnv();
    expect(NODE_ENV).toBe('production');
    expect(sluice).toEqual({ SLUICE_CONFIG: '/etc/sluice/pipelines' });
    for (const [name, value] of Object.entries(sluice)) {
      const variable = VARIABLES.find((v) => v.name === name);
      expect(variable, `${name} is in src/cli/environment.ts`).toBeDefined();
      expect(value, `${name} repeats its default`).not.toBe(variable!.default);
    }
  });

  it("probes the health check's default port when SLUICE_HTTP_PORT is unset", () => {
    const program = dockerHealthcheckCommand().at(-1)!;
    expect(program).toContain(`process.env.SLUICE_HTTP_PORT||${ENVIRONMENT.httpPort.default})`);
    expect(program).toContain("'http://127.0.0.1:'");
  });

  it('copies only paths that exist in the repository and are not excluded by .dockerignore', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = of('COPY')
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) =>
        args
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources).toEqual(
      // examples/demo: `sluice demo` (README's first command) reads them beside dist/.
      expect.arrayContaining([
        'package.json',
        'src',
        'bin',
        'pipelines',
        'entrypoint.sh',
        'examples/demo/demo.yml',
        'examples/demo/logs',
      ]),
    );
    for (const source of sources) {
      // Tracked, not merely present: a fresh clone (CI, the image build) has only what git holds.
      const tracked = execFileSync('git', ['ls-files', '--', source], { cwd: repoRoot, encoding: 'utf8' });
      expect(tracked.trim(), `${source} has files tracked by git`).not.toBe('');
      expect(ignored, `${source} is not in .dockerignore`).not.toContain(source);
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.cache', 'dist', '.git', 'test']));
  });

  it('runs the same health check command as the ECS task definition', () => {
    const task = readJson('deploy/ecs/task-definition.json');
    expect(task.containerDefinitions[0].healthCheck.command).toEqual(['CMD', ...dockerHealthcheckCommand()]);
  });

  // The health check one-liner, run for real against the real server.
  const probes: Array<[string, (health: HealthRegistry) => void, number]> = [
    ['the worker is live', (health) => health.setPipeline('alb', { state: 'running' }), 0],
    [
      'a pipeline requires a restart',
      (health) => health.setPipeline('alb', { state: 'failing', restartRequired: true }),
      1,
    ],
  ];
  it.each(probes)('health check exits as expected when %s', async (_name, arrange, expected) => {
    const health = new HealthRegistry();
    arrange(health);
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      health,
      metrics: new Metrics(),
      logger: silentLogger(),
    });
    try {
      const [command, ...args] = dockerHealthcheckCommand();
      expect(command).toBe('node');
      const code = await run(process.execPath, args, {
        env: { ...process.env, SLUICE_HTTP_PORT: String(server.port) },
      }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
      expect(code).toBe(expected);
    } finally {
      await server.close();
    }
  });

  it('health check fails when nothing listens on the port', async () => {
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      health: new HealthRegistry(),
      metrics: new Metrics(),
      logger: silentLogger(),
    });
    const port = server.port;
    await server.close();
    const [, ...args] = dockerHealthcheckCommand();
    const code = await run(process.execPath, args, { env: { ...process.env, SLUICE_HTTP_PORT: String(port) } }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    expect(code).toBe(1);
  });
});

describe('deploy/ecs/task-definition.json', () => {
  const task = readJson('deploy/ecs/task-definition.json');
  const container = task.containerDefinitions[0];
  const environment = Object.fromEntries(
    (container.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
  );

  it('describes a Fargate awsvpc task with 0.5 vCPU and 1 GB', () => {
    expect(task).toMatchObject({
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
    });
    expect(task.executionRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(task.taskRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it('maps port 9600, stops after 30 s, above the drain timeout, and logs with awslogs', () => {
    expect(container.portMappings).toEqual([{ name: 'http', containerPort: 9600, protocol: 'tcp' }]);
    expect(container.stopTimeout).toBe(30);
    expect(Number(environment.SLUICE_SHUTDOWN_TIMEOUT_SECONDS)).toBeLessThan(container.stopTimeout);
    expect(container.logConfiguration.logDriver).toBe('awslogs');
    expect(container.logConfiguration.options['awslogs-group']).toBeTruthy();
    expect(container.healthCheck).toMatchObject({ interval: 30, timeout: 5, retries: 3, startPeriod: 60 });
  });

  it('sets every documented env flag and binds the HTTP server for the health check', () => {
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining([
        'SLUICE_CONFIG',
        'SLUICE_PIPELINES',
        'SLUICE_HTTP_HOST',
        'SLUICE_HTTP_PORT',
        'SLUICE_LOG_LEVEL',
        'SLUICE_SHUTDOWN_TIMEOUT_SECONDS',
      ]),
    );
    expect(environment.SLUICE_HTTP_PORT).toBe('9600');
    // Loopback: the health check runs in the container and a sidecar shares the task's network.
    expect(environment.SLUICE_HTTP_HOST).toBe('127.0.0.1');
  });

  // `${NAME}` references of the baked-in pipelines: the variables the task must provide.
  const pipelineVariables = readdirSync(resolve(repoRoot, 'pipelines'))
    .filter((name) => name.endsWith('.yml'))
    .flatMap((name) =>
      [...read(`pipelines/${name}`).matchAll(/^[^#\n]*?\$\{(\w+)(:-[^}]*)?\}/gm)].map((m) => ({
        name: m[1]!,
        fallback: m[2],
      })),
    );

  it('sets only variables of the environment table or of the baked-in pipelines, with values sluice accepts', () => {
    const names = [...VARIABLES.map((v) => v.name as string), ...pipelineVariables.map((v) => v.name)];
    for (const name of Object.keys(environment).filter((n) => n.startsWith('SLUICE_'))) expect(names).toContain(name);
    expect(() => readSettings(environment)).not.toThrow();
  });

  it('sets every variable the baked-in pipelines need that has no default, except the secret', () => {
    const required = new Set(pipelineVariables.filter((v) => v.fallback === undefined).map((v) => v.name));
    required.delete('OPENSEARCH_PASSWORD');
    expect(required.size).toBeGreaterThan(0);
    for (const name of required) expect(environment[name], name).toBeTruthy();
  });

  it('takes the OpenSearch password from secrets, never from plain environment', () => {
    expect(container.secrets).toEqual([
      { name: 'OPENSEARCH_PASSWORD', valueFrom: expect.stringMatching(/^arn:aws:(secretsmanager|ssm):/) },
    ]);
    for (const name of Object.keys(environment)) expect(name).not.toMatch(/PASSWORD|SECRET|TOKEN/);
  });

  it('runs as the image user on a read-only root filesystem', () => {
    expect(container.user).toBe('10001:10001');
    expect(container.readonlyRootFilesystem).toBe(true);
  });
});

describe('deploy/ecs/iam-policy.json', () => {
  const policy = readJson('deploy/ecs/iam-policy.json');
  const statements = policy.Statement as Statement[];
  const allows = (action: string) => statements.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action));

  it('grants no wildcard action and no wildcard resource', () => {
    expect(policy.Version).toBe('2012-10-17');
    for (const statement of statements) {
      for (const action of list(statement.Action)) expect(action, statement.Sid).not.toMatch(/\*/);
      for (const resource of list(statement.Resource)) expect(resource, statement.Sid).not.toBe('*');
    }
  });

  // The baked-in pipelines' own state locations, ${VAR}s filled from the task definition.
  const taskEnvironment = Object.fromEntries(
    (
      readJson('deploy/ecs/task-definition.json').containerDefinitions[0].environment as Array<{
        name: string;
        value: string;
      }>
    ).map((e) => [e.name, e.value]),
  );
  const fill = (value: string) =>
    value.replace(
      /\$\{(\w+)(?::-([^}]*))?\}/g,
      (_m, name: string, fallback?: string) => taskEnvironment[name] || fallback || '',
    );
  const pipelines = readdirSync(resolve(repoRoot, 'pipelines'))
    .filter((name) => name.endsWith('.yml'))
    .flatMap((name) => (parseYaml(read(`pipelines/${name}`)) as { pipelines: ShippedPipeline[] }).pipelines);

  it('writes to S3 only under the prefixes where the baked-in pipelines keep checkpoints and dead letters', () => {
    const writeResources = statements
      .filter((s) => list(s.Action).some((a) => /^s3:(Put|Delete)/.test(a)))
      .flatMap((s) => list(s.Resource));
    const stateObjects = pipelines
      .flatMap((p) => [p.checkpoint, p.dead_letter])
      .filter((store): store is StateStore => store?.type === 's3')
      .map((store) => `arn:aws:s3:::${fill(store.bucket)}/${fill(store.prefix)}/*`);
    expect(stateObjects.length).toBeGreaterThan(0);
    expect(writeResources.sort()).toEqual([...new Set(stateObjects)].sort());
    for (const resource of writeResources) expect(resource).toMatch(/^arn:aws:s3:::[a-z0-9.-]+\/[^*]+\/\*$/);
  });

  it("limits listing of each log bucket to its layout's partitions and reads only below them", () => {
    for (const pipeline of pipelines) {
      const bucket = `arn:aws:s3:::${fill(pipeline.source.bucket)}`;
      const listing = allows('s3:ListBucket').filter((s) => list(s.Resource).includes(bucket));
      expect(listing, bucket).toHaveLength(1);
      const prefixes = list(listing[0]!.Condition!.StringLike!['s3:prefix']!);
      // The lister walks down from the pipeline's prefix (`AWSLogs/`) one level at a time.
      const root = fill(pipeline.source.prefix);
      expect(prefixes).toContain(root);
      const partitions = prefixes.filter((p) => p.endsWith('*'));
      expect(partitions).toHaveLength(1);
      expect(partitions[0]).toMatch(/^AWSLogs\/\d{12}\/(elasticloadbalancing|WAFLogs)\/\*$/);
      for (const prefix of prefixes) expect(prefix.startsWith(root)).toBe(true);
      const reads = allows('s3:GetObject')
        .flatMap((s) => list(s.Resource))
        .filter((r) => r.startsWith(`${bucket}/`));
      expect(reads).toEqual([`${bucket}/${partitions[0]}`]);
    }
  });

  it('reaches DynamoDB only on the checkpoint table, without CreateTable', () => {
    const dynamo = statements.filter((s) => list(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((s) => list(s.Action)).sort()).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.flatMap((s) => list(s.Resource))).toEqual([
      'arn:aws:dynamodb:us-east-1:123456789012:table/sluice-checkpoints',
    ]);
  });

  it('grants only the es:ESHttp verbs sluice uses, on the domain', () => {
    const es = statements.filter((s) => list(s.Action).some((a) => a.startsWith('es:')));
    expect(es.flatMap((s) => list(s.Action)).sort()).toEqual([
      'es:ESHttpGet',
      'es:ESHttpHead',
      'es:ESHttpPost',
      'es:ESHttpPut',
    ]);
    for (const resource of es.flatMap((s) => list(s.Resource))) {
      expect(resource).toMatch(/^arn:aws:es:[a-z0-9-]+:\d{12}:domain\/[a-z0-9-]+(\/\*)?$/);
    }
  });
});

describe('deploy/ecs/execution-role-policy.json', () => {
  it('uses a wildcard resource only for ecr:GetAuthorizationToken, which has no resource ARN', () => {
    const statements = readJson('deploy/ecs/execution-role-policy.json').Statement as Statement[];
    const wildcard = statements.filter((s) => list(s.Resource).includes('*'));
    expect(wildcard.flatMap((s) => list(s.Action))).toEqual(['ecr:GetAuthorizationToken']);
    const task = readJson('deploy/ecs/task-definition.json');
    const secretArn = task.containerDefinitions[0].secrets[0].valueFrom.split(':').slice(0, 7).join(':');
    expect(statements.find((s) => list(s.Action).includes('secretsmanager:GetSecretValue'))!.Resource).toBe(secretArn);
  });
});

describe('deploy/ecs/run-backfill.sh', () => {
  // A fake `aws` on PATH records its arguments, so the script runs unchanged without AWS.
  const bin = join(scratch, 'bin');
  const argsFile = join(scratch, 'aws-args.json');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'aws'),
    `#!/usr/bin/env node\nrequire('node:fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\nconsole.log('arn:aws:ecs:us-east-1:123456789012:task/prod/abc');\n`,
  );
  chmodSync(join(bin, 'aws'), 0o755);

  async function backfill(args: string[], env: Record<string, string> = {}) {
    rmSync(argsFile, { force: true });
    const result = await run('bash', [resolve(repoRoot, 'deploy/ecs/run-backfill.sh'), ...args], {
      env: {
        // Only the variables this test sets: the runner's own ECS_* must not leak in.
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ECS_'))),
        PATH: `${bin}:${process.env.PATH}`,
        ECS_CLUSTER: 'prod',
        ECS_SUBNETS: 'subnet-0a,subnet-0b',
        ECS_SECURITY_GROUPS: 'sg-0c',
        ...env,
      },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    const argv = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as string[]) : undefined;
    const option = (name: string) => (argv ? argv[argv.indexOf(name) + 1] : undefined);
    return { ...result, argv, option };
  }

  const cases: Array<[string, string[], Array<{ name: string; value: string }>]> = [
    ['FROM only', ['2024-01-01'], [{ name: 'SLUICE_BACKFILL_FROM', value: '2024-01-01' }]],
    [
      'FROM and TO',
      ['2024-01-01', '2024-02-01T06:00:00Z'],
      [
        { name: 'SLUICE_BACKFILL_FROM', value: '2024-01-01' },
        { name: 'SLUICE_BACKFILL_TO', value: '2024-02-01T06:00:00Z' },
      ],
    ],
    [
      'FROM, TO and pipelines',
      ['2024-01-01', '2024-02-01', 'alb,waf'],
      [
        { name: 'SLUICE_BACKFILL_FROM', value: '2024-01-01' },
        { name: 'SLUICE_BACKFILL_TO', value: '2024-02-01' },
        { name: 'SLUICE_PIPELINES', value: 'alb,waf' },
      ],
    ],
  ];
  it.each(cases)('overrides the container environment when given %s', async (_name, args, environment) => {
    const result = await backfill(args);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('arn:aws:ecs:us-east-1:123456789012:task/prod/abc');
    expect(result.argv!.slice(0, 2)).toEqual(['ecs', 'run-task']);
    expect(result.option('--cluster')).toBe('prod');
    expect(result.option('--task-definition')).toBe('sluice');
    expect(result.option('--launch-type')).toBe('FARGATE');
    expect(result.option('--network-configuration')).toBe(
      'awsvpcConfiguration={subnets=[subnet-0a,subnet-0b],securityGroups=[sg-0c],assignPublicIp=DISABLED}',
    );
    expect(JSON.parse(result.option('--overrides')!)).toEqual({
      containerOverrides: [{ name: 'sluice', environment }],
    });
  });

  it('uses ECS_TASK_DEFINITION and ECS_CONTAINER_NAME when set', async () => {
    const result = await backfill(['2024-01-01'], { ECS_TASK_DEFINITION: 'sluice:7', ECS_CONTAINER_NAME: 'worker' });
    expect(result.option('--task-definition')).toBe('sluice:7');
    expect(JSON.parse(result.option('--overrides')!).containerOverrides[0].name).toBe('worker');
  });

  it('exits 64 without calling aws when no FROM is given', async () => {
    const result = await backfill([]);
    expect(result.code).toBe(64);
    expect(result.argv).toBeUndefined();
  });

  it('fails without calling aws when ECS_CLUSTER is missing', async () => {
    const result = await backfill(['2024-01-01'], { ECS_CLUSTER: '' });
    expect(result.code).not.toBe(0);
    expect(result.argv).toBeUndefined();
  });
});

describe('deploy/ecs/README.md exit codes', () => {
  it('has a row for every exit code sluice defines, and no other', () => {
    const codes = Object.values(exitCodes).sort((a, b) => a - b);
    const text = read('deploy/ecs/README.md');
    const section = text.slice(text.indexOf('### Exit codes'), text.indexOf('## task-definition.json'));
    const rows = [...section.matchAll(/^\| `(\d+)` \|/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(codes);
  });
});
