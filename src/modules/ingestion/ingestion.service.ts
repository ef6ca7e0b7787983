import type { Database } from '../../db/database';
import { DomainError, ForbiddenError, Problems, type Problem } from '../../errors/errors';
import type { Caller } from '../auth/auth.types';
import type { CatalogService, KnownMeter } from '../catalog/catalog.service';
import { foreignResource } from '../resources/ownership';
import type { RollupsRepository } from '../usage/rollups.repository';
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
  /** Refused for their content or their caller: not written. */
  rejected: number;
  /** Not written for another reason (the database unavailable, a timeout); may be resent. */
  failed: number;
}

export type IngestionObserver = (outcome: IngestionOutcome) => void;

/** A report that reportEach did not write, by its index in the batch; problem paths are relative to the report. */
export interface RejectedReport {
  index: number;
  problems: Problem[];
}

const NONE = { created: 0, updated: 0, unchanged: 0, superseded: 0 };

export class IngestionService {
  constructor(
    private readonly db: Database,
    private readonly repository: IngestionRepository,
    private readonly rollups: RollupsRepository,
    private readonly catalog: CatalogService,
    private readonly limits: { maxBatchSize: number; maxBulkReports: number },
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
  reportUsage(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult> {
    return this.observed(reports, () => this.store(caller, reports, this.limits.maxBatchSize, 'batch'));
  }

  /** reportUsage for a bulk upload (POST /api/v1/reports): the same checks, match key and atomic write, for up to maxBulkReports reports. */
  reportBulk(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult> {
    return this.observed(reports, () => this.store(caller, reports, this.limits.maxBulkReports, 'request'));
  }

  private async observed(reports: readonly UsageReport[], store: () => Promise<ReportUsageResult>): Promise<ReportUsageResult> {
    if (this.observers.size === 0) return store();
    try {
      const result = await store();
      this.notify({ ...result, rejected: 0, failed: 0 });
      return result;
    } catch (error) {
      const refused = error instanceof DomainError && (error.category === 'BAD_USER_INPUT' || error.category === 'FORBIDDEN');
      this.notify({ ...NONE, rejected: refused ? reports.length : 0, failed: refused ? 0 : reports.length });
      throw error;
    }
  }

  /**
   * The import's variant: each report is checked on its own by the rules of reportUsage, the
   * valid ones are written as one atomic batch, and the others come back with their problems,
   * so that one bad line of a file never holds back the good ones beside it.
   */
  async reportEach(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult & { rejected: RejectedReport[] }> {
    this.checkSize(reports, this.limits.maxBatchSize, 'batch');
    const rejected = new Map<number, Problem[]>();
    const allowed: number[] = [];
    reports.forEach((r, i) => {
      if (caller.projects && !caller.projects.includes(r.project)) {
        rejected.set(i, [{ path: ['project'], message: `this key may not report for project "${r.project}"` }]);
      } else {
        allowed.push(i);
      }
    });
    const candidates = allowed.map((i) => reports[i]);
    const definitions = await this.definitionsOf(candidates);
    const problems = new Problems();
    const normalized = normalizeReports(candidates, definitions, problems, []);
    for (const { path, message } of problems.all) {
      const index = allowed[path[0] as number];
      rejected.set(index, [...(rejected.get(index) ?? []), { path: path.slice(1), message }]);
    }
    const { foreign, ...result } = await this.write(normalized, definitions, normalized.length, 'skip');
    for (const r of foreign) rejected.set(allowed[r.index], [{ path: ['resource'], message: foreignResource(r.resource!) }]);
    this.notify({ ...result, rejected: rejected.size, failed: 0 });
    return { ...result, rejected: [...rejected].map(([index, p]) => ({ index, problems: p })).sort((a, b) => a.index - b.index) };
  }

  private notify(outcome: IngestionOutcome): void {
    for (const observer of this.observers) observer(outcome);
  }

  private async store(caller: Caller, reports: readonly UsageReport[], limit: number, unit: string): Promise<ReportUsageResult> {
    this.checkSize(reports, limit, unit);
    const outside = reports.flatMap((r, i) => (caller.projects && !caller.projects.includes(r.project) ? [i] : []));
    if (outside.length > 0) {
      const shown = outside
        .slice(0, 10)
        .map((i) => `reports[${i}]`)
        .join(', ');
      throw new ForbiddenError(
        `This key may not report for the project of ${shown}${outside.length > 10 ? ', ...' : ''}; nothing was written`,
      );
    }
    const problems = new Problems();
    const definitions = await this.definitionsOf(reports);
    const normalized = normalizeReports(reports, definitions, problems);
    problems.throwIfAny();
    const { foreign: _, ...result } = await this.write(normalized, definitions, reports.length, 'refuse');
    return result;
  }

  private checkSize(reports: readonly UsageReport[], limit: number, unit: string): void {
    if (reports.length > limit) {
      const problems = new Problems();
      problems.add(['reports'], `at most ${limit} reports per ${unit}, got ${reports.length}`);
      problems.throwIfAny();
    }
  }

  /** One lookup for the whole batch: the catalog keeps the meters' ids and record types. */
  private definitionsOf(reports: readonly UsageReport[]): Promise<Map<string, KnownMeter>> {
    const names = reports.flatMap((r) => [r.meter, ...(r.additionalResources ?? []).map((a) => a.meter)]);
    return this.catalog.meterDefinitions(names.filter((m) => typeof m === 'string'));
  }

  /**
   * Writes valid reports in one transaction; `sent` is how many reports they came from. A report
   * naming a resource of another project is never written: with `foreign: 'refuse'` the whole
   * batch is refused, with 'skip' the others are written and it comes back.
   */
  private async write(
    normalized: NormalizedReport[],
    definitions: ReadonlyMap<string, KnownMeter>,
    sent: number,
    foreign: 'refuse' | 'skip',
  ): Promise<ReportUsageResult & { foreign: NormalizedReport[] }> {
    // Within one batch the last report with a key wins, as if it had been sent after the others.
    const byKey = new Map<string, NormalizedReport>();
    for (const report of normalized) byKey.set(report.key, report);
    // Writing in key order makes concurrent batches lock rows in one order: no deadlocks.
    const distinct = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (distinct.length === 0) return { ...NONE, superseded: sent - distinct.length, foreign: [] };

    const meters = new Map([...definitions].map(([name, meter]) => [name, meter.id]));
    return this.db.transaction(async (client) => {
      const ids = await this.repository.dimensions(client, distinct);
      // Ownership is settled by the claim itself, in this transaction: a resource that a
      // concurrent batch of another project claims first is that project's, and this batch sees it.
      const claimed = await this.repository.claimResources(client, distinct, ids);
      const misplaced = (r: NormalizedReport) => r.resource !== null && claimed.get(r.resource)!.project !== r.project;
      const refused = distinct.filter(misplaced);
      if (refused.length > 0 && foreign === 'refuse') {
        const problems = new Problems();
        for (const r of normalized.filter(misplaced)) problems.add(['reports', r.index, 'resource'], foreignResource(r.resource!));
        problems.throwIfAny();
      }
      const written = refused.length === 0 ? distinct : distinct.filter((r) => !misplaced(r));
      const { created, updated, usage } = await this.repository.writeReports(client, written, meters, ids, claimed);
      await this.rollups.recordWritten(client, usage);
      return {
        created,
        updated,
        unchanged: written.length - created - updated,
        superseded: sent - distinct.length,
        foreign: refused,
      };
    });
  }
}
