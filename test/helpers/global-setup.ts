import 'reflect-metadata';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { DEFAULT_LIMITS } from '../../src/config';
import { connectDatabase } from '../../src/db/database';
import { isAlive, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { migrate, readMigrations } from '../../src/db/migrate';
import { loadDemoData } from '../../src/demo/demo-data';
import { createServices } from '../../src/services';
import { cloneDatabase } from './database';
import { databaseUrl } from './urls';

declare global {
  // eslint-disable-next-line no-var
  var __MQL_EMBEDDED__: EmbeddedPostgres | undefined;
}

/**
 * Tests run against DATABASE_URL when it is set, otherwise against an embedded PostgreSQL.
 * The migrated schema is built once into a template database; each test file then gets a
 * database of its own, cloned from the template (test/helpers/database.ts). The demo data is
 * loaded once too, into a second template of this run's that files on the demo data clone.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({
      dir: path.resolve(__dirname, '../../.data/test-postgres'),
      port: 54330,
      // The test cluster holds nothing worth keeping through a crash: no flush to disk per commit.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
      log: (m) => console.log(`[test] ${m}`),
    });
    globalThis.__MQL_EMBEDDED__ = server;
    adminUrl = server.adminUrl;
  }
  process.env.MQL_TEST_ADMIN_URL = adminUrl;
  process.env.MQL_TEST_RUN = String(process.pid);
  process.env.MQL_TEST_TEMPLATE = await prepareTemplate(adminUrl);
  process.env.MQL_TEST_DEMO_TEMPLATE = await prepareDemoTemplate(adminUrl, process.env.MQL_TEST_TEMPLATE);
}

async function prepareTemplate(adminUrl: string): Promise<string> {
  const migrations = await readMigrations();
  const version = createHash('sha256')
    .update(migrations.map((m) => m.checksum).join())
    .digest('hex')
    .slice(0, 12);
  const template = `meterql_template_${version}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Databases of earlier runs that were killed before they could drop them.
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'meterql\\_t\\_%'");
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (!isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (found.rowCount === 0) {
      const building = `${template}_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(building)}`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(building)}`);
      await migrate(databaseUrl(adminUrl, building));
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(building)} RENAME TO ${admin.escapeIdentifier(template)}`);
    }
  } finally {
    await admin.end();
  }
  return template;
}

/**
 * The migrated template with the demo data loaded (src/demo/demo-data.ts), as `npm start` loads
 * it. It is this run's (named like the files' databases, so that a killed run's is dropped by the
 * next), and nobody may connect to it once loaded: PostgreSQL clones a database only while no
 * session is connected to it.
 */
async function prepareDemoTemplate(adminUrl: string, template: string): Promise<string> {
  const name = `meterql_t_${process.pid}_demo`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await cloneDatabase(admin, name, template);
    const db = connectDatabase(databaseUrl(adminUrl, name), { max: 4 });
    try {
      await loadDemoData(createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: true }));
    } finally {
      await db.close();
    }
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} ALLOW_CONNECTIONS false`);
  } finally {
    await admin.end();
  }
  return name;
}
