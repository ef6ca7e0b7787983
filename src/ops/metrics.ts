import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestionOutcome } from '../modules/ingestion/ingestion.service';
import type { PoolStats } from './health';

/** One answered HTTP request to /graphql, as the access log and the metrics see it. */
export interface FinishedRequest {
  /** The operation's name; null for an anonymous operation, undefined when none was resolved. */
  operationName: string | null | undefined;
  /** query, mutation or subscription; undefined when no operation was resolved. */
  operationType: string | undefined;
  status: number;
  seconds: number;
  /** `extensions.code` of each error in the answer. */
  errorCodes: readonly string[];
}

export const ANONYMOUS = '(anonymous)';
export const UNRESOLVED = '(none)';
export const OTHER = '(other)';

const OUTCOMES = [
  'created',
  'updated',
  'unchanged',
  'superseded',
  'rejected',
  'failed',
] as const satisfies readonly (keyof IngestionOutcome)[];

/**
 * A Prometheus registry of one server: requests and latency per GraphQL operation, errors by
 * code, reports ingested by outcome, the database pool, and Node's process metrics.
 *
 * Operation names come from clients, so only the first `maxOperations` distinct names get a
 * series of their own; later names count as "(other)".
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly requests: Counter<'operation' | 'type' | 'status'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly errors: Counter<'code'>;
  private readonly reports: Counter<'outcome'>;
  private readonly maxOperations: number;

  constructor(options: { pool: () => PoolStats; maxOperations?: number; processMetrics?: boolean }) {
    const registers = [this.registry];
    this.maxOperations = options.maxOperations ?? 100;
    this.requests = new Counter({
      name: 'meterql_graphql_requests_total',
      help: 'GraphQL requests answered, by operation name, operation type and HTTP status',
      labelNames: ['operation', 'type', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'meterql_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to answering it, by operation name and type',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.errors = new Counter({
      name: 'meterql_graphql_errors_total',
      help: 'Errors in GraphQL answers, by extensions.code',
      labelNames: ['code'],
      registers,
    });
    this.reports = new Counter({
      name: 'meterql_reports_ingested_total',
      help: 'Usage reports received by reportUsage, by outcome (created, updated, unchanged, superseded, rejected, failed)',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of OUTCOMES) this.reports.inc({ outcome }, 0);

    const pool = options.pool;
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(pool()));
        },
      });
    gauge('meterql_db_pool_connections', 'Connections the database pool holds open (idle or in use)', (s) => s.total);
    gauge('meterql_db_pool_idle_connections', 'Open connections of the database pool not in use', (s) => s.idle);
    gauge('meterql_db_pool_waiting_clients', 'Queries waiting for a connection of the database pool', (s) => s.waiting);
    gauge('meterql_db_pool_max_connections', 'The most connections the database pool opens', (s) => s.max);

    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The label of an operation name: bounded in length and in number of distinct values. */
  operationLabel(name: string | null | undefined): string {
    if (name === undefined) return UNRESOLVED;
    if (name === null) return ANONYMOUS;
    if (this.names.has(name)) return name;
    if (name.length > 64 || this.names.size >= this.maxOperations) return OTHER;
    this.names.add(name);
    return name;
  }

  requestFinished(request: FinishedRequest): void {
    const operation = this.operationLabel(request.operationName);
    const type = request.operationType ?? UNRESOLVED;
    this.requests.inc({ operation, type, status: String(request.status) });
    this.duration.observe({ operation, type }, request.seconds);
    for (const code of request.errorCodes) this.errors.inc({ code });
  }

  reportsIngested(outcome: IngestionOutcome): void {
    for (const key of OUTCOMES) if (outcome[key] > 0) this.reports.inc({ outcome: key }, outcome[key]);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
