import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DEFAULT_LIMITS, type Limits } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/database';
import { createServices, type Services } from '../../src/services';
import { databaseUrl } from './urls';

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  services: Services;
  /** Runs SQL directly, for assertions on what is stored. */
  sql<R extends Record<string, unknown> = Record<string, any>>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: process.env.MQL_TEST_ADMIN_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Creates database `name` as a copy of `template`. */
export async function cloneDatabase(admin: Client, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`);
      return;
    } catch (error) {
      // Two files cloning the template at the same moment: one waits for the other.
      if ((error as { code?: string }).code !== '55006' || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** A migrated database owned by one test file, cloned from a template global-setup built. */
export interface TestDatabaseOptions {
  /** Requests without a key act as admin, as on the local demo (default true). */
  anonymousAdmin?: boolean;
  limits?: Partial<Limits>;
  /** Zones whose day and month rollups are kept (default UTC); null: statistics read events only. */
  rollupTimeZones?: string[] | null;
  /** Starts with the demo data (src/demo/demo-data.ts), loaded once for all files by global-setup.ts. */
  demo?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `meterql_t_${process.env.MQL_TEST_RUN}_${randomBytes(5).toString('hex')}`;
  const template = options.demo ? process.env.MQL_TEST_DEMO_TEMPLATE! : process.env.MQL_TEST_TEMPLATE!;
  await withAdmin((admin) => cloneDatabase(admin, name, template));
  const url = databaseUrl(process.env.MQL_TEST_ADMIN_URL!, name);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const db = connectDatabase(url, { max: 8, statementTimeoutMs: limits.statementTimeoutMs });
  return {
    name,
    url,
    db,
    services: createServices(db, { limits, anonymousAdmin: options.anonymousAdmin ?? true, rollupTimeZones: options.rollupTimeZones }),
    async sql(text, values) {
      return (await db.pool.query(text, values)).rows;
    },
    async drop() {
      await db.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}
