import { checkTimeRange } from '../../common/time-range';
import { Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { visibleProjects, type Caller } from '../auth/auth.types';
import { checkUsageFilter } from '../usage/usage-filter';
import { fromDbStatisticsRow } from './statistics.mapping';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import { estimatePeriods, type PeriodSpec } from '../usage/usage.calendar';
import type { UsageRepository } from '../usage/usage.repository';
import type { StatisticsRepository } from './statistics.repository';
import type { StatisticsQuery } from './statistics.sql';
import { GroupBy, type UsageStatistics, type UsageStatisticsInput, type UsageStatisticsRow } from './statistics.types';

const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_METADATA_KEYS = 10;
const MAX_PERIOD_SIZE = 10_000;

export class StatisticsService {
  constructor(
    private readonly repository: StatisticsRepository,
    private readonly catalog: CatalogService,
    private readonly zones: TimeZones,
    private readonly usage: UsageRepository,
    private readonly options: { maxPeriods: number; rollups: boolean },
  ) {}

  async statistics(caller: Caller, input: UsageStatisticsInput, options: { cost: boolean } = { cost: false }): Promise<UsageStatistics> {
    const problems = new Problems();
    const at = (...path: (string | number)[]) => ['input', ...path];
    const meters = input.meters ?? [];
    const metrics = input.metrics ?? [];
    if ((meters.length > 0) === (metrics.length > 0)) {
      problems.add(at('meters'), 'give a non-empty list of meters, or of metrics, but not both: sums across meters mean nothing');
    }
    checkTimeRange(input, problems, ['input']);
    checkUsageFilter(input.filter, problems, at('filter'));
    const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
    await this.zones.check(timeZone, problems, at('timeZone'));
    let period: PeriodSpec | null = null;
    if (input.period) {
      period = { unit: input.period.unit, size: input.period.size ?? 1 };
      if (!Number.isInteger(period.size) || period.size < 1 || period.size > MAX_PERIOD_SIZE) {
        problems.add(at('period', 'size'), `must be a whole number from 1 to ${MAX_PERIOD_SIZE}`);
      } else if (input.from < input.to && estimatePeriods(input.from, input.to, period) > this.options.maxPeriods) {
        problems.add(at('period'), `[from, to) holds more than ${this.options.maxPeriods} periods of ${period.size} ${period.unit}; use longer periods or a shorter range`);
      }
    }
    const metadataKeys = input.groupByMetadata ?? [];
    if (metadataKeys.length > MAX_METADATA_KEYS) problems.add(at('groupByMetadata'), `at most ${MAX_METADATA_KEYS} keys`);
    metadataKeys.forEach((key, i) => {
      if (!METADATA_KEY.test(key)) problems.add(at('groupByMetadata', i), `"${key}" is not a plain identifier (letters, digits and _)`);
    });
    const meterIds = meters.length > 0 ? await this.catalog.meterIds(meters, problems, at('meters')) : null;
    const filter = { ...input.filter, projects: visibleProjects(input.filter?.projects, caller) };
    if (metrics.length > 0) {
      const known = await this.repository.knownMetrics(metrics, filter.projects);
      metrics.forEach((m, i) => {
        if (!known.has(m)) problems.add(at('metrics', i), `no record has the metric "${m}"`);
      });
    }
    problems.throwIfAny();

    const { rows, aggregatedFrom } = await this.run({
      meterIds,
      metrics: metrics.length > 0 ? [...new Set(metrics)] : null,
      from: input.from,
      to: input.to,
      filter,
      groupBy: [...new Set(input.groupBy ?? [])],
      groupByMetadata: metadataKeys,
      period,
      timeZone,
      prorate: input.prorate ?? false,
      rollups: this.options.rollups,
      cost: options.cost,
    });
    return { from: input.from, to: input.to, timeZone, period, prorate: input.prorate ?? false, aggregatedFrom, rows };
  }

  /**
   * For the Resource.usage loader: per-meter statistics of each resource over [from, to), one
   * statement for all the resources asked with the same range.
   */
  async resourceUsage(caller: Caller, keys: readonly { resource: string; from: Date; to: Date; prorate: boolean; cost: boolean }[]): Promise<UsageStatisticsRow[][]> {
    const problems = new Problems();
    for (const key of keys) checkTimeRange(key, problems, []);
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
