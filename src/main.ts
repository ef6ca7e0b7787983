import 'reflect-metadata';
import { loadConfig } from './config';
import { connectDatabase } from './db/database';
import { openDatabase } from './db/open';
import { loadDemoData } from './demo/demo-data';
import { createSchema } from './schema';
import { createHttpServer } from './server';
import { createServices } from './services';

const log = (message: string) => console.log(`[meterql] ${message}`);

/** What to close on the way out, in the reverse order of opening. */
const closers: { name: string; close: () => Promise<void> }[] = [];
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: answering the requests in flight, then stopping`);
  for (const { name, close } of closers.reverse()) {
    await close().catch((error: unknown) => console.error(`[meterql] closing ${name} failed: ${String(error)}`));
  }
  process.exit(0);
}

async function main(): Promise<void> {
  // Before anything else: a signal that arrives before its handler exists kills the process outright.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const config = loadConfig();
  const database = await openDatabase(config, log);
  closers.push({ name: 'the embedded database', close: () => database.release() });
  if (database.embedded) log(`embedded PostgreSQL at ${database.url.replace(/:[^:@/]*@/, ':***@')}`);

  const db = connectDatabase(database.url, { statementTimeoutMs: config.limits.statementTimeoutMs });
  closers.push({ name: 'the connection pool', close: () => db.close() });
  const services = createServices(db, {
    limits: config.limits,
    anonymousAdmin: config.anonymousAdmin,
    rollupTimeZones: config.rollupTimeZones.length > 0 ? config.rollupTimeZones : null,
    keyCacheMs: config.keyCacheMs,
  });
  if (config.demoData && (await services.catalog.meters()).length === 0) {
    log('loading the demo dataset into the empty database ...');
    log(`loaded ${await loadDemoData(services)} demo usage reports`);
  }
  await services.rollups.ensureZones(log);
  services.rollups.start(config.rollupRefreshMs, (error) => console.error(JSON.stringify({ level: 'error', message: 'rollup refresh failed', error: String(error) })));
  closers.push({ name: 'the rollup refresher', close: () => services.rollups.stop() });

  const http = await createHttpServer(await createSchema(), services, {
    limits: config.limits,
    introspection: config.introspection,
    landingPage: config.landingPage,
    logger: { error: (message, details) => console.error(JSON.stringify({ level: 'error', message, ...details })) },
  });
  closers.push({ name: 'the HTTP server', close: () => http.close() });
  const endpoint = await http.listen(config.port, config.host);
  if (config.anonymousAdmin) {
    log('requests without an API key act as admin: a convenience of the local demo (set MQL_ANONYMOUS_ADMIN=false to require keys)');
  }
  log(`GraphQL API ready at ${endpoint}`);
}

main().catch((error: unknown) => {
  console.error(`[meterql] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
