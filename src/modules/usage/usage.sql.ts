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

/**
 * The numbers (column `bucket`) of the periods [bounds.b[k], bounds.b[k+1]) that record `e`
 * overlaps within [from, to); a record without duration: its start's. A lateral subquery: the
 * periods are unnested from the slice of bounds they span, which PostgreSQL expects to be ten rows
 * a record rather than generate_series' thousand; a thousandfold estimate made plans of a few
 * milliseconds look costly enough to compile (JIT), which took longer than running them.
 */
export function overlappedBucketsSql(from: string, to: string): string {
  return `(SELECT w.lo + u.n - 1 AS bucket
          FROM (SELECT width_bucket(greatest(e.start_time, ${from}), bounds.b) AS lo,
                       CASE WHEN e.end_time > e.start_time
                            THEN width_bucket(least(e.end_time, ${to}) - interval '1 microsecond', bounds.b)
                            ELSE width_bucket(e.start_time, bounds.b) END AS hi) AS w
          CROSS JOIN LATERAL unnest(bounds.b[w.lo:w.hi]) WITH ORDINALITY AS u(start, n))`;
}

/** The zone of the hour rollups as an SQL literal, for statements written as fragments. */
export const HOUR_ROLLUP_ZONE_SQL = ident(`'${HOUR_ROLLUP_ZONE}'`);

type UtcUnit = 'hour' | 'day' | 'month';
/** UTC calendar arithmetic on instants, whatever the session's zone: a unit's start, the next one, the first start at or after. */
const utc = {
  trunc: (unit: UtcUnit, x: Sql) => sql`date_trunc(${ident(`'${unit}'`)}, ${x}, 'UTC')`,
  next: (unit: UtcUnit, x: Sql) => sql`((${x} AT TIME ZONE 'UTC') + ${ident(`interval '1 ${unit}'`)}) AT TIME ZONE 'UTC'`,
  ceil: (unit: UtcUnit, x: Sql) => sql`CASE WHEN ${utc.trunc(unit, x)} < ${x} THEN ${utc.next(unit, utc.trunc(unit, x))} ELSE ${x} END`,
};

/**
 * The weighted volume (volume x contingent factor, in numeric: an exact decimal sum) of the
 * records of a project and meter (and compute project, unless that expression is NULL) that
 * started in [from, to), as one scalar expression; each argument is an SQL expression.
 *
 * Rollups answer what they can, coarsest first: the whole UTC months inside the whole hours of
 * [from, to), the whole UTC days beside them, and the whole hours beside those (days and months
 * only while the UTC zone's rollups are built, see usage_rollup_zones). A year is then a dozen
 * month rollups and a few dozen day and hour rollups instead of 8,000 hour rollups. A bucket
 * holding a dirty hour of the project and meter is read one grain finer instead (a month by its
 * days, a day by its hours), a dirty hour from events, and so are the partial hours at either
 * end: the same exact sum as from the records.
 */
