-- statistics-additional-metrics: the statements sent, in order (test/integration/golden-sql.test.ts)

SELECT m AS metric FROM unnest($1::text[]) AS m
WHERE EXISTS (SELECT 1 FROM usage_metrics um JOIN usage_events e ON e.project_id = um.project_id AND e.id = um.event_id
              WHERE um.metric = m AND ($2::text[] IS NULL OR e.project_id IN (SELECT id FROM projects WHERE name = ANY($2))));

WITH bounds AS (SELECT ARRAY[$1::timestamptz, $2::timestamptz] AS b),
agg AS (
  SELECT x.series, x.bucket,
         sum(x.n)::bigint AS count, sum(x.operations)::bigint AS operations,
         sum(x.v * x.n) AS sum, sum(x.v * x.v * x.n) AS sum_squares,
         min(x.min)::float8 AS min, max(x.max)::float8 AS max,
         sum(x.v * x.f * x.n) AS weighted_sum,
         sum(x.d * x.dn) AS duration_sum, sum(x.dn)::bigint AS duration_count, 'events' AS source
  FROM (
    SELECT um.metric AS series, width_bucket(e.start_time, bounds.b) AS bucket,
         um.volume::numeric AS v, um.contingent_factor::numeric AS f, e.duration::numeric AS d,
         count(*) AS n, count(e.duration) AS dn, sum(e.operation_count) AS operations, min(um.volume) AS min, max(um.volume) AS max
    FROM usage_metrics um JOIN usage_events e ON e.project_id = um.project_id AND e.id = um.event_id CROSS JOIN bounds

    WHERE um.metric = ANY($3::text[])
      AND e.start_time >= $1::timestamptz
      AND e.start_time < $2::timestamptz
    GROUP BY um.volume, um.contingent_factor, e.duration, series, bucket) AS x
  GROUP BY x.series, x.bucket
)
SELECT NULL::text AS meter, NULL::text AS unit, a.series AS metric,
       NULL::text AS component,
       (extract(epoch FROM bounds.b[a.bucket]) * 1000)::float8 AS period_start, (extract(epoch FROM bounds.b[a.bucket + 1]) * 1000)::float8 AS period_end,
       a.count, a.operations, a.sum, a.sum / a.count AS avg, a.min, a.max,
       sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev,
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source
FROM agg a CROSS JOIN bounds

ORDER BY 1, 3, period_start;
