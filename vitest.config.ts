import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// CI and the image run the release in .nvmrc (Node 26), where the AWS SDK has nothing to say.
// On a node below 22 (a developer's Node 20) it warns once per process that its releases after
// January 2027 need node 22 or newer, which would bury the output of every spawned worker. The
// notice below says once, instead, that the tests are not running on the shipped runtime.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const shipped = readFileSync(new URL('.nvmrc', import.meta.url), 'utf8').trim();
if (process.version !== `v${shipped}`) {
  console.warn(
    `note: the tests run on node ${process.version}; the image ships v${shipped} (scripts/with-node.sh npm test runs them on it)`,
  );
}

export default defineConfig({
  test: {
    // The JSON report lets .ci/run end its log with the failed tests (scripts/ci-failures.mjs).
    reporters: ['default', ['json', { outputFile: '.cache/test-results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // The image smoke tests need root, podman and a built image: scripts/image.sh smoke.
          exclude: ['test/integration/image/**', 'node_modules/**'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: the servers need one; run integration files two at a time.
          maxWorkers: 2,
          // Integration files run after the unit files (vitest needs distinct groups for distinct maxWorkers).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
