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
    '^.+\\.ts$': [
      'ts-jest',
      {
        // Types are checked by `tsc --noEmit` before jest runs; here files are only transpiled.
        // Jest's module system is CommonJS, so dynamic import() must become require().
        tsconfig: '<rootDir>/tsconfig.jest.json',
      },
    ],
  },
};
