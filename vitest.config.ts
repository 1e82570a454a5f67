import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e files each start an embedded platform (DynamoDB Local is a JVM):
    // one file at a time keeps the two cores of CI from thrashing.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file in its own module graph: the platforms they start hold process-wide state.
    // (Said explicitly, which also keeps vitest 5's isolate hint out of the CI output.)
    isolate: true,
    // One request line per call would bury the results; the logs test raises the level itself.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});
