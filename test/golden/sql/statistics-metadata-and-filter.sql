-- statistics-metadata-and-filter: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT ARRAY[$1::timestamptz, $2::timestamptz] AS b),
agg AS (
  SELECT x.series, x.bucket, x.md_0,
         sum(x.n)::bigint AS count, sum(x.operations)::bigint AS operations,
         sum(x.v * x.n) AS sum, sum(x.v * x.v * x.n) AS sum_squares,
         min(x.min)::float8 AS min, max(x.max)::float8 AS max,
         sum(x.v * x.f * x.n) AS weighted_sum,
         sum(x.d * x.dn) AS duration_sum, sum(x.dn)::bigint AS duration_count, 'events' AS source
  FROM (
    SELECT e.meter_id AS series, width_bucket(e.start_time, bounds.b) AS bucket, rm.md_0,
         e.volume::numeric AS v, e.contingent_factor::numeric AS f, e.duration::numeric AS d,
         count(*) AS n, count(e.duration) AS dn, sum(e.operation_count) AS operations, min(e.volume) AS min, max(e.volume) AS max
    FROM usage_events e CROSS JOIN bounds
    LEFT JOIN (SELECT rm.resource_id, mr.project_id, rm.valid_from, rm.valid_to, rm.metadata -> $7::text AS md_0
                FROM resource_metadata rm JOIN resources mr ON mr.id = rm.resource_id
                WHERE rm.valid_from < $2::timestamptz AND (rm.valid_to IS NULL OR rm.valid_to > $1::timestamptz)
                OFFSET 0) AS rm ON rm.resource_id = e.resource_id AND rm.project_id = e.project_id
                AND rm.valid_from <= e.start_time AND (rm.valid_to IS NULL OR rm.valid_to > e.start_time)
    WHERE e.meter_id = ANY($3::int[])
      AND e.start_time >= $1::timestamptz
      AND e.start_time < $2::timestamptz
      AND e.project_id IN (SELECT id FROM projects WHERE name = ANY($4::text[]))
      AND e.user_id = (SELECT id FROM users WHERE name = $5::text)
      AND EXISTS (SELECT 1 FROM resource_metadata rmf JOIN resources rf ON rf.id = rmf.resource_id
         WHERE rmf.resource_id = e.resource_id AND rf.project_id = e.project_id AND rmf.valid_from <= e.start_time
         AND (rmf.valid_to IS NULL OR rmf.valid_to > e.start_time) AND rmf.metadata @> $6::jsonb)
    GROUP BY e.volume, e.contingent_factor, e.duration, series, bucket, md_0) AS x
  GROUP BY x.series, x.bucket, x.md_0
)
SELECT om.name AS meter, om.unit, NULL::text AS metric,
       oc.name AS component,
       a.md_0, (extract(epoch FROM bounds.b[a.bucket]) * 1000)::float8 AS period_start, (extract(epoch FROM bounds.b[a.bucket + 1]) * 1000)::float8 AS period_end,
       a.count, a.operations, a.sum, a.sum / a.count AS avg, a.min, a.max,
       sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev,
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
ORDER BY 1, 3, period_start, a.md_0::text;
