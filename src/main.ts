import 'reflect-metadata';
import { loadConfig } from './config';
import { connectDatabase } from './db/database';
import { openDatabase } from './db/open';
import { loadDemoData } from './demo/demo-data';
import { createSchema } from './schema';
import { createHttpServer } from './server';
import { createServices } from './services';

const log = (message: string) => console.log(`[meterql] ${message}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, log);
  if (database.embedded) log(`embedded PostgreSQL at ${database.url.replace(/:[^:@/]*@/, ':***@')}`);

  const db = connectDatabase(database.url, { statementTimeoutMs: config.limits.statementTimeoutMs });
  const services = createServices(db, { limits: config.limits, anonymousAdmin: config.anonymousAdmin });
  if (config.demoData && (await services.catalog.meters()).length === 0) {
    log('loading the demo dataset into the empty database ...');
    log(`loaded ${await loadDemoData(services)} demo usage reports`);
  }

  const http = await createHttpServer(await createSchema(), services, {
    limits: config.limits,
    introspection: config.introspection,
    landingPage: config.landingPage,
    logger: { error: (message, details) => console.error(JSON.stringify({ level: 'error', message, ...details })) },
  });
  const endpoint = await http.listen(config.port, config.host);
  log(`GraphQL API ready at ${endpoint}`);
  if (config.anonymousAdmin) {
    log('requests without an API key act as admin: a convenience of the local demo (set MQL_ANONYMOUS_ADMIN=false to require keys)');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: answering the requests in flight, then stopping`);
    await http.close();
    await db.close();
    await database.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`[meterql] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
