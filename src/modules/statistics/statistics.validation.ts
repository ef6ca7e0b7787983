import { checkTimeRange } from '../../common/time-range';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import type { Path, Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { estimatePeriods, type PeriodSpec } from '../usage/usage.calendar';
import { checkUsageFilter } from '../usage/usage-filter';
import type { GroupBy, UsageStatisticsInput } from './statistics.types';

const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_METADATA_KEYS = 10;
const MAX_PERIOD_SIZE = 10_000;

/** What checking a statistics input asks the database, and the limit of periods one answer may hold. */
export interface StatisticsChecks {
  maxPeriods: number;
  zones: Pick<TimeZones, 'check'>;
  catalog: Pick<CatalogService, 'meterIds'>;
  /** Those of the metrics that some record the caller may see has. */
  knownMetrics(metrics: readonly string[]): Promise<Set<string>>;
}

/** A statistics input whose every rule holds, with its defaults filled in. */
export interface CheckedStatisticsInput {
  /** The ids of the meters asked; null when metrics were asked instead. */
  meterIds: number[] | null;
  /** The metrics asked, each once; null when meters were asked instead. */
  metrics: string[] | null;
  groupBy: GroupBy[];
  groupByMetadata: string[];
  period: PeriodSpec | null;
  timeZone: string;
  prorate: boolean;
}

/**
 * Checks a usageStatistics input against every rule, adding each problem at its path: meters or
 * metrics (one of them), [from, to), the filter, a zone both meterql and its database know, the
 * period's size and how many periods [from, to) holds, the metadata keys, and that each meter is
 * defined and each metric recorded.
 */
export async function checkStatisticsInput(
  input: UsageStatisticsInput,
  problems: Problems,
  checks: StatisticsChecks,
  path: Path = ['input'],
): Promise<CheckedStatisticsInput> {
  const at = (...rest: (string | number)[]) => [...path, ...rest];
  const meters = input.meters ?? [];
  const metrics = input.metrics ?? [];
  if (meters.length > 0 === metrics.length > 0) {
    problems.add(at('meters'), 'give a non-empty list of meters, or of metrics, but not both: sums across meters mean nothing');
  }
  checkTimeRange(input, problems, path);
  checkUsageFilter(input.filter, problems, at('filter'));
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  await checks.zones.check(timeZone, problems, at('timeZone'));
  let period: PeriodSpec | null = null;
  if (input.period) {
    period = { unit: input.period.unit, size: input.period.size ?? 1 };
    if (!Number.isInteger(period.size) || period.size < 1 || period.size > MAX_PERIOD_SIZE) {
      problems.add(at('period', 'size'), `must be a whole number from 1 to ${MAX_PERIOD_SIZE}`);
    } else if (input.from < input.to && estimatePeriods(input.from, input.to, period) > checks.maxPeriods) {
      problems.add(
        at('period'),
        `[from, to) holds more than ${checks.maxPeriods} periods of ${period.size} ${period.unit}; use longer periods or a shorter range`,
      );
    }
  }
  const groupByMetadata = input.groupByMetadata ?? [];
  if (groupByMetadata.length > MAX_METADATA_KEYS) problems.add(at('groupByMetadata'), `at most ${MAX_METADATA_KEYS} keys`);
  groupByMetadata.forEach((key, i) => {
    if (!METADATA_KEY.test(key)) problems.add(at('groupByMetadata', i), `"${key}" is not a plain identifier (letters, digits and _)`);
  });
  const meterIds = meters.length > 0 ? await checks.catalog.meterIds(meters, problems, at('meters')) : null;
  if (metrics.length > 0) {
    const known = await checks.knownMetrics(metrics);
    metrics.forEach((m, i) => {
      if (!known.has(m)) problems.add(at('metrics', i), `no record has the metric "${m}"`);
    });
  }
  return {
    meterIds,
    metrics: metrics.length > 0 ? [...new Set(metrics)] : null,
    groupBy: [...new Set(input.groupBy ?? [])],
    groupByMetadata,
    period,
    timeZone,
    prorate: input.prorate ?? false,
  };
}

/** The keys of the Resource.usage loader: each a range [from, to) whose `to` is after its `from`. */
export function checkResourceUsageKeys(keys: readonly { from: Date; to: Date }[], problems: Problems): void {
  for (const key of keys) checkTimeRange(key, problems, []);
}
