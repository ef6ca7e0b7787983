import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorAnswer, type ErrorAnswer } from '../errors/error-table';
import type { Limits } from '../config';
import { newRequestRecord, requestFinished, type RequestRecord } from '../ops/http';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';

export interface EndpointOptions {
  limits: Pick<Limits, 'requestTimeoutMs'>;
  logger: Logger;
  metrics: Metrics;
  /** The message of the request's access-log line. */
  accessLine: string;
}

/**
 * What production relies on around every endpoint on Node's HTTP server itself (`/graphql`,
 * `/api/v1/reports`): the request's id (in `x-request-id`, its log lines and its error answers),
 * the deadline, and one access-log line and the metrics of each request once it is answered (or
 * its client went away: status 499). `answer` writes the answer; what it throws is masked.
 */
export function httpEndpoint(
  { limits, logger, metrics, accessLine }: EndpointOptions,
  answer: (req: IncomingMessage, res: ServerResponse, record: RequestRecord) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
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
      requestFinished(record, res.writableFinished ? res.statusCode : 499, metrics, logger, accessLine);
    });
    answer(req, res, record).catch((error: unknown) => {
      // The endpoint answers what fails inside it; this is a failure of the endpoint itself.
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

/** Answers a request with an error outside GraphQL: its status, and its errors with the request's id. */
export function refuse(res: ServerResponse, record: RequestRecord, { status, body }: ErrorAnswer): void {
  record.graphql = true;
  record.errorCodes = body.errors.map((e) => String(e.extensions?.code));
  writeJson(res, status, { errors: body.errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: record.id } })) });
}

/** One write, with its length. */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
