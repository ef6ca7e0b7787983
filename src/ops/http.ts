import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Caller } from '../modules/auth/auth.types';
import type { DatabaseHealth } from './health';
import { requestIdFrom, type Logger } from './logger';
import type { Metrics } from './metrics';

/** What is known about one HTTP request while it is answered: its id, its logger, its GraphQL operation. */
export interface RequestRecord {
  id: string;
  /** The server's logger with this request's id on every line. */
  log: Logger;
  started: bigint;
  /** Whether it is a GraphQL request (and so gets an access-log line and metrics). */
  graphql: boolean;
  operationName?: string | null;
  operationType?: string;
  keyId?: string | null;
  errorCodes: string[];
}

export function recordOf(res: Response): RequestRecord {
  return res.locals.request as RequestRecord;
}

/** A request's record: its id (a sane incoming `x-request-id`, else a UUID) and a logger that carries it, made when first used. */
export function newRequestRecord(logger: Logger, header: string | string[] | undefined): RequestRecord {
  const id = requestIdFrom(header);
  let log: Logger | undefined;
  return {
    id,
    get log() {
      return (log ??= logger.child({ requestId: id }));
    },
    started: process.hrtime.bigint(),
    graphql: false,
    errorCodes: [],
  };
}

/** Gives every request an id (answered in `x-request-id`) and a logger that carries it. */
export function requestRecords(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const record = newRequestRecord(logger, req.headers['x-request-id']);
    res.locals.request = record;
    res.setHeader('x-request-id', record.id);
    next();
  };
}

/** The access-log line and the metrics of a request, once it is answered with `status`. */
export function requestFinished(
  record: RequestRecord,
  status: number,
  metrics: Metrics,
  logger: Logger,
  message = 'graphql request',
): void {
  const seconds = Number(process.hrtime.bigint() - record.started) / 1e9;
  metrics.requestFinished({
    operationName: record.operationName,
    operationType: record.operationType,
    status,
    seconds,
    errorCodes: record.errorCodes,
  });
  // The base logger with the request's id first, as its child logger would write the line.
  logger.info(
    {
      requestId: record.id,
      operation: record.operationName === undefined ? null : (record.operationName?.slice(0, 200) ?? '(anonymous)'),
      operationType: record.operationType ?? null,
      keyId: record.keyId ?? null,
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      errors: record.errorCodes,
    },
    message,
  );
}

/** Notes each GraphQL request's operation, caller and error codes in its record. */
export function operationPlugin(): ApolloServerPlugin<{ request: RequestRecord; caller: Caller | null }> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.request;
      record.graphql = true;
      record.keyId = contextValue.caller?.keyId;
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operationName = operationName;
          record.operationType = operation?.operation;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          record.errorCodes = (response.body.singleResult.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        },
      };
    },
  };
}

export interface OpsRoutesOptions {
  health: DatabaseHealth;
  metrics: Metrics;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Whether the server is stopping: it answers the requests in flight and takes no new ones. */
  draining(): boolean;
}

/** GET /healthz (the process is up), /readyz (it can serve) and /metrics (Prometheus). */
export function opsRoutes(options: OpsRoutesOptions): Router {
  const router = express.Router();
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  };
  router.get('/healthz', noStore, (_req, res) => {
    if (options.draining()) res.status(503).json({ status: 'draining' });
    else res.json({ status: 'ok' });
  });
  router.get('/readyz', noStore, async (_req, res) => {
    if (options.draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const readiness = await options.health.readiness();
    if (!readiness.ready) recordOf(res).log.warn({ checks: readiness.checks, err: readiness.cause }, 'not ready');
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks });
  });
  const authorized = metricsAuthorization(options.metricsToken);
  router.get('/metrics', noStore, async (req, res) => {
    if (!authorized(req)) {
      res.status(401).setHeader('www-authenticate', 'Bearer realm="metrics"').json({ status: 'unauthorized' });
      return;
    }
    res.setHeader('content-type', options.metrics.contentType);
    res.send(await options.metrics.text());
  });
  return router;
}

function metricsAuthorization(token: string | undefined): (req: Request) => boolean {
  if (token === undefined) return () => true;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(`Bearer ${token}`);
  return (req) => timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
}
