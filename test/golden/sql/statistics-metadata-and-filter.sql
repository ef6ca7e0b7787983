-- statistics-metadata-and-filter: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT ARRAY[$1::timestamptz, $2::timestamptz] AS b),
agg AS (
  SELECT e.meter_id AS series, width_bucket(e.start_time, bounds.b) AS bucket, rm.metadata -> $7::text AS md_0,
         count(*) AS count, sum(e.operation_count) AS operations,
         sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
         min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
         sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
         sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count, 'events' AS source
  FROM usage_events e CROSS JOIN bounds
  LEFT JOIN (resources mr JOIN resource_metadata rm ON rm.resource_id = mr.id)
                ON mr.id = e.resource_id AND mr.project_id = e.project_id
                AND rm.valid_from <= e.start_time AND (rm.valid_to IS NULL OR rm.valid_to > e.start_time)
  WHERE e.meter_id = ANY($3::int[])
    AND e.start_time >= $1::timestamptz
    AND e.start_time < $2::timestamptz
    AND e.project_id IN (SELECT id FROM projects WHERE name = ANY($4::text[]))
    AND e.user_id = (SELECT id FROM users WHERE name = $5::text)
    AND EXISTS (SELECT 1 FROM resource_metadata rmf JOIN resources rf ON rf.id = rmf.resource_id
         WHERE rmf.resource_id = e.resource_id AND rf.project_id = e.project_id AND rmf.valid_from <= e.start_time
         AND (rmf.valid_to IS NULL OR rmf.valid_to > e.start_time) AND rmf.metadata @> $6::jsonb)
  GROUP BY series, bucket, md_0
)
SELECT om.name AS meter, om.unit, NULL::text AS metric,
       oc.name AS component,
       a.md_0, bounds.b[a.bucket] AS period_start, bounds.b[a.bucket + 1] AS period_end,
       a.count, a.operations, a.sum, a.sum / a.count AS avg, a.min, a.max,
       sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev,
       a.weighted_sum, a.duration_sum, a.duration_sum / nullif(a.duration_count, 0) AS duration_avg, a.source
FROM agg a CROSS JOIN bounds
JOIN meters om ON om.id = a.series
JOIN components oc ON oc.id = om.component_id
ORDER BY 1, 3, period_start, a.md_0::text;
