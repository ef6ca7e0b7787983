import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { errorAnswer, type ErrorAnswer } from '../errors/error-table';
import type { Limits } from '../config';
import { newRequestRecord, requestFinished, type RequestRecord } from '../ops/http';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';

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
 * in one piece with its length. Around it, what production relies on: the request's id (in
 * `x-request-id`, its log lines and its error answers), the deadline, and one access-log line and
 * the metrics of each request once it is answered (or its client went away: status 499).
 */
export function graphqlEndpoint<C extends BaseContext>(
  options: GraphqlEndpointOptions<C>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, limits, logger, metrics } = options;
  return (req, res) => {
    const record = newRequestRecord(logger, req.headers['x-request-id']);
    res.setHeader('x-request-id', record.id);
    const timer =
      limits.requestTimeoutMs > 0
        ? setTimeout(() => {
            if (!res.headersSent)
              refuse(res, record, errorAnswer('TIMEOUT', `The request was not answered within ${limits.requestTimeoutMs} ms`));
          }, limits.requestTimeoutMs)
        : undefined;
    res.once('close', () => {
      clearTimeout(timer);
      if (!record.graphql && req.method !== 'POST') return;
      requestFinished(record, res.writableFinished ? res.statusCode : 499, metrics, logger);
    });
    answer(req, res, record, options).catch((error: unknown) => {
      // Apollo answers what fails inside it; this is a failure of the endpoint itself.
      record.log.error({ err: error }, 'unexpected error');
      if (!res.headersSent)
        refuse(res, record, {
          status: 500,
          body: { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
        });
      else res.destroy();
    });
  };
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

/** Answers a request that ends before GraphQL runs: its status, and its error with the request's id. */
function refuse(res: ServerResponse, record: RequestRecord, { status, body }: ErrorAnswer): void {
  record.graphql = true;
  record.errorCodes = body.errors.map((e) => String(e.extensions?.code));
  const text = JSON.stringify({ errors: body.errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: record.id } })) });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The Content-Encodings a body may come in, and what inflates each (a Map: no name reaches Object's own members). */
const INFLATERS = new Map<string, (() => Transform) | null>([
  ['identity', null],
  ['gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * The request's JSON body, as express.json() read it before: read only for a JSON content type
 * (else Apollo says what it expects), up to `limit` bytes after inflating gzip, deflate or br,
 * in UTF-8, and an object or an array.
 */
async function readJsonBody(req: IncomingMessage, limit: number): Promise<{ value: unknown } | { refused: ErrorAnswer }> {
  const type = req.headers['content-type'];
  if (req.method === 'GET' || req.method === 'HEAD' || type === undefined || !JSON_TYPE.test(type)) {
    req.resume();
    return { value: undefined };
  }
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    req.resume();
    return { refused: errorAnswer('UNSUPPORTED_MEDIA_TYPE', `The request body must be UTF-8, not ${charset}`) };
  }
  const tooLarge = { refused: errorAnswer('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`) };
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return tooLarge;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const inflate = INFLATERS.get(encoding);
  if (inflate === undefined) {
    req.resume();
    return {
      refused: errorAnswer('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported (gzip, deflate, br or identity)`),
    };
  }
  const stream: Readable = inflate === null ? req : req.pipe(inflate());
  const chunks = await new Promise<Buffer[] | 'too large' | 'unreadable'>((resolve) => {
    const read: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) read.push(chunk);
      else {
        stream.removeAllListeners('data');
        req.unpipe();
        req.resume();
        resolve('too large');
      }
    });
    stream.once('end', () => resolve(read));
    stream.once('error', () => resolve('unreadable'));
    // A client that goes away mid-body ends nothing: its request is given up.
    req.once('close', () => {
      if (!req.complete) resolve('unreadable');
    });
  });
  if (chunks === 'too large') return tooLarge;
  if (chunks === 'unreadable') {
    return { refused: errorAnswer('BAD_REQUEST', `The request body could not be read${inflate === null ? '' : ` as ${encoding}`}`) };
  }
  const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return { value: {} }; // an empty body: Apollo says what it lacks
  if (first !== '{' && first !== '[') return { refused: errorAnswer('BAD_REQUEST', 'The request body is not valid JSON') };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { refused: errorAnswer('BAD_REQUEST', 'The request body is not valid JSON') };
  }
}
