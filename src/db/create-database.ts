import { Client } from 'pg';

/** PostgreSQL's codes for what the creation can meet. */
const INVALID_CATALOG_NAME = '3D000'; // the database does not exist
const DUPLICATE_DATABASE = '42P04'; // another process created it first
const UNIQUE_VIOLATION = '23505'; // ... while this one was creating it (pg_database's unique name)
const INSUFFICIENT_PRIVILEGE = '42501';

/** Why a database could not be created, with the command that creates it. */
export class DatabaseCreationError extends Error {}

/** The name of the database a connection string names, and the same server's maintenance databases. */
function parse(url: string): { name: string; maintenance: string[] } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // not a URL (a key=value string): pg says what is wrong with it
  }
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (name === '') return null;
  const maintenance = ['postgres', 'template1']
    .filter((db) => db !== name)
    .map((db) => {
      const other = new URL(url);
      other.pathname = `/${db}`;
      return other.toString();
    });
  return { name, maintenance };
}

/** The connection string without its password, for messages. */
export function redacted(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/**
 * Creates the database a connection string names when its server says it does not exist, as
 * Prisma's tools do: `DATABASE_URL=postgresql://.../meterql npm start` then works on a server that
 * has no meterql database yet. Whether it was created is returned; a user who may not create
 * databases gets the command that does.
 */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const target = parse(url);
  if (!target) return false;
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) return false; // connecting again says what is wrong
  } finally {
    await probe.end().catch(() => undefined);
  }
  let lastError: unknown;
  for (const maintenance of target.maintenance) {
    const client = new Client({ connectionString: maintenance });
    try {
      await client.connect();
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      continue;
    }
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(target.name)}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      if (code === INSUFFICIENT_PRIVILEGE) {
        throw new DatabaseCreationError(
          `database "${target.name}" does not exist, and this user may not create it: ask an administrator to run ` +
            `CREATE DATABASE ${client.escapeIdentifier(target.name)} (or createdb "${target.name}"), then start again`,
        );
      }
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new DatabaseCreationError(
    `database "${target.name}" does not exist at ${redacted(url)}, and no maintenance database (postgres, template1) could be ` +
      `reached to create it (${lastError instanceof Error ? lastError.message : String(lastError)}): create it with ` +
      `createdb "${target.name}", then start again`,
  );
}
