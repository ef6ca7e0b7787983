/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  transform: {
    // The JavaScript `npm run typecheck` compiled into dist-test/, with its source maps.
    '^.+\\.ts$': '<rootDir>/test/helpers/jest-transform.js',
  },
};
