import path from 'node:path';
import { DEFAULT_TIME_ZONE, isTimeZone } from './common/time-zones';

/** The configurable limits, each with a clear error when passed. */
export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxPageSize: number;
  maxPeriods: number;
  maxBatchSize: number;
  /** Reports of one bulk upload (POST /api/v1/reports), written atomically like a batch. */
  maxBulkReports: number;
  maxBodyBytes: number;
  statementTimeoutMs: number;
  requestTimeoutMs: number;
}

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
  /** Requests without a key act as admin: only for the embedded database on a loopback address. */
  anonymousAdmin: boolean;
  introspection: boolean;
  landingPage: boolean;
  limits: Limits;
  /** Zones whose day and month rollups are kept; empty: statistics read events only. */
  rollupTimeZones: string[];
  /** How often dirty hours are rolled up again, in ms. */
  rollupRefreshMs: number;
  /** How long a verified API key is trusted without asking the database; a revocation takes up to this long. */
  keyCacheMs: number;
  /** The least severe log level written. */
  logLevel: LogLevel;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** How long GET /readyz waits for the database before answering 503. */
  readyTimeoutMs: number;
  /** On SIGTERM or SIGINT, how long /healthz and /readyz answer 503 before the server stops taking requests. */
  shutdownDelayMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LIMITS: Limits = {
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 50_000,
  maxPageSize: 1000,
  maxPeriods: 100_000,
  maxBatchSize: 10_000,
  maxBulkReports: 100_000,
  maxBodyBytes: 32 * 1024 * 1024,
  statementTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function rollupZones(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [DEFAULT_TIME_ZONE];
  if (raw.trim().toLowerCase() === 'none') return [];
  const zones = [
    ...new Set(
      raw
        .split(',')
        .map((z) => z.trim())
        .filter(Boolean),
    ),
  ];
  for (const zone of zones)
    if (!isTimeZone(zone))
      problems.push(
        `MQL_ROLLUP_TIME_ZONES: "${zone}" is not an IANA time zone (such as Europe/Berlin); the list is comma-separated, or "none"`,
      );
  return zones;
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (or 1/0, yes/no, on/off), got "${env[name]}"`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  // The value is not echoed: it may hold a password.
  if (databaseUrl !== undefined && (!/^postgres(ql)?:\/\//.test(databaseUrl) || !URL.canParse(databaseUrl))) {
    problems.push('DATABASE_URL must be a postgresql:// connection string (postgresql://user:password@host:5432/database)');
  }
  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'], 'development');
  const development = nodeEnv !== 'production';
  const host = env.HOST || '127.0.0.1';
  if (/\s/.test(host)) problems.push(`HOST must be a host name or IP address, got "${host}"`);
  const localDemo = databaseUrl === undefined && LOOPBACK.test(host);
  const anonymousAdmin = flag('MQL_ANONYMOUS_ADMIN', localDemo);
  if (anonymousAdmin && !localDemo) {
    problems.push(
      'MQL_ANONYMOUS_ADMIN is only allowed for the embedded database on a loopback HOST; every other deployment requires API keys',
    );
  }
  const metricsToken = env.MQL_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    problems.push('MQL_METRICS_TOKEN must be at least 16 printable characters without spaces');
  }
  const D = DEFAULT_LIMITS;

  const config: Config = {
    databaseUrl,
    host,
    port: integer('PORT', 4000, 0, 65535),
    dataDir: path.resolve(cwd, env.MQL_DATA_DIR || '.data'),
    embeddedPort: integer('MQL_EMBEDDED_PORT', 54329, 0, 65535),
    demoData: flag('MQL_DEMO_DATA', databaseUrl === undefined),
    environment: nodeEnv,
    anonymousAdmin,
    introspection: flag('MQL_INTROSPECTION', development),
    landingPage: flag('MQL_LANDING_PAGE', development),
    rollupTimeZones: rollupZones(env.MQL_ROLLUP_TIME_ZONES, problems),
    rollupRefreshMs: integer('MQL_ROLLUP_REFRESH_MS', 1000, 10, 3_600_000),
    keyCacheMs: integer('MQL_KEY_CACHE_MS', 5000, 0, 3_600_000),
    logLevel: oneOf('MQL_LOG_LEVEL', LOG_LEVELS, 'info'),
    metricsToken,
    readyTimeoutMs: integer('MQL_READY_TIMEOUT_MS', 2000, 10, 60_000),
    shutdownDelayMs: integer('MQL_SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    limits: {
      maxDepth: integer('MQL_MAX_DEPTH', D.maxDepth, 2, 100),
      maxAliases: integer('MQL_MAX_ALIASES', D.maxAliases, 1, 1000),
      maxCost: integer('MQL_MAX_COST', D.maxCost, 10, 10_000_000),
      maxPageSize: integer('MQL_MAX_PAGE_SIZE', D.maxPageSize, 1, 100_000),
      maxPeriods: integer('MQL_MAX_PERIODS', D.maxPeriods, 1, 10_000_000),
      maxBatchSize: integer('MQL_MAX_BATCH_SIZE', D.maxBatchSize, 1, 1_000_000),
      maxBulkReports: integer('MQL_MAX_BULK_REPORTS', D.maxBulkReports, 1, 10_000_000),
      maxBodyBytes: integer('MQL_MAX_BODY_BYTES', D.maxBodyBytes, 1024, 1024 ** 3),
      statementTimeoutMs: integer('MQL_STATEMENT_TIMEOUT_MS', D.statementTimeoutMs, 0, 86_400_000),
      requestTimeoutMs: integer('MQL_REQUEST_TIMEOUT_MS', D.requestTimeoutMs, 0, 86_400_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
