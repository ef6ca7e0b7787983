-- statistics-by-start-priced: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT l AT TIME ZONE $3::text
              FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text,
                                   $4::int * interval '1 month') AS l) AS s
          WHERE x >= $1::timestamptz AND x <= $2::timestamptz),
choice AS (SELECT CASE
    WHEN EXISTS (SELECT 1 FROM usage_rollup_dirty d WHERE d.meter_id = ANY($5::int[]) AND d.hour >= $1::timestamptz AND d.hour < $2::timestamptz) THEN NULL
    WHEN EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = $3::text) AND (SELECT bool_and(date_trunc('month', x AT TIME ZONE $3::text) AT TIME ZONE $3::text = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds UNION ALL SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
         WHERE pc.meter_id = ANY($5::int[]) AND v.x > $1::timestamptz AND v.x < $2::timestamptz) AS edges) THEN 'month'
    WHEN EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = $3::text) AND (SELECT bool_and(date_trunc('day', x AT TIME ZONE $3::text) AT TIME ZONE $3::text = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds UNION ALL SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
         WHERE pc.meter_id = ANY($5::int[]) AND v.x > $1::timestamptz AND v.x < $2::timestamptz) AS edges) THEN 'day'
    WHEN (SELECT bool_and(date_bin('1 hour', x, timestamptz '2000-01-01 00:00:00+00') = x) FROM (SELECT unnest(bounds.b) AS x FROM bounds UNION ALL SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
         WHERE pc.meter_id = ANY($5::int[]) AND v.x > $1::timestamptz AND v.x < $2::timestamptz) AS edges) THEN 'hour'
  END AS grain),
agg AS (
  SELECT qm.id AS series, r.*, 'rollup:' || (SELECT grain FROM choice) AS source
  FROM unnest($5::int[]) AS qm(id) CROSS JOIN LATERAL (
    SELECT width_bucket(e.bucket_start, bounds.b) AS bucket,
         sum(e.count) AS count, sum(e.operations) AS operations,
         sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
         min(e.min) AS min, max(e.max) AS max,
         sum(e.weighted_sum) AS weighted_sum,
         sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count,
         sum(e.sum * pr.price_part) AS cost, sum(e.weighted_sum * pr.price_part) AS weighted_cost,
         sum(e.sum * pr.unpriced_part) AS unpriced_volume, coalesce(sum(e.count) FILTER (WHERE pr.unpriced_part > 0), 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards
    FROM usage_rollups e CROSS JOIN bounds
    LEFT JOIN LATERAL (SELECT c.unit_price AS price_part, CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS unpriced_part, 1 AS whole,
                                      c.currency, c.id::text AS cards
                               FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE pc.meter_id = e.meter_id AND (pc.partition IS NULL OR pc.partition = e.partition) AND (pc.priority IS NULL OR pc.priority = e.priority) AND pc.valid_from <= e.bucket_start AND (pc.valid_to IS NULL OR pc.valid_to > e.bucket_start)
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1) AS c ON true) AS pr ON true

    WHERE e.grain = (SELECT grain FROM choice)
      AND e.time_zone = CASE (SELECT grain FROM choice) WHEN 'hour' THEN 'UTC' ELSE $3::text END
      AND e.meter_id = qm.id
      AND e.bucket_start >= $1::timestamptz
      AND e.bucket_start < $2::timestamptz
    GROUP BY bucket) AS r
  UNION ALL
  SELECT e.meter_id AS series, width_bucket(e.start_time, bounds.b) AS bucket,
         count(*) AS count, sum(e.operation_count) AS operations,
         sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
         min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
         sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
         sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count,
         sum(e.volume::numeric * pr.price_part) AS cost,
         sum(e.volume::numeric * e.contingent_factor::numeric * pr.price_part) AS weighted_cost,
         sum(e.volume::numeric * pr.unpriced_part) AS unpriced_volume, count(*) FILTER (WHERE pr.unpriced_part > 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards, 'events' AS source
  FROM usage_events e CROSS JOIN bounds LEFT JOIN LATERAL (SELECT c.unit_price AS price_part, CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS unpriced_part, 1 AS whole,
                                      c.currency, c.id::text AS cards
                               FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE pc.meter_id = e.meter_id AND (pc.partition IS NULL OR pc.partition = e.partition) AND (pc.priority IS NULL OR pc.priority = e.priority) AND pc.valid_from <= e.start_time AND (pc.valid_to IS NULL OR pc.valid_to > e.start_time)
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1) AS c ON true) AS pr ON true

  WHERE (SELECT grain FROM choice) IS NULL
    AND e.meter_id = ANY($5::int[])
    AND e.start_time >= $1::timestamptz
    AND e.start_time < $2::timestamptz
  GROUP BY series, bucket
)
SELECT om.name AS meter, om.unit, NULL::text AS metric,
       oc.name AS component,
       (extract(epoch FROM bounds.b[a.bucket]) * 1000)::float8 AS period_start, (extract(epoch FROM bounds.b[a.bucket + 1]) * 1000)::float8 AS period_end,
       a.count, a.operations, a.sum, a.sum / a.count AS avg, a.min, a.max,
       sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev,
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source,
       round(a.cost, 6) AS cost, round(a.weighted_cost, 6) AS weighted_cost, round(a.unpriced_volume, 9) AS unpriced_volume,
       a.unpriced_count, a.currency, a.cards
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
ORDER BY 1, 3, period_start;
