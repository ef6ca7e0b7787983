import { ConfigError, loadConfig } from '../../src/config';

test('defaults: embedded database with demo data on 127.0.0.1:4000', () => {
  expect(loadConfig({}, '/srv/meterql')).toEqual({
    databaseUrl: undefined,
    host: '127.0.0.1',
    port: 4000,
    dataDir: '/srv/meterql/.data',
    embeddedPort: 54329,
    demoData: true,
    environment: 'development',
  });
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
      'PORT must be a port number (0-65535), got "eighty"',
    ]);
  }
});
