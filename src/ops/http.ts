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

/** Gives every request an id (answered in `x-request-id`) and a logger that carries it. */
export function requestRecords(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFrom(req.headers['x-request-id']);
    const record: RequestRecord = {
      id,
      log: logger.child({ requestId: id }),
      started: process.hrtime.bigint(),
      graphql: false,
      errorCodes: [],
    };
    res.locals.request = record;
    res.setHeader('x-request-id', id);
    next();
  };
}

/**
 * One access-log line and the metrics of each GraphQL request, once its answer is sent (or its
 * client went away: status 499). Requests for the landing page are neither.
 */
export function accessLog(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const record = recordOf(res);
    res.on('close', () => {
      if (!record.graphql && req.method !== 'POST') return;
      const status = res.writableFinished ? res.statusCode : 499;
      const seconds = Number(process.hrtime.bigint() - record.started) / 1e9;
      metrics.requestFinished({
        operationName: record.operationName,
        operationType: record.operationType,
        status,
        seconds,
        errorCodes: record.errorCodes,
      });
      record.log.info(
        {
          operation: record.operationName === undefined ? null : (record.operationName?.slice(0, 200) ?? '(anonymous)'),
          operationType: record.operationType ?? null,
          keyId: record.keyId ?? null,
          status,
          durationMs: Math.round(seconds * 10_000) / 10,
          errors: record.errorCodes,
        },
        'graphql request',
      );
    });
    next();
  };
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

/**
 * An error answer written outside GraphQL execution (Apollo refusing a malformed HTTP request,
 * the body parser, the deadline) gains the request's id in each error, and its codes reach the
 * access log. Only answers with status >= 400 are read again.
 */
export function requestIdInErrorAnswers(): RequestHandler {
  return (_req, res, next) => {
    const record = recordOf(res);
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (res.statusCode < 400 || typeof body !== 'string' || !body.startsWith('{"errors"')) return send(body);
      try {
        const parsed = JSON.parse(body) as { errors: { extensions?: Record<string, unknown> }[] };
        record.graphql = true;
        record.errorCodes = parsed.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        parsed.errors = parsed.errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: record.id } }));
        return send(JSON.stringify(parsed));
      } catch {
        return send(body);
      }
    };
    next();
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
