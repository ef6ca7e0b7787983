import { ident, sql, type Sql } from '../../common/sql';
import { CALENDAR, PeriodUnit, SUB_DAY_UNITS, type PeriodSpec } from './usage.calendar';

/** The zone of the hour rollups: a UTC hour is a local hour of every zone with a whole-hour offset. */
export const HOUR_ROLLUP_ZONE = 'UTC';

/**
 * The period boundaries as one sorted array of instants: from, every period start strictly
 * inside (from, to), and to. Period k is [b[k], b[k+1]), so the first and last periods are
 * clipped to the range, and width_bucket(t, b) finds the period of an instant by binary search.
 *
 * Calendar units step through local dates and convert each local start to an instant, so a day
 * in Europe/Berlin is 23 or 25 hours long at DST changes. Sub-day units follow the wall clock
 * from each local midnight: a boundary is every instant whose local time reads a multiple of
 * the size. The hour repeated in autumn is read twice, so that day has 25 hourly periods; the
 * hour skipped in spring is never read, so that day has 23; six-hour periods stay at 00:00,
 * 06:00, 12:00 and 18:00, the first of them 7 hours long in autumn.
 */
export function boundariesSql(q: { period: PeriodSpec | null }, from: Sql, to: Sql, zone: () => Sql): Sql {
  if (!q.period) return sql`SELECT ARRAY[${from}, ${to}] AS b`;
  const tz = zone();
  const size = sql`${q.period.size}::int`;
  let starts: Sql;
  if (SUB_DAY_UNITS.has(q.period.unit)) {
    const step = q.period.unit === PeriodUnit.HOUR ? ident("interval '1 hour'") : ident("interval '1 minute'");
    // Each wall-clock time w, and the instants an hour either side of PostgreSQL's reading of
    // it, of which those whose local time is w (none, one, or two) are boundaries.
    starts = sql`SELECT c
              FROM generate_series(date_trunc('day', ${from} AT TIME ZONE ${tz}), ${to} AT TIME ZONE ${tz}, interval '1 day') AS d
              CROSS JOIN LATERAL generate_series(d, d + interval '1 day' - interval '1 microsecond', ${size} * ${step}) AS w
              CROSS JOIN LATERAL unnest(ARRAY[(w AT TIME ZONE ${tz}) - interval '1 hour', w AT TIME ZONE ${tz},
                                              (w AT TIME ZONE ${tz}) + interval '1 hour']) AS c
              WHERE c AT TIME ZONE ${tz} = w`;
  } else {
    const unit = CALENDAR[q.period.unit as keyof typeof CALENDAR];
    starts = sql`SELECT l AT TIME ZONE ${tz}
              FROM generate_series(date_trunc(${ident(`'${unit.trunc}'`)}, ${from} AT TIME ZONE ${tz}), ${to} AT TIME ZONE ${tz},
                                   ${size} * ${ident(`interval '${unit.step}'`)}) AS l`;
  }
  return sql`SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT ${from} AS x UNION SELECT ${to} UNION ${starts}) AS s
          WHERE x >= ${from} AND x <= ${to}`;
}

/**
 * The conditions on usage_events `e` of the records that overlap [from, to) (or, without an end,
 * start in it). Such a record started no earlier than from minus the longest record of its meter
 * (record_durations): that bound lets the index on start_time skip all before it.
 */
export function overlappingSql(from: string, to: string, meters: string | null): string[] {
  // No record starts before year 1 (the DateTime scalar's bound), and reaching back further
  // would leave PostgreSQL's timestamps: a record from year 1 to 9999 would make every query fail.
  const longest = `(SELECT least(coalesce(max(max_seconds), 0), extract(epoch FROM ${from} - timestamptz '0001-01-01 00:00:00+00'))
                    FROM record_durations${meters ? ` WHERE meter_id = ANY(${meters})` : ''})`;
  return [
    `e.start_time < ${to}`,
    `e.start_time >= ${from} - make_interval(secs => ${longest})`,
    `(e.start_time >= ${from} OR e.end_time > ${from})`,
  ];
}

/** The numbers k of the periods [bounds.b[k], bounds.b[k+1]) that record `e` overlaps within [from, to); a record without duration: its start's. */
export function overlappedBucketsSql(from: string, to: string): string {
  return `generate_series(
          width_bucket(greatest(e.start_time, ${from}), bounds.b),
          CASE WHEN e.end_time > e.start_time
               THEN width_bucket(least(e.end_time, ${to}) - interval '1 microsecond', bounds.b)
               ELSE width_bucket(e.start_time, bounds.b) END)`;
}

/** The zone of the hour rollups as an SQL literal, for statements written as fragments. */
export const HOUR_ROLLUP_ZONE_SQL = ident(`'${HOUR_ROLLUP_ZONE}'`);

/**
 * The weighted volume (volume x contingent factor, in numeric: an exact decimal sum) of the
 * records of a project and meter (and compute project, unless that expression is NULL) that
 * started in [from, to), as one scalar expression; each argument is an SQL expression. Whole UTC
 * hours are read from the hour rollups, but those still dirty; the partial hours at either end
 * and the dirty ones from events: the same sum, from thousands of rows instead of millions.
 */
export function weightedSumSql(s: { project: Sql; meter: Sql; computeProject: Sql; from: Sql; to: Sql }): Sql {
  const ofRecord = (t: Sql) =>
    sql`${t}.project_id = ${s.project} AND ${t}.meter_id = ${s.meter} AND (${s.computeProject} IS NULL OR ${t}.compute_project_id = ${s.computeProject})`;
  return sql`(SELECT coalesce((
                  SELECT sum(r.weighted_sum) FROM usage_rollups r
                  WHERE r.grain = 'hour' AND r.time_zone = ${HOUR_ROLLUP_ZONE_SQL} AND ${ofRecord(ident('r'))}
                    AND r.bucket_start >= w.lo AND r.bucket_start < w.hi
                    AND NOT EXISTS (SELECT 1 FROM usage_rollup_dirty d
                                    WHERE d.project_id = r.project_id AND d.meter_id = r.meter_id AND d.hour = r.bucket_start)), 0)
              + coalesce((
                  SELECT sum(e.volume::numeric * e.contingent_factor::numeric) FROM usage_events e
                  WHERE ${ofRecord(ident('e'))}
                    AND ((e.start_time >= ${s.from} AND e.start_time < least(w.lo, ${s.to}))
                         OR (e.start_time >= w.hi AND e.start_time < ${s.to}))), 0)
              + coalesce((
                  SELECT sum(e.volume::numeric * e.contingent_factor::numeric)
                  FROM usage_rollup_dirty d
                  JOIN usage_events e ON e.project_id = d.project_id AND e.meter_id = d.meter_id
                                     AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
                  WHERE d.project_id = ${s.project} AND d.meter_id = ${s.meter} AND d.hour >= w.lo AND d.hour < w.hi
                    AND (${s.computeProject} IS NULL OR e.compute_project_id = ${s.computeProject})), 0)
           FROM (SELECT w0.lo, greatest(date_trunc('hour', ${s.to}), w0.lo) AS hi
                 FROM (SELECT date_trunc('hour', ${s.from})
                              + CASE WHEN date_trunc('hour', ${s.from}) < ${s.from} THEN interval '1 hour' ELSE interval '0' END AS lo) AS w0) AS w)`;
}
