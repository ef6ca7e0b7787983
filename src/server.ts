import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Limits } from './config';
import { createContext, type Context } from './context';
import { formatError, requestIdPlugin, type ErrorLogger } from './errors/error-table';
import { DomainError, infrastructureError } from './errors/errors';
import { webPages } from './http/web';
import type { Services } from './services';

export interface HttpServer {
  server: http.Server;
  listen(port: number, host: string): Promise<string>;
  /** Stops taking requests, answers those in flight, then closes. */
  close(): Promise<void>;
}

export interface ServerOptions {
  limits: Limits;
  introspection: boolean;
  /** meterql's pages for browsers: the landing page, GraphiQL and the dashboard. */
  landingPage: boolean;
  logger: ErrorLogger;
  /** The built pages (default dist/web). */
  webAssetsDir?: string;
}

/** Express with Apollo Server at /graphql, so that health checks and pages can join it. */
export async function createHttpServer(schema: GraphQLSchema, services: Services, options: ServerOptions): Promise<HttpServer> {
  const { limits } = options;
  const app = express();
  const server = http.createServer(app);
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    // Suggestions ("did you mean ...") reveal the schema when introspection is off.
    blockFieldSuggestion: { enabled: !options.introspection },
  });
  const protection = armor.protect();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    introspection: options.introspection,
    validationRules: protection.validationRules,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // main.ts stops the server on SIGINT and SIGTERM, after the requests in flight; Apollo's own
    // handlers would race it.
    stopOnTerminationSignals: false,
    plugins: [
      ...protection.plugins,
      requestIdPlugin(options.logger),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // meterql's own pages (src/http/web.ts) replace Apollo's, which loads from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  app.use(webPages({ pages: options.landingPage, schema: options.introspection ? schema : null, assetsDir: options.webAssetsDir }));
  app.use(
    '/graphql',
    deadline(limits.requestTimeoutMs),
    express.json({ limit: limits.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = randomUUID();
        try {
          return createContext(services, await services.auth.authenticate(req.headers.authorization), requestId);
        } catch (error) {
          // Reported by the fields the request asks for, with their codes, like any other error.
          const domain = error instanceof DomainError ? error : infrastructureError(error);
          if (!domain) throw error;
          return createContext(services, null, requestId, domain);
        }
      },
    }),
  );
  app.use(jsonErrors(limits));

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as { port: number };
          resolve(`http://${host}:${address.port}/graphql`);
        });
      }),
    close: () => apollo.stop(),
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
      res.status(503).json({
        errors: [{ message: `The request was not answered within ${ms} ms`, extensions: { code: 'TIMEOUT' } }],
      });
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
      res.status(413).json({
        errors: [{ message: `The request body is larger than ${limits.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    } else {
      next(error);
    }
  };
}
