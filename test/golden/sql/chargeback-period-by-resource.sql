-- chargeback-period-by-resource: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT l AT TIME ZONE $3::text
              FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text,
                                   $6::int * interval '1 day') AS l) AS s
          WHERE x >= $1::timestamptz AND x <= $2::timestamptz),
chosen AS (SELECT id FROM projects WHERE $4::text[] IS NULL OR name = ANY($4::text[])),
segments AS MATERIALIZED (SELECT k.meter_id, k.scope, cut.s, cut.t, c.id AS card, c.unit_price, c.currency
          FROM (SELECT m.id AS meter_id, ARRAY[pa.partition, pr.priority] AS scope
          FROM meters m CROSS JOIN LATERAL (SELECT NULL::text AS partition UNION SELECT pc.partition FROM price_cards pc WHERE pc.meter_id = m.id AND pc.partition IS NOT NULL) AS pa CROSS JOIN LATERAL (SELECT NULL::text AS priority UNION SELECT pc.priority FROM price_cards pc WHERE pc.meter_id = m.id AND pc.priority IS NOT NULL) AS pr
          WHERE m.id = ANY($5::int[])) AS k
          CROSS JOIN LATERAL (SELECT x AS s, lead(x) OVER (ORDER BY x) AS t
                FROM (SELECT timestamptz '-infinity' AS x UNION SELECT timestamptz 'infinity'
                      UNION SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
                            WHERE pc.meter_id = k.meter_id AND (pc.partition IS NULL OR pc.partition = k.scope[1]) AND (pc.priority IS NULL OR pc.priority = k.scope[2]) AND v.x IS NOT NULL) AS xs) AS cut
          LEFT JOIN LATERAL (SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE pc.meter_id = k.meter_id AND (pc.partition IS NULL OR pc.partition = k.scope[1]) AND (pc.priority IS NULL OR pc.priority = k.scope[2]) AND pc.valid_from <= cut.s AND (pc.valid_to IS NULL OR pc.valid_to > cut.s)
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1) AS c ON true
          WHERE cut.t IS NOT NULL),
-- Each record's part in each day it overlaps, cut again by its cards' segments: pricedPartsSql's
-- parts, found by one hash join instead of sorting each record's cuts alone.
usage_lines AS (
  SELECT p.project_id, p.resource_id, p.bucket, g.currency,
         extract(epoch FROM sum(least(p.z, g.t) - greatest(p.a, g.s)) FILTER (WHERE p.whole IS NOT NULL)) AS seconds,
         -- A part that is its whole record (or one without duration) costs volume x price exactly,
         -- which is what the quotient would give.
         sum(CASE WHEN p.whole IS NULL OR least(p.z, g.t) - greatest(p.a, g.s) = p.whole THEN p.volume::numeric * g.unit_price
                  ELSE (p.volume::numeric * g.unit_price * extract(epoch FROM least(p.z, g.t) - greatest(p.a, g.s)) + 0.000000000000000000000000) / extract(epoch FROM p.whole) END) AS cost
  FROM (
    SELECT e.project_id, e.resource_id, e.meter_id, ARRAY[np.partition, nq.priority] AS scope, e.volume, i.bucket,
           greatest(e.start_time, bounds.b[i.bucket]) AS a,
           CASE WHEN e.end_time > e.start_time THEN least(e.end_time, bounds.b[i.bucket + 1])
                ELSE greatest(e.start_time, bounds.b[i.bucket]) + interval '1 microsecond' END AS z,
           CASE WHEN e.end_time > e.start_time THEN e.end_time - e.start_time END AS whole
    FROM usage_events e CROSS JOIN bounds
    CROSS JOIN LATERAL (SELECT w.lo + u.n - 1 AS bucket
          FROM (SELECT width_bucket(greatest(e.start_time, $1::timestamptz), bounds.b) AS lo,
                       CASE WHEN e.end_time > e.start_time
                            THEN width_bucket(least(e.end_time, $2::timestamptz) - interval '1 microsecond', bounds.b)
                            ELSE width_bucket(e.start_time, bounds.b) END AS hi) AS w
          CROSS JOIN LATERAL unnest(bounds.b[w.lo:w.hi]) WITH ORDINALITY AS u(start, n)) AS i
    LEFT JOIN (SELECT DISTINCT meter_id, partition FROM price_cards WHERE partition IS NOT NULL OFFSET 0) AS np
              ON np.meter_id = e.meter_id AND np.partition = e.partition
            LEFT JOIN (SELECT DISTINCT meter_id, priority FROM price_cards WHERE priority IS NOT NULL OFFSET 0) AS nq
              ON nq.meter_id = e.meter_id AND nq.priority = e.priority
    WHERE e.project_id IN (SELECT id FROM chosen)
      AND e.meter_id = ANY($5::int[])
      AND e.start_time < $2::timestamptz
      AND e.start_time >= $1::timestamptz - make_interval(secs => (SELECT least(coalesce(max(max_seconds), 0), extract(epoch FROM $1::timestamptz - timestamptz '0001-01-01 00:00:00+00'))
                    FROM record_durations WHERE meter_id = ANY($5::int[])))
      AND (e.start_time >= $1::timestamptz OR e.end_time > $1::timestamptz)
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
  CROSS JOIN LATERAL (SELECT date_trunc(CASE fc.per WHEN 'DAY' THEN 'day' ELSE 'month' END, bounds.b[k] AT TIME ZONE $3::text) AS local_start) AS l
  CROSS JOIN LATERAL (SELECT l.local_start AT TIME ZONE $3::text AS unit_start,
                             extract(epoch FROM (l.local_start + CASE fc.per WHEN 'DAY' THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE $3::text
                                                - l.local_start AT TIME ZONE $3::text) AS seconds) AS u
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
       min($1::timestamptz) AS period_start, min($2::timestamptz) AS period_end,
       l.currency, sum(l.minutes) AS allocation_minutes,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.allocation_cost), 0) END AS allocation_cost,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.fixed_cost), 0) END AS fixed_cost,
       CASE WHEN l.currency IS NOT NULL THEN coalesce(sum(l.allocation_cost), 0) + coalesce(sum(l.fixed_cost), 0) END AS total
FROM lines l CROSS JOIN bounds
JOIN projects pr ON pr.id = l.project_id
LEFT JOIN resources r ON r.id = l.resource_id
GROUP BY pr.name, r.external_id, l.currency
-- Unpriced usage without allocation time (instantaneous records no card prices) would be a row
-- of a zero and nulls: it is left out.
HAVING l.currency IS NOT NULL OR sum(l.minutes) <> 0
ORDER BY pr.name, r.external_id NULLS FIRST, 3, l.currency NULLS LAST;
