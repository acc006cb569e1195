import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SpawnedProcess, spawnProcess } from './process.js';

const run = promisify(execFile);

/** What `podman image inspect` says the image runs: the parts a launch needs. */
export interface ImageConfig {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  user: string;
  workingDir: string;
  /** The HEALTHCHECK's exec-form command (after "CMD"), if the image has one. */
  healthcheck?: string[];
}

export interface Bind {
  /** A folder on this machine... */
  host: string;
  /** ...seen at this absolute path inside the image. */
  target: string;
}

export interface LaunchOptions {
  /** Added to the image's ENV, as `docker run -e` would. */
  env?: Record<string, string>;
  binds?: Bind[];
  /** Replaces the image's ENTRYPOINT (`docker run --entrypoint`); the arguments follow it. */
  entrypoint?: string[];
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * A container's filesystem, for running the image without `podman run` (refused in this
 * sandbox: crun cannot set RLIMIT_NOFILE): `podman create` + `podman mount` give the image's
 * root, and each launch runs there in fresh PID and mount namespaces (`unshare`), so the
 * ENTRYPOINT's first process (tini) is PID 1 as in a container, with /proc of its own and the
 * bind mounts private to it: they vanish when it exits. The network is this machine's, as with
 * `--network host`: 127.0.0.1 inside is 127.0.0.1 outside. Needs root.
 */
export class ImageRoot {
  private constructor(
    readonly id: string,
    readonly root: string,
    readonly config: ImageConfig,
  ) {}

  /** `label` (key=value) marks the container so a crashed run's leftovers can be found and removed. */
  static async create(image: string, label: string): Promise<ImageRoot> {
    const inspected = await run('podman', ['image', 'inspect', image]);
    const [described] = JSON.parse(inspected.stdout) as Array<{
      Config: { Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; User?: string; WorkingDir?: string };
      /** Docker-format images only (scripts/image.sh builds with --format docker). */
      Healthcheck?: { Test?: string[] };
    }>;
    if (described === undefined) throw new Error(`podman image inspect ${image} described no image`);
    const { Config: config, Healthcheck: healthcheck } = described;
    const env = Object.fromEntries(
      (config.Env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
    const test = healthcheck?.Test;
    const created = await run('podman', ['create', '--no-healthcheck', '--label', label, image]);
    const id = created.stdout.trim();
    const mounted = await run('podman', ['mount', id]);
    return new ImageRoot(id, mounted.stdout.trim(), {
      env,
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      user: config.User || '0:0',
      workingDir: config.WorkingDir || '/',
      healthcheck: test?.[0] === 'CMD' ? test.slice(1) : undefined,
    });
  }

  /** Starts the image's ENTRYPOINT with `args` (the image's CMD when undefined). */
  launch(args: string[] | undefined, options: LaunchOptions = {}): ImageProcess {
    const { file, argv } = this.command(args, options);
    return new ImageProcess(spawnProcess(file, argv, { env: {} }));
  }

  /** The command line `launch` runs (for wrapping it, e.g. in /usr/bin/time). */
  command(args: string[] | undefined, options: LaunchOptions = {}): { file: string; argv: string[] } {
    const env = { ...this.config.env, ...options.env };
    const inside = [
      ...(options.entrypoint ?? this.config.entrypoint),
      ...(args ?? (options.entrypoint ? [] : this.config.cmd)),
    ];
    const script = [
      'set -e',
      ...(options.binds ?? []).map((bind) => {
        mkdirSync(join(this.root, bind.target), { recursive: true });
        return `mount --bind ${quote(bind.host)} ${quote(join(this.root, bind.target))}`;
      }),
      [
        'exec chroot',
        `--userspec=${quote(this.config.user)}`,
        quote(this.root),
        '/usr/bin/env -i -C',
        quote(this.config.workingDir),
        ...Object.entries(env).map(([name, value]) => quote(`${name}=${value}`)),
        ...inside.map(quote),
      ].join(' '),
    ].join('\n');
    return {
      file: 'unshare',
      argv: ['--pid', '--fork', '--kill-child', `--mount-proc=${join(this.root, 'proc')}`, '/bin/sh', '-c', script],
    };
  }

  async remove(): Promise<void> {
    await run('podman', ['umount', this.id]).catch(() => undefined);
    await run('podman', ['rm', '--force', this.id]);
  }
}

/** A running launch: `unshare` on this side, the image's PID 1 (tini) as its only child. */
export class ImageProcess {
  constructor(readonly process: SpawnedProcess) {}

  /** The host pid of the container's PID 1. */
  init(): number {
    const pid = this.process.pid;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (children.length !== 1) throw new Error(`unshare ${pid} has children [${children.join(', ')}], not one`);
    return Number(children[0]);
  }

  /** Signals PID 1, as `docker stop` does (unshare itself ignores SIGTERM). */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.init(), signal);
  }
}
