import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { createContext, type Context } from './context';
import { createErrorFormatter, type ErrorLogger } from './errors/error-table';
import type { Services } from './services';

export interface HttpServer {
  server: http.Server;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** Express with Apollo Server at /graphql, so that health checks and pages can join it. */
export async function createHttpServer(schema: GraphQLSchema, services: Services, logger: ErrorLogger): Promise<HttpServer> {
  const app = express();
  const server = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
  });
  await apollo.start();
  app.use('/graphql', express.json({ limit: '50mb' }), expressMiddleware(apollo, { context: async () => createContext(services) }));

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
