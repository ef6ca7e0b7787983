/**
 * The composable aggregates of usage: what rollups store and what every statistics row is
 * computed from, whether it reads events or rollups. Each composes by sum (or min, max), so a
 * day's rollup is exactly its hours', and the outer query turns them into avg, stddev and
 * durationAvg by one formula for both paths: the same inputs give the same numbers.
 */
import { ident, sql, type Sql } from '../../common/sql';

/** Aggregates of usage_events `e`; v is the volume (numeric), factor the contingent factor, duration in seconds. */
export function eventAggregates(v: Sql, factor: Sql, duration: Sql, minMax: Sql): Sql {
  return sql`count(*) AS count, sum(e.operation_count) AS operations,
         sum(${v}) AS sum, sum(${v} * ${v}) AS sum_squares,
         min(${minMax})::float8 AS min, max(${minMax})::float8 AS max,
         sum(${v} * ${factor}::numeric) AS weighted_sum,
         sum(${duration}) AS duration_sum, count(${duration}) AS duration_count`;
}

/**
 * The same aggregates in two steps, for records counted whole: the inner step groups the records
 * of each row by their distinct volume, factor and duration (float8 keys, cheap to hash or sort,
 * so they come first in its GROUP BY) and
 * converts each distinct value to numeric once; the outer step multiplies by how many records
 * had it. The sums are exactly those of eventAggregates (a numeric product by a count is exact),
 * but the float8 -> numeric conversions, most of the time of an exact sum, happen once per
 * distinct value instead of seven times a record: metering repeats values (a VM's samples, a
 * job's core count), so a month of cpu.hours has 1,264 distinct volumes in 20,677 records.
 */
export function distinctValueAggregates(volume: Sql, factor: Sql, duration: Sql): { inner: Sql; innerKeys: Sql; outer: Sql } {
  return {
    inner: sql`${volume}::numeric AS v, ${factor}::numeric AS f, ${duration}::numeric AS d,
         count(*) AS n, count(${duration}) AS dn, sum(e.operation_count) AS operations, min(${volume}) AS min, max(${volume}) AS max`,
    innerKeys: sql`${volume}, ${factor}, ${duration}`,
    outer: sql`sum(x.n)::bigint AS count, sum(x.operations)::bigint AS operations,
         sum(x.v * x.n) AS sum, sum(x.v * x.v * x.n) AS sum_squares,
         min(x.min)::float8 AS min, max(x.max)::float8 AS max,
         sum(x.v * x.f * x.n) AS weighted_sum,
         sum(x.d * x.dn) AS duration_sum, sum(x.dn)::bigint AS duration_count`,
  };
}

/** Usage events' aggregates as rollups store them. */
export const EVENT_ROLLUP_AGGREGATES = eventAggregates(
  ident('e.volume::numeric'),
  ident('e.contingent_factor'),
  ident('e.duration::numeric'),
  ident('e.volume'),
);

/** Aggregates of rollups `e`, composed. */
export const ROLLUP_AGGREGATES = sql`sum(e.count) AS count, sum(e.operations) AS operations,
         sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
         min(e.min) AS min, max(e.max) AS max,
         sum(e.weighted_sum) AS weighted_sum,
         sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count`;

/** The dimensions rollups keep (every one but the resource), as columns of `e`. */
export const ROLLUP_DIMENSIONS = ['project_id', 'compute_project_id', 'user_id', 'source_id', 'partition', 'priority'] as const;
