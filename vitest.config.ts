import { defineConfig } from 'vitest/config';

// This machine runs Node 20; the AWS SDK warns about it once per process (the container runs
// the current LTS). The warning would otherwise bury test output from every spawned worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    reporters: ['default'],
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
