import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './process.js';

export interface DockerInstruction {
  op: string;
  args: string;
}

/** The repository's Dockerfile instructions, continuation lines joined, comments dropped. */
export function dockerInstructions(): DockerInstruction[] {
  return readFileSync(resolve(repoRoot, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/** The healthcheck's `node -e` program, from the Dockerfile's exec-form HEALTHCHECK CMD. */
export function dockerHealthcheckCommand(): string[] {
  const healthcheck = dockerInstructions().find((i) => i.op === 'HEALTHCHECK')!;
  return JSON.parse(healthcheck.args.slice(healthcheck.args.indexOf('CMD ') + 4)) as string[];
}

/** The runtime stage's instructions (after its FROM). */
function runtimeInstructions(): DockerInstruction[] {
  const instructions = dockerInstructions();
  return instructions.slice(instructions.findLastIndex((i) => i.op === 'FROM'));
}

/**
 * The environment the runtime image sets with ENV (`NAME=value` pairs, unquoted values only:
 * that is all the Dockerfile uses, and a quoted one fails here rather than being misread).
 */
export function dockerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of runtimeInstructions().filter((i) => i.op === 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'$\s]*)$/.exec(pair);
      if (!match) throw new Error(`Dockerfile ENV: cannot read ${JSON.stringify(pair)}`);
      env[match[1]!] = match[2]!;
    }
  }
  return env;
}

/** The image's default arguments: its exec-form CMD (none: []). */
export function dockerCmd(): string[] {
  const cmd = runtimeInstructions().findLast((i) => i.op === 'CMD');
  return cmd ? (JSON.parse(cmd.args) as string[]) : [];
}
