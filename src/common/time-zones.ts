import type { Pool } from 'pg';
import type { Path, Problems } from '../errors/errors';

/** The zone of periods, days and months when a request names none. */
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * Zones the runtime was found to know, lower-cased. Asking ICU means building a date formatter,
 * about 77 µs, on every statistics request; the known zones are a few hundred, so they are kept.
 * ICU reads names in any case, so they are kept by their lower case: else every casing of a zone a
 * client sends would be kept. Unknown names are not: a client could send any number of them.
 */
const knownToRuntime = new Set<string>();

/** Whether the runtime knows the IANA zone: the check at start-up, before any database is open. */
export function isTimeZone(name: string): boolean {
  const key = name.toLowerCase();
  if (knownToRuntime.has(key)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return false;
  }
  knownToRuntime.add(key);
  return true;
}

/**
 * The zones a request may name: those both the runtime and PostgreSQL know. The two read their
 * own copies of the tz database, which differ: Node knows US/Pacific-New, which PostgreSQL 15
 * does not, and a zone only one of them knows would fail inside a statement. PostgreSQL's list
 * is read once per process.
 */
export class TimeZones {
  private names: Promise<Set<string>> | undefined;

  constructor(private readonly pool: Pool) {}

  /** Adds a problem at `path` unless the zone is known; returns whether it is. */
  async check(name: string, problems: Problems, path: Path): Promise<boolean> {
    const known = isTimeZone(name) && (await this.databaseZones()).has(name.toLowerCase());
    if (!known)
      problems.add(path, `"${name}" is not a time zone that both meterql and its database know (an IANA name such as Europe/Berlin)`);
    return known;
  }

  private databaseZones(): Promise<Set<string>> {
    this.names ??= this.pool.query<{ name: string }>('SELECT lower(name) AS name FROM pg_timezone_names').then(
      ({ rows }) => new Set(rows.map((r) => r.name)),
      (error) => {
        // Asked again next time: a database that was down is not a list of no zones.
        this.names = undefined;
        throw error;
      },
    );
    return this.names;
  }
}
