-- statistics-prorated-priced: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT l AT TIME ZONE $3::text
              FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text,
                                   $4::int * interval '1 day') AS l) AS s
          WHERE x >= $1::timestamptz AND x <= $2::timestamptz),
agg AS (
  SELECT e.meter_id AS series, i.bucket AS bucket,
         count(*) AS count, sum(e.operation_count) AS operations,
         sum((CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END)) AS sum, sum((CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END) * (CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END)) AS sum_squares,
         min((CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END))::float8 AS min, max((CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END))::float8 AS max,
         sum((CASE WHEN e.end_time > e.start_time THEN e.volume::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE e.volume::numeric END) * e.contingent_factor::numeric) AS weighted_sum,
         sum(COALESCE(i.overlap, e.duration::numeric)) AS duration_sum, count(COALESCE(i.overlap, e.duration::numeric)) AS duration_count,
         sum((e.volume::numeric * pr.price_part + 0.000000000000000000000000) / pr.whole) AS cost,
         sum((e.volume::numeric * e.contingent_factor::numeric * pr.price_part + 0.000000000000000000000000) / pr.whole) AS weighted_cost,
         sum((e.volume::numeric * pr.unpriced_part + 0.000000000000000000000000) / pr.whole) AS unpriced_volume, count(*) FILTER (WHERE pr.unpriced_part > 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards, 'events' AS source
  FROM usage_events e CROSS JOIN bounds CROSS JOIN LATERAL (
        SELECT k.bucket,
               CASE WHEN e.end_time > e.start_time
                    THEN extract(epoch FROM least(e.end_time, bounds.b[k.bucket + 1]) - greatest(e.start_time, bounds.b[k.bucket]))
                    END AS overlap
        FROM (SELECT w.lo + u.n - 1 AS bucket
          FROM (SELECT width_bucket(greatest(e.start_time, $1::timestamptz), bounds.b) AS lo,
                       CASE WHEN e.end_time > e.start_time
                            THEN width_bucket(least(e.end_time, $2::timestamptz) - interval '1 microsecond', bounds.b)
                            ELSE width_bucket(e.start_time, bounds.b) END AS hi) AS w
          CROSS JOIN LATERAL unnest(bounds.b[w.lo:w.hi]) WITH ORDINALITY AS u(start, n)) AS k) AS i
  CROSS JOIN LATERAL (
          SELECT sum(pp.part * pp.unit_price) AS price_part, coalesce(sum(pp.part) FILTER (WHERE pp.card IS NULL), 0) AS unpriced_part,
                 min(pp.whole) AS whole, min(pp.currency) AS currency, string_agg(DISTINCT pp.card::text, ',') AS cards
          FROM (SELECT CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM cut.t - cut.s) END AS seconds,
                 CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM cut.t - cut.s) ELSE 1 END AS part,
                 CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM e.end_time - e.start_time) ELSE 1 END AS whole,
                 c.id AS card, c.unit_price, c.currency
          FROM (SELECT x AS s, lead(x) OVER (ORDER BY x) AS t
                FROM (SELECT greatest(e.start_time, bounds.b[i.bucket]) AS x UNION SELECT CASE WHEN e.end_time > e.start_time THEN least(e.end_time, bounds.b[i.bucket + 1]) ELSE greatest(e.start_time, bounds.b[i.bucket]) + interval '1 microsecond' END
                      UNION SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
                            WHERE pc.meter_id = e.meter_id AND (pc.partition IS NULL OR pc.partition = e.partition) AND (pc.priority IS NULL OR pc.priority = e.priority) AND v.x > greatest(e.start_time, bounds.b[i.bucket]) AND v.x < CASE WHEN e.end_time > e.start_time THEN least(e.end_time, bounds.b[i.bucket + 1]) ELSE greatest(e.start_time, bounds.b[i.bucket]) + interval '1 microsecond' END) AS xs) AS cut
          LEFT JOIN LATERAL (SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE pc.meter_id = e.meter_id AND (pc.partition IS NULL OR pc.partition = e.partition) AND (pc.priority IS NULL OR pc.priority = e.priority) AND pc.valid_from <= cut.s AND (pc.valid_to IS NULL OR pc.valid_to > cut.s)
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1) AS c ON true
          WHERE cut.t IS NOT NULL) AS pp) AS pr

  WHERE e.meter_id = ANY($5::int[])
    AND e.start_time < $2::timestamptz
    AND e.start_time >= $1::timestamptz - make_interval(secs => (SELECT least(coalesce(max(max_seconds), 0), extract(epoch FROM $1::timestamptz - timestamptz '0001-01-01 00:00:00+00'))
                    FROM record_durations WHERE meter_id = ANY($5::int[])))
    AND (e.start_time >= $1::timestamptz OR e.end_time > $1::timestamptz)
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
