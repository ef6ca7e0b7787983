-- rollups-zone-build: the statements sent, in order (test/integration/golden-sql.test.ts)

BEGIN;

SELECT time_zone FROM usage_rollup_zones ORDER BY time_zone;

COMMIT;

BEGIN;

SELECT pg_advisory_xact_lock($1);

DELETE FROM usage_rollups WHERE grain IN ('day', 'month') AND time_zone = $1;

INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'day', $1, date_trunc('day', e.start_time AT TIME ZONE $1) AT TIME ZONE $1, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL,
       count(*) AS count, sum(e.operation_count) AS operations,
  sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
  min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
  sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
  sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count
FROM usage_events e
GROUP BY 3, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL;

INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'month', $1, date_trunc('month', e.bucket_start AT TIME ZONE $1) AT TIME ZONE $1, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete,
       sum(e.count) AS count, sum(e.operations) AS operations,
  sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
  min(e.min) AS min, max(e.max) AS max,
  sum(e.weighted_sum) AS weighted_sum,
  sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count
FROM usage_rollups e WHERE e.grain = 'day' AND e.time_zone = $1
GROUP BY 3, e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete;

INSERT INTO usage_rollup_zones (time_zone) VALUES ($1) ON CONFLICT (time_zone) DO UPDATE SET built_at = now();

COMMIT;
