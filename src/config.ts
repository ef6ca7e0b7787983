import path from 'node:path';

/** Everything meterql reads from its environment, parsed and checked once at start-up. */
export interface Config {
  /** An existing PostgreSQL server; when absent meterql runs an embedded one. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /** Where the embedded PostgreSQL keeps its data (git-ignored). */
  dataDir: string;
  embeddedPort: number;
  /** Load the demo dataset into an empty database at start-up. */
  demoData: boolean;
  environment: 'development' | 'production' | 'test';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      problems.push(`${name} must be a port number (0-65535), got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${env[name]}"`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// connection string');
  }
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }

  const config: Config = {
    databaseUrl,
    host: env.HOST || '127.0.0.1',
    port: port('PORT', 4000),
    dataDir: path.resolve(cwd, env.MQL_DATA_DIR || '.data'),
    embeddedPort: port('MQL_EMBEDDED_PORT', 54329),
    demoData: flag('MQL_DEMO_DATA', databaseUrl === undefined),
    environment: nodeEnv as Config['environment'],
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
