/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm test` type-checks with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  // fastify's inject() loads cookie@2, which is ESM-only; Jest's CommonJS loader cannot require it.
  // cookie@1 has the same parse/serialize API in CommonJS (installed as the alias cookie-cjs).
  moduleNameMapper: { '^cookie$': 'cookie-cjs' },
  // Hooks start real pipelines, and each test file trains the classifier once: ≈ 1 s on a quiet
  // machine, 7–14 s at a load average of 8 on 2 cores (CI shared with other runs timed out at 30 s).
  testTimeout: 60000,
  // Safety net, not a fix: one file (tests/integration/web-gateway-refusal.test.ts) now and then
  // leaves a handle open after its last test (1 run in 3 here; --detectOpenHandles never shows it),
  // and a test process that never exits would hold CI until its 90-minute limit. Every test still
  // closes what it opens; the leak is listed as open work in the pipeline issue's note.
  forceExit: true,
};
