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
  testTimeout: 30000,
};
