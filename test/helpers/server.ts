import { createSchema } from '../../src/schema';
import { DEFAULT_LIMITS } from '../../src/config';
import type { LogLevel } from '../../src/config';
import { createLogger } from '../../src/ops/logger';
import type { Metrics } from '../../src/ops/metrics';
import { createHttpServer, type ServerOptions } from '../../src/server';
import type { Services } from '../../src/services';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** One line the server logged, parsed. */
export type LogLine = Record<string, any> & { level: string; msg: string };

export interface TestServer {
  url: string;
  /** The server's root, without /graphql. */
  origin: string;
  metrics: Metrics;
  /** Sends one operation over HTTP, as a client would. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** What the server logged so far, each line as written (JSON). */
  logLines: string[];
  /** The same lines, parsed. */
  logs(): LogLine[];
  startDraining(): void;
  close(): Promise<void>;
}

export async function startTestServer(
  services: Services,
  options: Partial<ServerOptions> & { logLevel?: LogLevel } = {},
): Promise<TestServer> {
  const logLines: string[] = [];
  const http = await createHttpServer(await createSchema(), services, {
    limits: DEFAULT_LIMITS,
    introspection: true,
    landingPage: false,
    logger: createLogger(options.logLevel ?? 'info', { write: (line: string) => void logLines.push(line) }),
    ...options,
  });
  const url = await http.listen(0, '127.0.0.1');
  return {
    url,
    origin: new URL(url).origin,
    metrics: http.metrics,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    logLines,
    logs: () => logLines.map((line) => JSON.parse(line) as LogLine),
    startDraining: () => http.startDraining(),
    close: () => http.close(),
  };
}

/** The data of a response that must have no errors; the errors in the failure message otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors, null, 2)}`);
  return response.data!;
}
