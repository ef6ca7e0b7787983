import path from 'node:path';
import type { Config } from '../config';
import { createDatabaseIfMissing, redacted } from './create-database';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

export interface OpenedDatabase {
  url: string;
  /** Whether it is meterql's own embedded server. */
  embedded: boolean;
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

/**
 * The database meterql works on: DATABASE_URL's (created when its server does not have it yet),
 * or the embedded server's (started when no meterql runs it yet), migrated to the latest schema.
 */
export async function openDatabase(
  config: Config,
  log: (message: string) => void,
  options: { shareRunning?: boolean } = {},
): Promise<OpenedDatabase> {
  let url = config.databaseUrl;
  let release: () => Promise<void> = async () => undefined;
  if (url === undefined) {
    const embedded = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPort,
      log,
      shareRunning: options.shareRunning,
    });
    url = embedded.urlFor('meterql');
    release = () => embedded.stop();
  }
  if (await createDatabaseIfMissing(url)) log(`created the database at ${redacted(url)}`);
  const applied = await migrate(url);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  return { url, embedded: config.databaseUrl === undefined, release };
}
