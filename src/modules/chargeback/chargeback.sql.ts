import { bind, sql, SqlParams } from '../../common/sql';
import { cardScopesSql, cardSegmentsSql, quotientSql, recordScopeJoinsSql } from '../pricing/pricing.sql';
import { PeriodUnit } from '../usage/usage.calendar';
import { boundariesSql, overlappedBucketsSql, overlappingSql } from '../usage/usage.sql';

export interface ChargebackQuery {
  /** Project names; null: every project. */
  projects: string[] | null;
  meterIds: number[] | null;
  from: Date;
  to: Date;
  timeZone: string;
  daily: boolean;
  detail: boolean;
}

/**
 * The report in one statement. Everything is first computed per project, resource, day and
 * currency (the lines), rounded there, and only then added up: a PERIOD row is the exact sum of
 * the DAILY rows, and a project's row the exact sum of its resources'. A fixed cost's share of a
 * day is the difference of its rounded accrual since the start of its month (or day) at the
 * day's end and at its start, so the days of a whole month add up to the monthly amount exactly.
 */
export function chargebackSql(q: ChargebackQuery): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const fromSql = sql`${bind(q.from)}::timestamptz`;
  const toSql = sql`${bind(q.to)}::timestamptz`;
  const tzSql = sql`${bind(q.timeZone)}::text`;
  const from = p.sql(fromSql);
  const to = p.sql(toSql);
  const tz = p.sql(tzSql);
  const names = `${p.add(q.projects)}::text[]`;
  const projects = `SELECT id FROM projects WHERE ${names} IS NULL OR name = ANY(${names})`;
  const meters = q.meterIds ? `${p.add(q.meterIds)}::int[]` : null;
  const bounds = p.sql(boundariesSql({ period: { unit: PeriodUnit.DAY, size: 1 } }, fromSql, toSql, () => tzSql));
  const resource = q.detail ? 'l.resource_id' : 'NULL::int';
  const scope = recordScopeJoinsSql('e');
  const span = 'least(p.z, g.t) - greatest(p.a, g.s)';
  const keys = ['l.project_id', resource, ...(q.daily ? ['l.bucket'] : []), 'l.currency'];

  const text = `WITH bounds AS (${bounds}),
chosen AS (${projects}),
segments AS MATERIALIZED (${cardSegmentsSql(cardScopesSql(meters))}),
-- Each record's part in each day it overlaps, cut again by its cards' segments: pricedPartsSql's
-- parts, found by one hash join instead of sorting each record's cuts alone.
usage_lines AS (
  SELECT p.project_id, p.resource_id, p.bucket, g.currency,
         extract(epoch FROM sum(${span}) FILTER (WHERE p.whole IS NOT NULL)) AS seconds,
         -- A part that is its whole record (or one without duration) costs volume x price exactly,
         -- which is what the quotient would give.
         sum(CASE WHEN p.whole IS NULL OR ${span} = p.whole THEN p.volume::numeric * g.unit_price
                  ELSE ${quotientSql(`p.volume::numeric * g.unit_price * extract(epoch FROM ${span})`, 'extract(epoch FROM p.whole)')} END) AS cost
  FROM (
    SELECT e.project_id, e.resource_id, e.meter_id, ${scope.scope} AS scope, e.volume, i.bucket,
           greatest(e.start_time, bounds.b[i.bucket]) AS a,
           CASE WHEN e.end_time > e.start_time THEN least(e.end_time, bounds.b[i.bucket + 1])
                ELSE greatest(e.start_time, bounds.b[i.bucket]) + interval '1 microsecond' END AS z,
           CASE WHEN e.end_time > e.start_time THEN e.end_time - e.start_time END AS whole
    FROM usage_events e CROSS JOIN bounds
    CROSS JOIN LATERAL ${overlappedBucketsSql(from, to)} AS i
    ${scope.joins}
    WHERE e.project_id IN (SELECT id FROM chosen)
      ${meters ? `AND e.meter_id = ANY(${meters})` : ''}
      AND ${overlappingSql(from, to, meters).join('\n      AND ')}
    -- The pieces first, then the join: joined before the periods were unnested, each record met
    -- every segment of its scope.
    OFFSET 0) AS p
  JOIN segments g ON g.meter_id = p.meter_id AND g.scope = p.scope AND g.s < p.z AND g.t > p.a
  GROUP BY 1, 2, 3, 4
),
fixed_lines AS (
  SELECT fc.project_id, fc.resource_id, k AS bucket, fc.currency,
         sum(round(fc.amount * extract(epoch FROM least(coalesce(fc.valid_to, 'infinity'), bounds.b[k + 1]) - u.unit_start) / u.seconds, 6)
             - round(fc.amount * extract(epoch FROM greatest(fc.valid_from, bounds.b[k]) - u.unit_start) / u.seconds, 6)) AS cost
  FROM fixed_costs fc CROSS JOIN bounds
  CROSS JOIN LATERAL generate_series(1, array_length(bounds.b, 1) - 1) AS k
  CROSS JOIN LATERAL (SELECT date_trunc(CASE fc.per WHEN 'DAY' THEN 'day' ELSE 'month' END, bounds.b[k] AT TIME ZONE ${tz}) AS local_start) AS l
  CROSS JOIN LATERAL (SELECT l.local_start AT TIME ZONE ${tz} AS unit_start,
                             extract(epoch FROM (l.local_start + CASE fc.per WHEN 'DAY' THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE ${tz}
                                                - l.local_start AT TIME ZONE ${tz}) AS seconds) AS u
  WHERE fc.project_id IN (SELECT id FROM chosen)
    AND fc.valid_from < bounds.b[k + 1] AND (fc.valid_to IS NULL OR fc.valid_to > bounds.b[k])
  GROUP BY 1, 2, 3, 4
),
lines AS (
  SELECT project_id, resource_id, bucket, currency,
         round(coalesce(sum(seconds), 0) / 60, 6) AS minutes, round(sum(usage_cost), 6) AS allocation_cost,
         round(sum(fixed_cost), 6) AS fixed_cost
  FROM (SELECT project_id, resource_id, bucket, currency, seconds, cost AS usage_cost, NULL::numeric AS fixed_cost FROM usage_lines
        UNION ALL
        SELECT project_id, resource_id, bucket, currency, NULL, NULL, cost FROM fixed_lines) AS x
  GROUP BY 1, 2, 3, 4
)
SELECT pr.name AS project, r.external_id AS resource,
       ${q.daily ? 'bounds.b[l.bucket] AS period_start, bounds.b[l.bucket + 1] AS period_end' : `min(${from}) AS period_start, min(${to}) AS period_end`},
       l.currency, sum(l.minutes) AS allocation_minutes,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.allocation_cost), 0) END AS allocation_cost,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.fixed_cost), 0) END AS fixed_cost,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.allocation_cost), 0) + coalesce(sum(l.fixed_cost), 0) END AS total
FROM lines l CROSS JOIN bounds
JOIN projects pr ON pr.id = l.project_id
LEFT JOIN resources r ON r.id = ${resource}
GROUP BY pr.name, r.external_id, ${[...keys.slice(2), ...(q.daily ? ['bounds.b'] : [])].join(', ')}
-- Unpriced usage without allocation time (instantaneous records no card prices) would be a row
-- of a zero and nulls: it is left out.
HAVING l.currency IS NOT NULL OR sum(l.minutes) <> 0
ORDER BY pr.name, r.external_id NULLS FIRST, 3, l.currency NULLS LAST`;
  return { text, values: p.values };
}
