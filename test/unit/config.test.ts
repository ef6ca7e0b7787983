import { ConfigError, DEFAULT_LIMITS, loadConfig } from '../../src/config';

test('defaults: embedded database with demo data on 127.0.0.1:4000, anonymous admin, introspection', () => {
  expect(loadConfig({}, '/srv/meterql')).toEqual({
    databaseUrl: undefined,
    host: '127.0.0.1',
    port: 4000,
    dataDir: '/srv/meterql/.data',
    embeddedPort: 54329,
    demoData: true,
    environment: 'development',
    anonymousAdmin: true,
    introspection: true,
    landingPage: true,
    limits: DEFAULT_LIMITS,
    rollupTimeZones: ['UTC'],
    rollupRefreshMs: 1000,
    keyCacheMs: 5000,
  });
});

test('rollup time zones: a list of IANA names, or none', () => {
  expect(loadConfig({ MQL_ROLLUP_TIME_ZONES: 'UTC, Europe/Berlin,UTC' }, '/x').rollupTimeZones).toEqual(['UTC', 'Europe/Berlin']);
  expect(loadConfig({ MQL_ROLLUP_TIME_ZONES: 'none' }, '/x').rollupTimeZones).toEqual([]);
  expect(() => loadConfig({ MQL_ROLLUP_TIME_ZONES: 'Europe/Nowhere' }, '/x')).toThrow(/"Europe\/Nowhere" is not an IANA time zone/);
});

test('anonymous admin only for the embedded database on a loopback address', () => {
  expect(loadConfig({ DATABASE_URL: 'postgresql://db/m' }, '/x').anonymousAdmin).toBe(false);
  expect(loadConfig({ HOST: '0.0.0.0' }, '/x').anonymousAdmin).toBe(false);
  expect(loadConfig({ MQL_ANONYMOUS_ADMIN: 'false' }, '/x').anonymousAdmin).toBe(false);
  expect(() => loadConfig({ HOST: '0.0.0.0', MQL_ANONYMOUS_ADMIN: 'true' }, '/x')).toThrow(/only allowed for the embedded database on a loopback HOST/);
  expect(() => loadConfig({ DATABASE_URL: 'postgresql://db/m', MQL_ANONYMOUS_ADMIN: 'true' }, '/x')).toThrow(ConfigError);
});

test('production turns introspection and the landing page off unless asked; limits are configurable', () => {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/m', MQL_MAX_PAGE_SIZE: '500', MQL_STATEMENT_TIMEOUT_MS: '1000' }, '/x');
  expect(config).toMatchObject({ introspection: false, landingPage: false, limits: { ...DEFAULT_LIMITS, maxPageSize: 500, statementTimeoutMs: 1000 } });
  expect(loadConfig({ NODE_ENV: 'production', MQL_INTROSPECTION: 'on' }, '/x').introspection).toBe(true);
  expect(() => loadConfig({ MQL_MAX_DEPTH: '1' })).toThrow(/MQL_MAX_DEPTH must be a whole number from 2 to 100, got "1"/);
});

test('with DATABASE_URL no demo data unless asked for', () => {
  const config = loadConfig({ DATABASE_URL: 'postgresql://u@db/meterql', PORT: '8080' }, '/x');
  expect(config).toMatchObject({ databaseUrl: 'postgresql://u@db/meterql', port: 8080, demoData: false });
  expect(loadConfig({ DATABASE_URL: 'postgres://u@db/m', MQL_DEMO_DATA: 'yes' }, '/x').demoData).toBe(true);
});

test('every invalid variable is named at once', () => {
  expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MQL_DEMO_DATA: 'perhaps', NODE_ENV: 'staging' })).toThrow(ConfigError);
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MQL_DEMO_DATA: 'perhaps', NODE_ENV: 'staging' });
  } catch (error) {
    expect((error as ConfigError).problems.sort()).toEqual([
      'DATABASE_URL must be a postgresql:// connection string',
      'MQL_DEMO_DATA must be true or false, got "perhaps"',
      'NODE_ENV must be development, production or test, got "staging"',
      'PORT must be a whole number from 0 to 65535, got "eighty"',
    ]);
  }
});
