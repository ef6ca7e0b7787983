import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrate, readMigrations } from '../../src/db/migrate';
import { databaseUrl } from '../helpers/urls';

const admin = () => new Client({ connectionString: process.env.MQL_TEST_ADMIN_URL });
const name = `meterql_t_${process.env.MQL_TEST_RUN}_migrate`;
const url = databaseUrl(process.env.MQL_TEST_ADMIN_URL!, name);

beforeAll(async () => {
  const c = admin();
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name}`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
});
afterAll(async () => {
  const c = admin();
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
});

test('the runner applies migrations once, recording them as Prisma Migrate does', async () => {
  const migrations = await readMigrations();
  expect(await migrate(url)).toEqual(migrations.map((m) => m.name));
  expect(await migrate(url)).toEqual([]);

  const c = new Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query(
    'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
  await c.end();
  expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, applied_steps_count: 1 })));
  // Prisma's checksum is the SHA-256 of migration.sql.
  expect(migrations[0].checksum).toMatch(/^[0-9a-f]{64}$/);
});

test('a failing migration is rolled back whole and named; an edited applied one is refused', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meterql-migrations-'));
  await mkdir(path.join(dir, '20990101000000_broken'));
  await writeFile(path.join(dir, '20990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();');
  await expect(migrate(url, dir)).rejects.toThrow(/20990101000000_broken failed/);
  const c = new Client({ connectionString: url });
  await c.connect();
  expect((await c.query("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull();
  expect(
    (await c.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '20990101000000_broken'")).rows[0].n,
  ).toBe(0);
  await c.end();

  const [first] = await readMigrations();
  const edited = await mkdtemp(path.join(os.tmpdir(), 'meterql-migrations-'));
  await mkdir(path.join(edited, first.name));
  await writeFile(path.join(edited, first.name, 'migration.sql'), `${first.sql}\n-- edited`);
  await expect(migrate(url, edited)).rejects.toThrow(/was changed after it was applied/);
});
