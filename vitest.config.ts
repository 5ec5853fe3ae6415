import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (package "main"), the copy the Apollo
    // libraries use; Vite would pick the ES build ("module"), a second graphql instance
    // whose instanceof checks reject schemas made by the first. Tests load what Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['{tests,platform,gateway,subgraphs,schema,worker}/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Each test file boots what it needs (databases, servers) in its own process.
    pool: 'forks',
    // Generous bounds for booting PGlite and argon2 on a 2-core machine; tests assert behaviour, never time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for something that happens in another process or after a relay's
    // turn (an event consumed, a job run); a second (the default) was too short under the
    // full suite's load on 2 cores. A bound, not an expectation of speed.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
