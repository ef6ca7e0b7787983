import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { GraphQLError, OperationTypeNode, type ASTVisitor, type GraphQLSchema, type ValidationContext } from 'graphql';
import type { Limits } from './config';
import { createContext, type Context } from './context';
import { errorAnswer, formatError, requestFailure, requestIdPlugin, type ErrorAnswer } from './errors/error-table';
import { DomainError, infrastructureError } from './errors/errors';
import { inputGuardPlugin } from './http/input-guard';
import { webPages } from './http/web';
import { accessLog, operationPlugin, opsRoutes, recordOf, requestIdInErrorAnswers, requestRecords } from './ops/http';
import type { Logger } from './ops/logger';
import { Metrics } from './ops/metrics';
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

/**
 * Express with Apollo Server at /graphql, beside /healthz, /readyz, /metrics and the pages for browsers. Every request
 * gets an id (a sane incoming `x-request-id`, else a UUID) that its log lines and error answers carry.
 */
export async function createHttpServer(schema: GraphQLSchema, services: Services, options: ServerOptions): Promise<HttpServer> {
  const { limits } = options;
  const app = express();
  const server = http.createServer(app);
  const metrics = new Metrics({ pool: () => services.health.poolStats() });
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
    plugins: [
      ...protection.plugins,
      requestIdPlugin(),
      operationPlugin(),
      inputGuardPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // meterql's own pages (src/http/web.ts) replace Apollo's, which loads from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  app.use(requestRecords(options.logger));
  app.use(opsRoutes({ health: services.health, metrics, metricsToken: options.metricsToken, draining: () => draining }));
  app.use(webPages({ pages: options.landingPage, schema: options.introspection ? schema : null, assetsDir: options.webAssetsDir }));
  app.use(
    '/graphql',
    accessLog(metrics),
    requestIdInErrorAnswers(),
    deadline(limits.requestTimeoutMs),
    express.json({ limit: limits.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const request = recordOf(res);
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
    }),
  );
  app.use(jsonErrors(limits));

  return {
    server,
    metrics,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
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

/**
 * The per-request deadline: a request not answered in time is answered 503 TIMEOUT (its
 * statements are bounded by the database's statement_timeout). What it answers later is dropped.
 */
function deadline(ms: number): RequestHandler {
  return (_req, res, next) => {
    if (ms <= 0) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      answer(res, errorAnswer('TIMEOUT', `The request was not answered within ${ms} ms`));
    }, ms);
    res.on('close', () => clearTimeout(timer));
    next();
  };
}

/** Errors before GraphQL (a body too large, JSON that does not parse) answered as GraphQL errors. */
function jsonErrors(limits: Limits): ErrorRequestHandler {
  return (error: { type?: string; status?: number }, _req, res, next) => {
    if (res.headersSent) return; // answered already: the deadline passed
    if (error.type === 'entity.too.large') {
      answer(res, errorAnswer('PAYLOAD_TOO_LARGE', `The request body is larger than ${limits.maxBodyBytes} bytes`));
    } else if (error.type === 'entity.parse.failed') {
      answer(res, errorAnswer('BAD_REQUEST', 'The request body is not valid JSON'));
    } else {
      next(error);
    }
  };
}

function answer(res: Response, { status, body }: ErrorAnswer): void {
  res.status(status).json(body);
}
