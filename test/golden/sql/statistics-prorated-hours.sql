-- statistics-prorated-hours: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
          FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT c
              FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text, interval '1 day') AS d
              CROSS JOIN LATERAL generate_series(d, d + interval '1 day' - interval '1 microsecond', $4::int * interval '1 hour') AS w
              CROSS JOIN LATERAL unnest(ARRAY[(w AT TIME ZONE $3::text) - interval '1 hour', w AT TIME ZONE $3::text,
                                              (w AT TIME ZONE $3::text) + interval '1 hour']) AS c
              WHERE c AT TIME ZONE $3::text = w) AS s
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
         sum(COALESCE(i.overlap, e.duration::numeric)) AS duration_sum, count(COALESCE(i.overlap, e.duration::numeric)) AS duration_count, 'events' AS source
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
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
ORDER BY 1, 3, period_start;
