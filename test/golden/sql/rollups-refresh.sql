-- rollups-refresh: the statements sent, in order (test/integration/golden-sql.test.ts)

BEGIN;

SELECT count(DISTINCT (meter_id, hour))::int AS n FROM usage_rollup_dirty;

COMMIT;

BEGIN;

SELECT pg_advisory_xact_lock($1);

WITH taken AS (
  DELETE FROM usage_rollup_dirty WHERE (meter_id, hour) IN (SELECT DISTINCT meter_id, hour FROM usage_rollup_dirty ORDER BY hour LIMIT $1)
  RETURNING meter_id, hour)
SELECT DISTINCT meter_id, hour FROM taken;

DELETE FROM usage_rollups r USING unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
WHERE r.grain = 'hour' AND r.meter_id = d.meter_id AND r.bucket_start = d.hour;

INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'hour', 'UTC', d.hour, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL, count(*) AS count, sum(e.operation_count) AS operations,
  sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
  min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
  sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
  sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count
FROM unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
JOIN usage_events e ON e.meter_id = d.meter_id AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
GROUP BY d.hour, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL;

SELECT time_zone FROM usage_rollup_zones;

COMMIT;
