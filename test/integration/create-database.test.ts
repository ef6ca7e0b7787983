import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabaseIfMissing, DatabaseCreationError } from '../../src/db/create-database';
import { databaseUrl } from '../helpers/urls';

/**
 * DATABASE_URL may name a database its server does not have yet: meterql creates it, as
 * Prisma's tools do, or says exactly what to run when its user may not.
 */
const ADMIN_URL = process.env.MQL_TEST_ADMIN_URL!;
const fresh = () => `meterql_c_${process.env.MQL_TEST_RUN}_${randomBytes(4).toString('hex')}`;

let admin: Client;
const created: string[] = [];
const roles: string[] = [];
beforeAll(async () => {
  admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
});
afterAll(async () => {
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(role)}`);
  await admin.end();
});

const exists = async (name: string) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;

test('a missing database is created, once; an existing one is left alone', async () => {
  const name = fresh();
  created.push(name);
  const url = databaseUrl(ADMIN_URL, name);
  await expect(exists(name)).resolves.toBe(false);
  await expect(createDatabaseIfMissing(url)).resolves.toBe(true);
  await expect(exists(name)).resolves.toBe(true);
  const client = new Client({ connectionString: url });
  await client.connect();
  await expect(client.query('SELECT current_database() AS db')).resolves.toMatchObject({ rows: [{ db: name }] });
  await client.end();
  await expect(createDatabaseIfMissing(url)).resolves.toBe(false);
});

test('two processes creating the same database at once both succeed, and one creates it', async () => {
  const name = fresh();
  created.push(name);
  const url = databaseUrl(ADMIN_URL, name);
  const outcomes = await Promise.all([createDatabaseIfMissing(url), createDatabaseIfMissing(url)]);
  expect(outcomes.filter(Boolean).length).toBeLessThanOrEqual(1);
  await expect(exists(name)).resolves.toBe(true);
});

test('a name that needs quoting is created as it is written', async () => {
  const name = `${fresh()} "Ä"; DROP`;
  created.push(name);
  await expect(createDatabaseIfMissing(databaseUrl(ADMIN_URL, name))).resolves.toBe(true);
  await expect(exists(name)).resolves.toBe(true);
});

test('a user who may not create databases is told the command that does, and nothing is created', async () => {
  const role = `meterql_r_${randomBytes(4).toString('hex')}`;
  roles.push(role);
  await admin.query(`CREATE ROLE ${role} LOGIN NOCREATEDB PASSWORD 'secret-${role}'`);
  const name = fresh();
  const url = new URL(databaseUrl(ADMIN_URL, name));
  url.username = role;
  url.password = `secret-${role}`;
  const error = await createDatabaseIfMissing(url.toString()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseCreationError);
  expect((error as Error).message).toBe(
    `database "${name}" does not exist, and this user may not create it: ask an administrator to run CREATE DATABASE "${name}" (or createdb "${name}"), then start again`,
  );
  await expect(exists(name)).resolves.toBe(false);
});

test('a connection string that names no database, or is not a URL, is left to the connection to report', async () => {
  const url = new URL(ADMIN_URL);
  url.pathname = '/';
  await expect(createDatabaseIfMissing(url.toString())).resolves.toBe(false);
  await expect(createDatabaseIfMissing('host=127.0.0.1 dbname=x')).resolves.toBe(false);
});
