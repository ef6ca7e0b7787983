import type { Database } from '../../db/database';
import { DomainError, ForbiddenError, Problems } from '../../errors/errors';
import type { Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import type { IngestionRepository } from './ingestion.repository';
import { normalizeReports, type NormalizedReport, type UsageReport } from './ingestion.validation';

export interface ReportUsageResult {
  created: number;
  updated: number;
  unchanged: number;
  superseded: number;
}

/** What became of the reports of one batch: each report counts under one outcome. */
export interface IngestionOutcome extends ReportUsageResult {
  /** Refused for their content or their caller: nothing of the batch was written. */
  rejected: number;
  /** Not written for another reason (the database unavailable, a timeout); may be resent. */
  failed: number;
}

export type IngestionObserver = (outcome: IngestionOutcome) => void;

export class IngestionService {
  constructor(
    private readonly db: Database,
    private readonly repository: IngestionRepository,
    private readonly catalog: CatalogService,
    private readonly limits: { maxBatchSize: number },
  ) {}

  private readonly observers = new Set<IngestionObserver>();

  /** Tells observer the outcome of every batch from now on, until the returned function is called. */
  observe(observer: IngestionObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Stores a batch of usage reports atomically: every report is valid and written, or nothing
   * is written and one error lists every problem.
   */
  async reportUsage(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult> {
    if (this.observers.size === 0) return this.store(caller, reports);
    try {
      const result = await this.store(caller, reports);
      this.notify({ ...result, rejected: 0, failed: 0 });
      return result;
    } catch (error) {
      const refused = error instanceof DomainError && (error.category === 'BAD_USER_INPUT' || error.category === 'FORBIDDEN');
      const none = { created: 0, updated: 0, unchanged: 0, superseded: 0 };
      this.notify({ ...none, rejected: refused ? reports.length : 0, failed: refused ? 0 : reports.length });
      throw error;
    }
  }

  private notify(outcome: IngestionOutcome): void {
    for (const observer of this.observers) observer(outcome);
  }

  private async store(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult> {
    const problems = new Problems();
    if (reports.length > this.limits.maxBatchSize) {
      problems.add(['reports'], `at most ${this.limits.maxBatchSize} reports per batch, got ${reports.length}`);
      problems.throwIfAny();
    }
    const foreign = reports.flatMap((r, i) => (caller.projects && !caller.projects.includes(r.project) ? [i] : []));
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 10).map((i) => `reports[${i}]`).join(', ');
      throw new ForbiddenError(`This key may not report for the project of ${shown}${foreign.length > 10 ? ', ...' : ''}; nothing was written`);
    }
    const meterNames = reports.flatMap((r) => [r.meter, ...(r.additionalResources ?? []).map((a) => a.meter)]);
    // One lookup for the whole batch: the catalog keeps the meters' ids and record types.
    const definitions = await this.catalog.meterDefinitions(meterNames.filter((m) => typeof m === 'string'));
    const normalized = normalizeReports(reports, definitions, problems);
    problems.throwIfAny();

    // Within one batch the last report with a key wins, as if it had been sent after the others.
    const byKey = new Map<string, NormalizedReport>();
    for (const report of normalized) byKey.set(report.key, report);
    // Writing in key order makes concurrent batches lock rows in one order: no deadlocks.
    const distinct = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (distinct.length === 0) return { created: 0, updated: 0, unchanged: 0, superseded: 0 };

    const meters = new Map([...definitions].map(([name, meter]) => [name, meter.id]));
    const { created, updated } = await this.db.transaction((client) => this.repository.writeReports(client, distinct, meters));
    return {
      created,
      updated,
      unchanged: distinct.length - created - updated,
      superseded: reports.length - distinct.length,
    };
  }
}
