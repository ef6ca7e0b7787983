import { Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { visibleProjects, type Caller } from '../auth/auth.types';
import { fromDbStatisticsRow } from './statistics.mapping';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import type { UsageRepository } from '../usage/usage.repository';
import type { StatisticsRepository } from './statistics.repository';
import type { StatisticsQuery } from './statistics.sql';
import { GroupBy, type Measure, type UsageStatistics, type UsageStatisticsInput, type UsageStatisticsRow } from './statistics.types';
import { checkResourceUsageKeys, checkStatisticsInput } from './statistics.validation';

export class StatisticsService {
  constructor(
    private readonly repository: StatisticsRepository,
    private readonly catalog: CatalogService,
    private readonly zones: TimeZones,
    private readonly usage: UsageRepository,
    private readonly options: { maxPeriods: number; rollups: boolean },
  ) {}

  /**
   * The statistics of the input. `measures`: the only measures the caller will read (the others
   * are not returned by the statement, and read NaN); by default all.
   */
  async statistics(
    caller: Caller,
    input: UsageStatisticsInput,
    options: { cost: boolean; measures?: ReadonlySet<Measure> } = { cost: false },
  ): Promise<UsageStatistics> {
    const problems = new Problems();
    const filter = { ...input.filter, projects: visibleProjects(input.filter?.projects, caller) };
    const checked = await checkStatisticsInput(input, problems, {
      maxPeriods: this.options.maxPeriods,
      zones: this.zones,
      catalog: this.catalog,
      knownMetrics: (metrics) => this.repository.knownMetrics(metrics, filter.projects),
    });
    problems.throwIfAny();

    const { period, timeZone, prorate } = checked;
    const { rows, aggregatedFrom } = await this.run({
      ...checked,
      from: input.from,
      to: input.to,
      filter,
      rollups: this.options.rollups,
      cost: options.cost,
      measures: options.measures ?? null,
    });
    return { from: input.from, to: input.to, timeZone, period, prorate, aggregatedFrom, rows };
  }

  /**
   * For the Resource.usage loader: per-meter statistics of each resource over [from, to), one
   * statement for all the resources asked with the same range.
   */
  async resourceUsage(
    caller: Caller,
    keys: readonly { resource: string; from: Date; to: Date; prorate: boolean; cost: boolean }[],
  ): Promise<UsageStatisticsRow[][]> {
    const problems = new Problems();
    checkResourceUsageKeys(keys, problems);
    problems.throwIfAny();
    const groups = new Map<string, { from: Date; to: Date; prorate: boolean; cost: boolean; resources: string[] }>();
    for (const k of keys) {
      const id = `${k.from.getTime()}/${k.to.getTime()}/${k.prorate}/${k.cost}`;
      const group = groups.get(id) ?? { from: k.from, to: k.to, prorate: k.prorate, cost: k.cost, resources: [] };
      group.resources.push(k.resource);
      groups.set(id, group);
    }
    const found = new Map<string, UsageStatisticsRow[]>();
    for (const [id, g] of groups) {
      const { rows } = await this.run({
        meterIds: null,
        metrics: null,
        from: g.from,
        to: g.to,
        filter: { resources: g.resources, projects: visibleProjects(null, caller) },
        groupBy: [GroupBy.RESOURCE],
        groupByMetadata: [],
        period: null,
        timeZone: DEFAULT_TIME_ZONE,
        prorate: g.prorate,
        rollups: false,
        cost: g.cost,
      });
      for (const row of rows) found.set(`${id}/${row.resource}`, [...(found.get(`${id}/${row.resource}`) ?? []), row]);
    }
    return keys.map((k) => found.get(`${k.from.getTime()}/${k.to.getTime()}/${k.prorate}/${k.cost}/${k.resource}`) ?? []);
  }

  /** The periods of a statistics answer: of its range, period and zone, which were checked when it was computed. */
  periods(statistics: Pick<UsageStatistics, 'from' | 'to' | 'period' | 'timeZone'>): Promise<{ start: Date; end: Date }[]> {
    return this.usage.periods(statistics);
  }

  private async run(q: StatisticsQuery): Promise<{ rows: UsageStatisticsRow[]; aggregatedFrom: string | null }> {
    const rows = await this.repository.aggregate(q);
    return { rows: rows.map((row) => fromDbStatisticsRow(row, q.groupByMetadata)), aggregatedFrom: rows[0]?.source ?? null };
  }
}
