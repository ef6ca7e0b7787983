import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Limits } from '../config';
import { domainErrorAnswer, errorAnswer } from '../errors/error-table';
import { DomainError, infrastructureError, UnauthenticatedError } from '../errors/errors';
import { ADMIN, checkRole, REPORTER } from '../modules/auth/auth.checker';
import type { ReportDecoder } from '../modules/ingestion/ingestion.mapping';
import { NdjsonReports } from '../modules/ingestion/ingestion.ndjson';
import type { RequestRecord } from '../ops/http';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import type { Services } from '../services';
import { httpEndpoint, refuse, writeJson } from './endpoint';
import { streamBody } from './request-body';

export const REPORTS_PATH = '/api/v1/reports';

export interface ReportsEndpointOptions {
  services: Pick<Services, 'auth' | 'ingestion'>;
  decoder: ReportDecoder;
  limits: Pick<Limits, 'maxBodyBytes' | 'maxBulkReports' | 'requestTimeoutMs'>;
  logger: Logger;
  metrics: Metrics;
}

const NDJSON_TYPE = /^application\/(?:x-ndjson|ndjson|jsonl|x-jsonlines)\s*(?:;|$)/i;

/**
 * `POST /api/v1/reports`: a bulk upload of usage reports, one JSON object a line (NDJSON), each
 * in the shape of reportUsage's UsageReportInput. The upload is one batch of reportUsage: the same
 * decoding, checks, match key and overwrite, written atomically or not at all, by the same keys
 * and roles; only without GraphQL's parsing and coercion of one large document, and with room for
 * more reports (MQL_MAX_BULK_REPORTS). Lines are decoded while the upload arrives. The answer is
 * reportUsage's counts as JSON, or `{ errors }` shaped as GraphQL's, with the HTTP status of their
 * category (400 with every problem and its path, 401, 403, 413, 415, 503).
 */
export function reportsEndpoint(options: ReportsEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return httpEndpoint({ ...options, accessLine: 'bulk request' }, (req, res, record) => answer(req, res, record, options));
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
  { services, decoder, limits }: ReportsEndpointOptions,
): Promise<void> {
  record.operationName = REPORTS_PATH;
  record.operationType = 'mutation';
  try {
    if (!NDJSON_TYPE.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return refuse(res, record, errorAnswer('UNSUPPORTED_MEDIA_TYPE', 'Send the reports as application/x-ndjson: one JSON object a line'));
    }
    const caller = await services.auth.authenticate(req.headers.authorization);
    if (!caller) throw new UnauthenticatedError('An API key is required: send "Authorization: Bearer <API key>"');
    record.keyId = caller.keyId;
    checkRole(caller, [ADMIN, REPORTER]);
    const upload = new NdjsonReports(decoder, limits.maxBulkReports);
    const refused = await streamBody(req, limits.maxBodyBytes, (chunk) => upload.push(chunk));
    if (res.headersSent) return; // the deadline passed while the upload arrived
    if (refused) return refuse(res, record, refused);
    const result = await services.ingestion.reportBulk(caller, upload.end());
    if (!res.headersSent) writeJson(res, 200, result);
  } catch (error) {
    const domain = error instanceof DomainError ? error : infrastructureError(error);
    if (!domain) throw error;
    if (!req.complete) req.resume();
    if (!res.headersSent) refuse(res, record, domainErrorAnswer(domain));
  }
}
