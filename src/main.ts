import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { redacted } from './db/create-database';
import { connectDatabase } from './db/database';
import { openDatabase } from './db/open';
import { loadDemoData } from './demo/demo-data';
import { createLogger, createStdoutLogger, type Logger } from './ops/logger';
import { createSchema } from './schema';
import { assertCanListen, createHttpServer } from './server';
import { createServices } from './services';

// Replaced by the configured one once the configuration is read; until then, and for a
// configuration that cannot be read, the default level.
let logger: Logger = createLogger('info');

/** What to close on the way out, in the reverse order of opening. */
const closers: { name: string; close: () => Promise<void> }[] = [];
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, `${signal}: answering the requests in flight, then stopping`);
  for (const { name, close } of closers.reverse()) {
    await close().catch((error: unknown) => logger.error({ err: error }, `closing ${name} failed`));
  }
  logger.info('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  // Before anything else: a signal that arrives before its handler exists kills the process outright.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ problems: error.problems }, `invalid configuration: ${error.problems.join('; ')}`);
    process.exit(1);
  }
  logger = createStdoutLogger(config.logLevel);
  const log = (message: string) => logger.info(message);

  await assertCanListen(config.port, config.host);
  const database = await openDatabase(config, log);
  closers.push({ name: 'the embedded database', close: () => database.release() });
  if (database.embedded) log(`embedded PostgreSQL at ${redacted(database.url)}`);

  const db = connectDatabase(database.url, { statementTimeoutMs: config.limits.statementTimeoutMs });
  closers.push({ name: 'the connection pool', close: () => db.close() });
  const services = createServices(db, {
    limits: config.limits,
    anonymousAdmin: config.anonymousAdmin,
    rollupTimeZones: config.rollupTimeZones.length > 0 ? config.rollupTimeZones : null,
    keyCacheMs: config.keyCacheMs,
    readyTimeoutMs: config.readyTimeoutMs,
  });
  if (config.demoData && (await services.catalog.meters()).length === 0) {
    log('loading the demo dataset into the empty database ...');
    log(`loaded ${await loadDemoData(services)} demo usage reports`);
  }
  await services.rollups.ensureZones(log);
  services.rollups.start(config.rollupRefreshMs, (error) => logger.error({ err: error }, 'rollup refresh failed'));
  closers.push({ name: 'the rollup refresher', close: () => services.rollups.stop() });

  const http = await createHttpServer(await createSchema(), services, {
    limits: config.limits,
    introspection: config.introspection,
    landingPage: config.landingPage,
    logger,
    metricsToken: config.metricsToken,
  });
  closers.push({
    name: 'the HTTP server',
    close: async () => {
      http.startDraining();
      if (config.shutdownDelayMs > 0) {
        logger.info(`draining: /healthz and /readyz answer 503 for ${config.shutdownDelayMs} ms before the server stops taking requests`);
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      }
      await http.close();
    },
  });
  const endpoint = await http.listen(config.port, config.host);
  if (config.anonymousAdmin) {
    log('requests without an API key act as admin: a convenience of the local demo (set MQL_ANONYMOUS_ADMIN=false to require keys)');
  } else if (!(await services.auth.hasActiveKeys())) {
    logger.warn(
      'API keys are required and none exists yet, so every request is refused: create the first admin key with ' +
        '`npm run keys -- create --role admin` (with the same DATABASE_URL), and send it as "Authorization: Bearer <key>"',
    );
  }
  if (config.landingPage) {
    const pages = endpoint.replace(/graphql$/, '');
    logger.info({ pages }, `in a browser: ${pages} (GraphiQL at ${pages}graphiql, the dashboard at ${pages}dashboard)`);
  }
  logger.info({ endpoint }, `GraphQL API ready at ${endpoint}`);
  logger.flush();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
