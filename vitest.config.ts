import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e files each start an embedded platform (DynamoDB Local is a JVM):
    // one file at a time keeps the two cores of CI from thrashing.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ['local/polyfills.ts'],
  },
});
