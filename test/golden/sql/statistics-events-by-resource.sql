-- statistics-events-by-resource: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT ARRAY[$1::timestamptz, $2::timestamptz] AS b),
agg AS (
  SELECT x.series, x.bucket, x.g_resource,
         sum(x.n)::bigint AS count, sum(x.operations)::bigint AS operations,
         sum(x.v * x.n) AS sum, sum(x.v * x.v * x.n) AS sum_squares,
         min(x.min)::float8 AS min, max(x.max)::float8 AS max,
         sum(x.v * x.f * x.n) AS weighted_sum,
         sum(x.d * x.dn) AS duration_sum, sum(x.dn)::bigint AS duration_count, 'events' AS source
  FROM (
    SELECT e.meter_id AS series, width_bucket(e.start_time, bounds.b) AS bucket, e.resource_id AS g_resource,
         e.volume::numeric AS v, e.contingent_factor::numeric AS f, e.duration::numeric AS d,
         count(*) AS n, count(e.duration) AS dn, sum(e.operation_count) AS operations, min(e.volume) AS min, max(e.volume) AS max
    FROM usage_events e CROSS JOIN bounds

    WHERE e.meter_id = ANY($3::int[])
      AND e.start_time >= $1::timestamptz
      AND e.start_time < $2::timestamptz
    GROUP BY e.volume, e.contingent_factor, e.duration, series, bucket, g_resource) AS x
  GROUP BY x.series, x.bucket, x.g_resource
)
SELECT om.name AS meter, om.unit, NULL::text AS metric,
       oc.name AS component,
       n_g_resource.external_id AS g_resource, (extract(epoch FROM bounds.b[a.bucket]) * 1000)::float8 AS period_start, (extract(epoch FROM bounds.b[a.bucket + 1]) * 1000)::float8 AS period_end,
       a.count, a.operations, a.sum, a.sum / a.count AS avg, a.min, a.max,
       sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev,
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
LEFT JOIN resources n_g_resource ON n_g_resource.id = a.g_resource
ORDER BY 1, 3, period_start, g_resource;
