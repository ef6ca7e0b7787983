import 'reflect-metadata';
import { loadConfig } from './config';
import { connectDatabase } from './db/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded';
import { migrate } from './db/migrate';
import { loadDemoData } from './demo/demo-data';
import { createSchema } from './schema';
import { createHttpServer } from './server';
import { createServices } from './services';
import path from 'node:path';

const log = (message: string) => console.log(`[meterql] ${message}`);

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    embedded = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), port: config.embeddedPort, log });
    await embedded.createDatabaseIfMissing('meterql');
    url = embedded.urlFor('meterql');
    log(`embedded PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')}`);
  }
  const applied = await migrate(url);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);

  const db = connectDatabase(url);
  const services = createServices(db);
  if (config.demoData && (await services.catalog.meters()).length === 0) {
    log('loading the demo dataset into the empty database ...');
    log(`loaded ${await loadDemoData(services)} demo usage reports`);
  }

  const http = await createHttpServer(await createSchema(), services, {
    error: (message, details) => console.error(JSON.stringify({ level: 'error', message, ...details })),
  });
  const endpoint = await http.listen(config.port, config.host);
  log(`GraphQL API ready at ${endpoint}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing requests in flight, then stopping`);
    await http.close();
    await db.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`[meterql] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