export function weightedSumSql(s: { project: Sql; meter: Sql; computeProject: Sql; from: Sql; to: Sql }): Sql {
  const ofRecord = (t: Sql) =>
    sql`${t}.project_id = ${s.project} AND ${t}.meter_id = ${s.meter} AND (${s.computeProject} IS NULL OR ${t}.compute_project_id = ${s.computeProject})`;
  const dHour = ident('d.hour');
  // The buckets one grain finer than a dirty bucket: the days of each dirty month, the hours of each dirty day.
  const finer = (unit: 'month' | 'day', grain: 'day' | 'hour', lo: Sql, hi: Sql) =>
    sql`SELECT DISTINCT ${ident(`'${grain}'`)}, ${utc.trunc(unit, dHour)}, ${utc.next(unit, utc.trunc(unit, dHour))}
                     FROM usage_rollup_dirty d
                     WHERE d.project_id = ${s.project} AND d.meter_id = ${s.meter} AND d.hour >= ${lo} AND d.hour < ${hi}`;
  const [lo, hi] = [ident('w0.lo'), ident('w1.hi')];
  const [dLo, dHi, mLo, mHi] = [ident('wd.lo'), ident('wd.hi'), ident('wm.lo'), ident('wm.hi')];
  return sql`(SELECT coalesce((
                  SELECT sum(r.weighted_sum)
                  FROM (VALUES ('month', ${mLo}, ${mHi}), ('day', ${dLo}, ${mLo}), ('day', ${mHi}, ${dHi}), ('hour', ${lo}, ${dLo}), ('hour', ${dHi}, ${hi})
                        UNION ALL ${finer('month', 'day', mLo, mHi)}
                        UNION ALL ${finer('day', 'hour', dLo, dHi)}) AS sp(grain, lo, hi)
                  JOIN usage_rollups r ON r.grain = sp.grain AND r.time_zone = ${HOUR_ROLLUP_ZONE_SQL} AND ${ofRecord(ident('r'))}
                                      AND r.bucket_start >= sp.lo AND r.bucket_start < sp.hi
                  WHERE NOT EXISTS (SELECT 1 FROM usage_rollup_dirty d
                                    WHERE d.project_id = r.project_id AND d.meter_id = r.meter_id AND d.hour >= r.bucket_start
                                      AND d.hour < ((r.bucket_start AT TIME ZONE 'UTC')
                                                    + CASE r.grain WHEN 'month' THEN interval '1 month' WHEN 'day' THEN interval '1 day'
                                                                   ELSE interval '1 hour' END) AT TIME ZONE 'UTC')), 0)
              + coalesce((
                  SELECT sum(e.volume::numeric * e.contingent_factor::numeric) FROM usage_events e
                  WHERE ${ofRecord(ident('e'))}
                    AND ((e.start_time >= ${s.from} AND e.start_time < least(${lo}, ${s.to}))
                         OR (e.start_time >= ${hi} AND e.start_time < ${s.to}))), 0)
              + coalesce((
                  SELECT sum(e.volume::numeric * e.contingent_factor::numeric)
                  FROM usage_rollup_dirty d
                  JOIN usage_events e ON e.project_id = d.project_id AND e.meter_id = d.meter_id
                                     AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
                  WHERE d.project_id = ${s.project} AND d.meter_id = ${s.meter} AND d.hour >= ${lo} AND d.hour < ${hi}
                    AND (${s.computeProject} IS NULL OR e.compute_project_id = ${s.computeProject})), 0)
           -- Each bound computed once (OFFSET 0): inlined, each would repeat the expressions of those
           -- it is computed from, and planning the statement took 20 ms.
           FROM (SELECT ${utc.ceil('hour', s.from)} AS lo OFFSET 0) AS w0
           CROSS JOIN LATERAL (SELECT greatest(${utc.trunc('hour', s.to)}, w0.lo) AS hi OFFSET 0) AS w1
           CROSS JOIN LATERAL (SELECT ${utc.ceil('day', lo)} AS lo, ${utc.trunc('day', hi)} AS hi OFFSET 0) AS dd
           CROSS JOIN LATERAL (
             SELECT CASE WHEN days THEN dd.lo ELSE ${hi} END AS lo, CASE WHEN days THEN dd.hi ELSE ${hi} END AS hi
             FROM (SELECT dd.lo < dd.hi AND EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = ${HOUR_ROLLUP_ZONE_SQL}) AS days) AS z
             OFFSET 0) AS wd
           CROSS JOIN LATERAL (SELECT ${utc.ceil('month', dLo)} AS lo, ${utc.trunc('month', dHi)} AS hi OFFSET 0) AS mm
           CROSS JOIN LATERAL (SELECT CASE WHEN mm.lo < mm.hi THEN mm.lo ELSE ${dHi} END AS lo,
                                      CASE WHEN mm.lo < mm.hi THEN mm.hi ELSE ${dHi} END AS hi OFFSET 0) AS wm)`;
}
