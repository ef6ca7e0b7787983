import type { Database } from '../../db/database';
import { ForbiddenError, Problems, type Problem } from '../../errors/errors';
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

/** A report that reportEach did not write, by its index in the batch; problem paths are relative to the report. */
export interface RejectedReport {
  index: number;
  problems: Problem[];
}

export class IngestionService {
  constructor(
    private readonly db: Database,
    private readonly repository: IngestionRepository,
    private readonly catalog: CatalogService,
    private readonly limits: { maxBatchSize: number },
  ) {}

  /**
   * Stores a batch of usage reports atomically: every report is valid and written, or nothing
   * is written and one error lists every problem.
   */
  async reportUsage(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult> {
    this.checkBatchSize(reports);
    const foreign = reports.flatMap((r, i) => (caller.projects && !caller.projects.includes(r.project) ? [i] : []));
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 10).map((i) => `reports[${i}]`).join(', ');
      throw new ForbiddenError(`This key may not report for the project of ${shown}${foreign.length > 10 ? ', ...' : ''}; nothing was written`);
    }
    const problems = new Problems();
    const meters = await this.metersOf(reports);
    const normalized = normalizeReports(reports, new Set(meters.keys()), problems);
    problems.throwIfAny();
    return this.write(normalized, meters, reports.length);
  }

  /**
   * The import's variant: each report is checked on its own by the rules of reportUsage, the
   * valid ones are written as one atomic batch, and the others come back with their problems,
   * so that one bad line of a file never holds back the good ones beside it.
   */
  async reportEach(caller: Caller, reports: readonly UsageReport[]): Promise<ReportUsageResult & { rejected: RejectedReport[] }> {
    this.checkBatchSize(reports);
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
    const meters = await this.metersOf(candidates);
    const problems = new Problems();
    const normalized = normalizeReports(candidates, new Set(meters.keys()), problems, []);
    for (const { path, message } of problems.all) {
      const index = allowed[path[0] as number];
      rejected.set(index, [...(rejected.get(index) ?? []), { path: path.slice(1), message }]);
    }
    const result = await this.write(normalized, meters, normalized.length);
    return { ...result, rejected: [...rejected].map(([index, p]) => ({ index, problems: p })).sort((a, b) => a.index - b.index) };
  }

  private checkBatchSize(reports: readonly UsageReport[]): void {
    if (reports.length > this.limits.maxBatchSize) {
      const problems = new Problems();
      problems.add(['reports'], `at most ${this.limits.maxBatchSize} reports per batch, got ${reports.length}`);
      problems.throwIfAny();
    }
  }

  private metersOf(reports: readonly UsageReport[]): Promise<Map<string, number>> {
    const names = reports.flatMap((r) => [r.meter, ...(r.additionalResources ?? []).map((a) => a.meter)]);
    return this.catalog.knownMeters(names.filter((m) => typeof m === 'string'));
  }

  /** Writes valid reports in one transaction; `sent` is how many reports they came from. */
  private async write(normalized: NormalizedReport[], meters: ReadonlyMap<string, number>, sent: number): Promise<ReportUsageResult> {
    // Within one batch the last report with a key wins, as if it had been sent after the others.
    const byKey = new Map<string, NormalizedReport>();
    for (const report of normalized) byKey.set(report.key, report);
    // Writing in key order makes concurrent batches lock rows in one order: no deadlocks.
    const distinct = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (distinct.length === 0) return { created: 0, updated: 0, unchanged: 0, superseded: sent - distinct.length };

    const { created, updated } = await this.db.transaction((client) => this.repository.writeReports(client, distinct, meters));
    return {
      created,
      updated,
      unchanged: distinct.length - created - updated,
      superseded: sent - distinct.length,
    };
  }
}
