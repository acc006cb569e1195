import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerInstructions } from '../helpers/dockerfile.js';
import { repoRoot } from '../helpers/process.js';

const read = (path: string) => readFileSync(resolve(repoRoot, path), 'utf8');
const release = read('.nvmrc').trim();
const major = release.split('.')[0];

/** One Node release, named once in .nvmrc, is what the image ships, CI tests and npm requires. */
describe('the shipped Node line', () => {
  it('is one exact release in .nvmrc', () => {
    expect(release).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is the Dockerfile's NODE_IMAGE default: that release's bookworm-slim image, pinned by digest", () => {
    const args = dockerInstructions()
      .filter((i) => i.op === 'ARG')
      .map((i) => i.args);
    expect(args).toContainEqual(
      expect.stringMatching(new RegExp(`^NODE_IMAGE=node:${release}-bookworm-slim@sha256:[0-9a-f]{64}$`)),
    );
  });

  it('is the floor of package.json engines, and @types/node describes it', () => {
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg.engines.node).toBe(`>=${major}`);
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
  });

  it('has its npm tarball integrity pinned in scripts/with-node.sh', () => {
    expect(read('scripts/with-node.sh')).toMatch(
      new RegExp(`\\n\\s+${release.replaceAll('.', '\\.')}\\) echo 'sha512-[A-Za-z0-9+/]+={0,2}' ;;`),
    );
  });

  it('is first on PATH in CI before npm ci, lint and npm test', () => {
    const ci = read('.ci/run');
    const path = ci.indexOf('PATH="$(bash scripts/with-node.sh --bin-dir):$PATH"');
    expect(path).toBeGreaterThan(0);
    for (const step of ['timed "npm ci"', 'timed "lint"', 'timed "npm test"', 'timed "image build"']) {
      expect(ci.indexOf(step), step).toBeGreaterThan(path);
    }
  });
});
