-- statistics-some-measures: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT l AT TIME ZONE $3::text
              FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text,
                                   $4::int * interval '1 day') AS l) AS s
          WHERE x >= $1::timestamptz AND x <= $2::timestamptz),
choice AS (SELECT CASE
    WHEN EXISTS (SELECT 1 FROM usage_rollup_dirty d WHERE d.meter_id = ANY($5::int[]) AND d.hour >= $1::timestamptz AND d.hour < $2::timestamptz) THEN NULL
    WHEN EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = $3::text) AND (SELECT bool_and(date_trunc('month', x AT TIME ZONE $3::text) AT TIME ZONE $3::text = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds) AS edges) THEN 'month'
    WHEN EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = $3::text) AND (SELECT bool_and(date_trunc('day', x AT TIME ZONE $3::text) AT TIME ZONE $3::text = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds) AS edges) THEN 'day'
    WHEN (SELECT bool_and(date_bin('1 hour', x, timestamptz '2000-01-01 00:00:00+00') = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds) AS edges) THEN 'hour'
  END AS grain),
agg AS (
  SELECT qm.id AS series, r.*, 'rollup:' || (SELECT grain FROM choice) AS source
  FROM unnest($5::int[]) AS qm(id) CROSS JOIN LATERAL (
    SELECT width_bucket(e.bucket_start, bounds.b) AS bucket,
         sum(e.count) AS count, sum(e.operations) AS operations,
         sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
         min(e.min) AS min, max(e.max) AS max,
         sum(e.weighted_sum) AS weighted_sum,
         sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count
    FROM usage_rollups e CROSS JOIN bounds


    WHERE e.grain = (SELECT grain FROM choice)
      AND e.time_zone = CASE (SELECT grain FROM choice) WHEN 'hour' THEN 'UTC' ELSE $3::text END
      AND e.meter_id = qm.id
      AND e.bucket_start >= $1::timestamptz
      AND e.bucket_start < $2::timestamptz
    GROUP BY bucket) AS r
  UNION ALL
  SELECT x.series, x.bucket,
         sum(x.n)::bigint AS count, sum(x.operations)::bigint AS operations,
         sum(x.v * x.n) AS sum, sum(x.v * x.v * x.n) AS sum_squares,
         min(x.min)::float8 AS min, max(x.max)::float8 AS max,
         sum(x.v * x.f * x.n) AS weighted_sum,
         sum(x.d * x.dn) AS duration_sum, sum(x.dn)::bigint AS duration_count, 'events' AS source
  FROM (
    SELECT e.meter_id AS series, width_bucket(e.start_time, bounds.b) AS bucket,
         e.volume::numeric AS v, e.contingent_factor::numeric AS f, e.duration::numeric AS d,
         count(*) AS n, count(e.duration) AS dn, sum(e.operation_count) AS operations, min(e.volume) AS min, max(e.volume) AS max
    FROM usage_events e CROSS JOIN bounds

    WHERE (SELECT grain FROM choice) IS NULL
      AND e.meter_id = ANY($5::int[])
      AND e.start_time >= $1::timestamptz
      AND e.start_time < $2::timestamptz
    GROUP BY e.volume, e.contingent_factor, e.duration, series, bucket) AS x
  GROUP BY x.series, x.bucket
)
SELECT om.name AS meter, om.unit, NULL::text AS metric,
       oc.name AS component,
       (extract(epoch FROM bounds.b[a.bucket]) * 1000)::float8 AS period_start, (extract(epoch FROM bounds.b[a.bucket + 1]) * 1000)::float8 AS period_end,
       a.count, a.sum, a.source
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
ORDER BY 1, 3, period_start;
