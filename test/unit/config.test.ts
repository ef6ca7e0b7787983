import { readFileSync } from 'node:fs';
import path from 'node:path';
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
    logLevel: 'info',
    metricsToken: undefined,
    readyTimeoutMs: 2000,
    shutdownDelayMs: 0,
  });
});

test('rollup time zones: a list of IANA names, or none', () => {
  expect(loadConfig({ MQL_ROLLUP_TIME_ZONES: 'UTC, Europe/Berlin,UTC' }, '/x').rollupTimeZones).toEqual(['UTC', 'Europe/Berlin']);
  expect(loadConfig({ MQL_ROLLUP_TIME_ZONES: 'none' }, '/x').rollupTimeZones).toEqual([]);
  expect(() => loadConfig({ MQL_ROLLUP_TIME_ZONES: 'Europe/Nowhere' }, '/x')).toThrow(
    /"Europe\/Nowhere" is not an IANA time zone \(such as Europe\/Berlin\)/,
  );
});

test('anonymous admin only for the embedded database on a loopback address', () => {
  expect(loadConfig({ DATABASE_URL: 'postgresql://db/m' }, '/x').anonymousAdmin).toBe(false);
  expect(loadConfig({ HOST: '0.0.0.0' }, '/x').anonymousAdmin).toBe(false);
  expect(loadConfig({ MQL_ANONYMOUS_ADMIN: 'false' }, '/x').anonymousAdmin).toBe(false);
  expect(() => loadConfig({ HOST: '0.0.0.0', MQL_ANONYMOUS_ADMIN: 'true' }, '/x')).toThrow(
    /only allowed for the embedded database on a loopback HOST/,
  );
  expect(() => loadConfig({ DATABASE_URL: 'postgresql://db/m', MQL_ANONYMOUS_ADMIN: 'true' }, '/x')).toThrow(ConfigError);
});

test('production turns introspection and the landing page off unless asked; limits are configurable', () => {
  const config = loadConfig(
    { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/m', MQL_MAX_PAGE_SIZE: '500', MQL_STATEMENT_TIMEOUT_MS: '1000' },
    '/x',
  );
  expect(config).toMatchObject({
    introspection: false,
    landingPage: false,
    limits: { ...DEFAULT_LIMITS, maxPageSize: 500, statementTimeoutMs: 1000 },
  });
  expect(loadConfig({ NODE_ENV: 'production', MQL_INTROSPECTION: 'on' }, '/x').introspection).toBe(true);
  expect(() => loadConfig({ MQL_MAX_DEPTH: '1' })).toThrow(/MQL_MAX_DEPTH must be a whole number from 2 to 100, got "1"/);
});

test('with DATABASE_URL no demo data unless asked for', () => {
  const config = loadConfig({ DATABASE_URL: 'postgresql://u@db/meterql', PORT: '8080' }, '/x');
  expect(config).toMatchObject({ databaseUrl: 'postgresql://u@db/meterql', port: 8080, demoData: false });
  expect(loadConfig({ DATABASE_URL: 'postgres://u@db/m', MQL_DEMO_DATA: 'yes' }, '/x').demoData).toBe(true);
});

test('every invalid variable is named at once', () => {
  expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MQL_DEMO_DATA: 'perhaps', NODE_ENV: 'staging' })).toThrow(
    ConfigError,
  );
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MQL_DEMO_DATA: 'perhaps', NODE_ENV: 'staging' });
  } catch (error) {
    expect((error as ConfigError).problems.sort()).toEqual([
      'DATABASE_URL must be a postgresql:// connection string (postgresql://user:password@host:5432/database)',
      'MQL_DEMO_DATA must be true or false (or 1/0, yes/no, on/off), got "perhaps"',
      'NODE_ENV must be one of development, production, test, got "staging"',
      'PORT must be a whole number from 0 to 65535, got "eighty"',
    ]);
  }
  expect.assertions(2);
});

test('the message names every problem on a line of its own', () => {
  expect(() => loadConfig({ MQL_LOG_LEVEL: 'loud', MQL_READY_TIMEOUT_MS: '5', MQL_METRICS_TOKEN: 'short', HOST: 'my host' }, '/x')).toThrow(
    new ConfigError([
      'HOST must be a host name or IP address, got "my host"',
      'MQL_METRICS_TOKEN must be at least 16 printable characters without spaces',
      'MQL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'MQL_READY_TIMEOUT_MS must be a whole number from 10 to 60000, got "5"',
    ]),
  );
  try {
    loadConfig({ PORT: '-1', DATABASE_URL: 'postgresql://u:secret@', MQL_ROLLUP_TIME_ZONES: 'UTC,Mars/Olympus' }, '/x');
  } catch (error) {
    expect((error as Error).message).toBe(
      'Invalid configuration:\n' +
        '  - DATABASE_URL must be a postgresql:// connection string (postgresql://user:password@host:5432/database)\n' +
        '  - PORT must be a whole number from 0 to 65535, got "-1"\n' +
        '  - MQL_ROLLUP_TIME_ZONES: "Mars/Olympus" is not an IANA time zone (such as Europe/Berlin); the list is comma-separated, or "none"',
    );
    expect((error as Error).message).not.toMatch(/secret/);
  }
  expect.assertions(3);
});

test('log level, metrics token and readiness timeout', () => {
  expect(
    loadConfig({ MQL_LOG_LEVEL: 'debug', MQL_METRICS_TOKEN: 'a-long-scrape-token-0123', MQL_READY_TIMEOUT_MS: '500' }, '/x'),
  ).toMatchObject({
    logLevel: 'debug',
    metricsToken: 'a-long-scrape-token-0123',
    readyTimeoutMs: 500,
  });
  expect(loadConfig({ MQL_METRICS_TOKEN: '' }, '/x').metricsToken).toBeUndefined();
});

/** The variables loadConfig asks its environment for, whatever their values. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const envs = [{}, { DATABASE_URL: 'postgresql://db/m', NODE_ENV: 'production', HOST: '0.0.0.0', MQL_ROLLUP_TIME_ZONES: 'none' }];
  for (const values of envs) {
    const env = new Proxy(values as Record<string, string | undefined>, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    });
    loadConfig(env, '/x');
  }
  return read;
}

test("the README's configuration table lists exactly the variables meterql reads, each with a default and a meaning", () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'))!;
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const listed = rows.map(([variable]) => variable.match(/^`([A-Z_]+)`$/)?.[1] ?? `unparsable: ${variable}`);
  expect(rows.filter((cells) => cells.length !== 3 || cells.some((cell) => cell === ''))).toEqual([]);
  expect(listed.length).toBe(new Set(listed).size);
  expect(new Set(listed)).toEqual(variablesRead());
});
