import { normalizeDecimal } from '../../common/scalars';
import type { UsageStatisticsRow } from './statistics.types';

/** A row as PostgreSQL returns it: numeric and bigint arrive as strings. */
export interface DbStatisticsRow {
  meter: string | null;
  unit: string | null;
  metric: string | null;
  component: string | null;
  g_user?: string | null;
  g_project?: string | null;
  g_compute_project?: string | null;
  g_source?: string | null;
  g_resource?: string | null;
  g_partition?: string | null;
  g_priority?: string | null;
  [metadata: `md_${number}`]: unknown;
  /** Milliseconds since the epoch. */
  period_start: number;
  period_end: number;
  // The measures: a statement asked for some of them returns only those (MEASURES, statistics.types.ts).
  count?: string;
  operations?: string;
  sum?: string;
  avg?: string;
  min?: string;
  max?: string;
  stddev?: string;
  weighted_sum?: string;
  duration_sum?: string | null;
  duration_avg?: string | null;
  source: string;
  cost?: string | null;
  weighted_cost?: string | null;
  unpriced_volume?: string | null;
  unpriced_count?: string | null;
  currency?: string | null;
  cards?: string | null;
}

const numberOrNull = (value: string | null | undefined) => (value == null ? null : Number(value));
/** A measure the statement did not return is one the query did not ask for: it is never read. */
const measure = (value: string | undefined) => (value === undefined ? NaN : Number(value));

export function fromDbStatisticsRow(row: DbStatisticsRow, metadataKeys: readonly string[]): UsageStatisticsRow {
  return {
    meter: row.meter,
    unit: row.unit,
    metric: row.metric,
    component: row.component,
    user: row.g_user ?? null,
    project: row.g_project ?? null,
    computeProject: row.g_compute_project ?? null,
    source: row.g_source ?? null,
    resource: row.g_resource ?? null,
    partition: row.g_partition ?? null,
    priority: row.g_priority ?? null,
    metadata: metadataKeys.length === 0 ? null : Object.fromEntries(metadataKeys.map((key, i) => [key, row[`md_${i}`] ?? null])),
    periodStart: new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    count: measure(row.count),
    operations: measure(row.operations),
    sum: measure(row.sum),
    avg: measure(row.avg),
    min: measure(row.min),
    max: measure(row.max),
    stddev: measure(row.stddev),
    weightedSum: measure(row.weighted_sum),
    durationSum: numberOrNull(row.duration_sum),
    durationAvg: numberOrNull(row.duration_avg),
    cost: row.cost == null ? null : normalizeDecimal(row.cost),
    weightedCost: row.weighted_cost == null ? null : normalizeDecimal(row.weighted_cost),
    currency: row.currency ?? null,
    unpricedVolume: numberOrNull(row.unpriced_volume ?? null),
    unpricedCount: numberOrNull(row.unpriced_count ?? null),
    priceIds: row.cards ? [...new Set(row.cards.split(','))].sort((a, b) => Number(a) - Number(b)) : [],
  };
}
