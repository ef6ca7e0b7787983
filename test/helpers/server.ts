import { createSchema } from '../../src/schema';
import { DEFAULT_LIMITS } from '../../src/config';
import { createHttpServer, type ServerOptions } from '../../src/server';
import type { Services } from '../../src/services';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  /** Sends one operation over HTTP, as a client would. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export const loggedErrors: unknown[] = [];

export async function startTestServer(services: Services, options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const http = await createHttpServer(await createSchema(), services, {
    limits: DEFAULT_LIMITS,
    introspection: true,
    landingPage: false,
    logger: { error: (message, details) => loggedErrors.push({ message, ...details }) },
    ...options,
  });
  const url = await http.listen(0, '127.0.0.1');
  return {
    url,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    close: () => http.close(),
  };
}

/** The data of a response that must have no errors; the errors in the failure message otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors, null, 2)}`);
  return response.data!;
}
