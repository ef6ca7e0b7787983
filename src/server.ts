import http from 'node:http';
import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { GraphQLError, OperationTypeNode, type ASTVisitor, type GraphQLSchema, type ValidationContext } from 'graphql';
import type { Limits } from './config';
import { createContext, type Context } from './context';
import { formatError, requestFailure, requestIdPlugin } from './errors/error-table';
import { DomainError, infrastructureError } from './errors/errors';
import { graphqlEndpoint } from './http/graphql-endpoint';
import { REPORTS_PATH, reportsEndpoint } from './http/reports-endpoint';
import { inputGuardPlugin } from './http/input-guard';
import { webPages } from './http/web';
import { operationPlugin, opsRoutes, requestRecords } from './ops/http';
import type { Logger } from './ops/logger';
import { Metrics } from './ops/metrics';
import { ReportDecoder } from './modules/ingestion/ingestion.mapping';
import type { Services } from './services';

/** The most tokens a GraphQL document may have: parsing stops there (graphql-armor's default). */
const MAX_TOKENS = 1000;

/**
 * Refuses subscriptions while the document is validated, as a 400 GRAPHQL_VALIDATION_FAILED.
 * The schema has no Subscription type, and graphql-js 16 checks that only when it executes the
 * operation, with an error that has no code and so reads as the server's; and meterql answers
 * over HTTP, one answer per request, where a subscription has nothing to run on.
 */
function noSubscriptions(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== OperationTypeNode.SUBSCRIPTION) return;
      const message =
        'Subscriptions are not supported: meterql answers queries and mutations over HTTP, one answer per request; poll with a query instead.';
      context.reportError(new GraphQLError(message, { nodes: node }));
    },
  };
}

export interface HttpServer {
  server: http.Server;
  /** This server's Prometheus registry, served at /metrics. */
  metrics: Metrics;
  listen(port: number, host: string): Promise<string>;
  /** From now on /healthz and /readyz answer 503, so that a load balancer sends no more requests; the rest is served as before. */
  startDraining(): void;
  /** Stops taking requests, answers those in flight, then closes. */
  close(): Promise<void>;
}

export interface ServerOptions {
  limits: Limits;
  introspection: boolean;
  /** meterql's pages for browsers: the landing page, GraphiQL and the dashboard. */
  landingPage: boolean;
  logger: Logger;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** The built pages (default dist/web). */
  webAssetsDir?: string;
}

/** Why meterql cannot listen on a port, in the words of its settings. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(
      `port ${port} on ${host} is in use (another meterql, or another program): stop it, or set PORT to a free port (PORT=${port + 1})`,
    );
  }
  if (error.code === 'EACCES') return new Error(`this user may not listen on port ${port} on ${host}: set PORT to a port above 1023`);
  if (error.code === 'EADDRNOTAVAIL')
    return new Error(`${host} is not an address of this machine: set HOST to one (127.0.0.1, or 0.0.0.0 for all)`);
  return error;
}

/**
 * Fails, with what to set, when the port cannot be listened on: checked before the database is
 * opened and the demo loaded, so that a busy port is said at once.
 */
export function assertCanListen(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(listenError(error, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Apollo Server at /graphql and the bulk upload at /api/v1/reports on Node's HTTP server
 * (src/http/graphql-endpoint.ts, reports-endpoint.ts), and Express for the rest: /healthz, /readyz, /metrics and the pages for browsers. Every request gets an id (a
 * sane incoming `x-request-id`, else a UUID) that its log lines and error answers carry.
 */
export async function createHttpServer(schema: GraphQLSchema, services: Services, options: ServerOptions): Promise<HttpServer> {
  const { limits } = options;
  const app = express();
  // Set once Apollo has started, below; the server listens only after that (listen()).
  let graphql: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const metrics = new Metrics({ pool: () => services.health.poolStats() });
  const reports = reportsEndpoint({ services, decoder: ReportDecoder.of(schema), limits, logger: options.logger, metrics });
  // A POST to /graphql goes straight to GraphQL, one to /api/v1/reports to the bulk upload; the
  // rest (a browser's GET of /graphql included) through Express.
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return app(req, res);
    const path = pathOf(req.url);
    if (path === '/graphql' || path === '/graphql/') return graphql(req, res);
    if (path === REPORTS_PATH) return reports(req, res);
    app(req, res);
  });
  const stopObserving = services.ingestion.observe((outcome) => metrics.reportsIngested(outcome));
  let draining = false;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    // Its plugin answers a syntax error as a 500 (graphql-armor#571, #751); graphql-js's own token
    // limit, through parseOptions below, refuses long documents as a 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    // Suggestions ("did you mean ...") reveal the schema when introspection is off.
    blockFieldSuggestion: { enabled: !options.introspection },
  });
  const protection = armor.protect();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    introspection: options.introspection,
    validationRules: [...protection.validationRules, noSubscriptions],
    parseOptions: { maxTokens: MAX_TOKENS },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // main.ts stops the server on SIGINT and SIGTERM, after the requests in flight; Apollo's own
    // handlers would race it.
    stopOnTerminationSignals: false,
    // Answers in compact JSON (Apollo's default indents them).
    stringifyResult: (value) => JSON.stringify(value),
    plugins: [
      ...protection.plugins,
      requestIdPlugin(),
      operationPlugin(),
      inputGuardPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // meterql's own pages (src/http/web.ts) replace Apollo's, which loads from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
      // No field has cache hints: no Cache-Control policy to compute per request.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  graphql = graphqlEndpoint({
    apollo,
    limits,
    logger: options.logger,
    metrics,
    context: async (req, request) => {
      try {
        return createContext(services, await services.auth.authenticate(req.headers.authorization), request);
      } catch (error) {
        const domain = error instanceof DomainError ? error : infrastructureError(error);
        if (!domain) {
          // Apollo answers it 500 without logging it; formatError masks it.
          request.log.error({ err: error }, 'unexpected error');
          throw error;
        }
        // Without the database the key cannot be checked, nor anything else answered: the whole
        // request is refused, 503 and retryable, as a load balancer and a client expect.
        if (domain.category === 'UNAVAILABLE') throw requestFailure(domain);
        // Reported by the fields the request asks for, with their codes, like any other error.
        return createContext(services, null, request, domain);
      }
    },
  });
  app.use(requestRecords(options.logger));
  app.use(opsRoutes({ health: services.health, metrics, metricsToken: options.metricsToken, draining: () => draining }));
  app.use(webPages({ pages: options.landingPage, schema: options.introspection ? schema : null, assetsDir: options.webAssetsDir }));
  app.use('/graphql', (req, res) => graphql(req, res));

  return {
    server,
    metrics,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', (error) => reject(listenError(error, port, host)));
        server.listen(port, host, () => {
          const address = server.address() as { port: number };
          resolve(`http://${host}:${address.port}/graphql`);
        });
      }),
    startDraining: () => {
      draining = true;
    },
    close: async () => {
      draining = true;
      try {
        await apollo.stop();
      } finally {
        stopObserving();
      }
    },
  };
}

/** A request URL's path, without its query string. */
function pathOf(url: string | undefined): string | undefined {
  const end = url?.indexOf('?') ?? -1;
  return end < 0 ? url : url!.slice(0, end);
}
