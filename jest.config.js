/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  // Every file has a database of its own: files run side by side, one worker a core (jest's
  // default keeps one core for itself, which on two cores would run them one at a time).
  maxWorkers: require('node:os').availableParallelism(),
  transform: {
    // The JavaScript `npm run typecheck` compiled into dist-test/, with its source maps.
    '^.+\\.ts$': '<rootDir>/test/helpers/jest-transform.js',
  },
};
