import { defineConfig } from 'vitest/config';

// The image smoke tests (scripts/image.sh smoke): they need root, podman and a built image, so
// `npm test` leaves them out (vitest.config.ts excludes test/integration/image/).
export default defineConfig({
  test: {
    include: ['test/integration/image/**/*.test.ts'],
    // One line per test with its duration: CI's record of how long each step took.
    reporters: ['verbose'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
