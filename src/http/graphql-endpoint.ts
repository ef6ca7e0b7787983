import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Limits } from '../config';
import type { RequestRecord } from '../ops/http';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import { httpEndpoint, refuse } from './endpoint';
import { readJsonBody } from './request-body';

export interface GraphqlEndpointOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** The context of one request; what it throws, Apollo answers (with the error's HTTP status). */
  context(req: IncomingMessage, request: RequestRecord): Promise<C>;
  limits: Pick<Limits, 'maxBodyBytes' | 'requestTimeoutMs'>;
  logger: Logger;
  metrics: Metrics;
}

/**
 * `/graphql` on Node's HTTP server itself, as lean as Apollo's own standalone server: the body
 * read (and inflated) up to the size limit and parsed, handed to Apollo, and its answer written
 * in one piece with its length, inside what every endpoint has (src/http/endpoint.ts).
 */
export function graphqlEndpoint<C extends BaseContext>(
  options: GraphqlEndpointOptions<C>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return httpEndpoint({ ...options, accessLine: 'graphql request' }, (req, res, record) => answer(req, res, record, options));
}

async function answer<C extends BaseContext>(
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
  { apollo, context, limits }: GraphqlEndpointOptions<C>,
): Promise<void> {
  const body = await readJsonBody(req, limits.maxBodyBytes);
  if (res.headersSent) return; // the deadline passed while the body arrived
  if ('refused' in body) return refuse(res, record, body.refused);

  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: query < 0 ? '' : url.slice(query),
      body: body.value,
    },
    context: () => context(req, record),
  });
  if (res.headersSent) return; // answered already: the deadline passed
  let text: string;
  if (response.body.kind === 'complete') text = response.body.string;
  else {
    text = '';
    for await (const chunk of response.body.asyncIterator) text += chunk;
  }
  const status = response.status ?? 200;
  // An error answer Apollo wrote before GraphQL ran (a malformed request) gains the request's id too.
  if (status >= 400 && text.startsWith('{"errors"')) text = withRequestId(text, record);
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.statusCode = status;
  res.end(text);
}

function withRequestId(text: string, record: RequestRecord): string {
  try {
    const parsed = JSON.parse(text) as { errors: { extensions?: Record<string, unknown> }[] };
    record.graphql = true;
    record.errorCodes = parsed.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
    parsed.errors = parsed.errors.map((e) =>
      e.extensions?.requestId ? e : { ...e, extensions: { ...e.extensions, requestId: record.id } },
    );
    return JSON.stringify(parsed);
  } catch {
    return text;
  }
}
