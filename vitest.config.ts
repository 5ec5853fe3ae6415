import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{tests,platform,gateway,subgraphs,schema,worker}/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Each test file boots what it needs (databases, servers) in its own process.
    pool: 'forks',
    // Generous bounds for booting PGlite and argon2 on a 2-core machine; tests assert behaviour, never time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
