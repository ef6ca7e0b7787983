-- rollups-refresh: the statements sent, in order (test/integration/golden-sql.test.ts)

BEGIN;

SELECT count(DISTINCT (meter_id, hour))::int AS n FROM usage_rollup_dirty;

COMMIT;

BEGIN;

SELECT pg_advisory_xact_lock($1);

SET LOCAL jit = off;

WITH taken AS (
  DELETE FROM usage_rollup_dirty WHERE (meter_id, hour) IN (SELECT DISTINCT meter_id, hour FROM usage_rollup_dirty ORDER BY hour LIMIT $1)
  RETURNING meter_id, hour)
SELECT DISTINCT meter_id, hour FROM taken;

DELETE FROM usage_rollups r USING unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
WHERE r.grain = 'hour' AND r.time_zone = 'UTC' AND r.meter_id = d.meter_id AND r.bucket_start = d.hour;

INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'hour', 'UTC', d.hour, a.*
FROM unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
CROSS JOIN LATERAL (SELECT e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL, count(*) AS count, sum(e.operation_count) AS operations,
  sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
  min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
  sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
  sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count
  FROM usage_events e WHERE e.meter_id = d.meter_id AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
  GROUP BY e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL) AS a;

SELECT time_zone FROM usage_rollup_zones;

DELETE FROM usage_rollups r USING (SELECT meter_id, local AT TIME ZONE $1 AS start_at, (local + interval '1 day') AT TIME ZONE $1 AS end_at FROM (SELECT DISTINCT d.meter_id, date_trunc('day', d.hour AT TIME ZONE $1) AS local
                                              FROM unnest($2::int[], $3::timestamptz[]) AS d(meter_id, hour)) AS b) AS s
WHERE r.grain = 'day' AND r.time_zone = $1 AND r.meter_id = s.meter_id AND r.bucket_start = s.start_at;

WITH spans AS (SELECT meter_id, local AT TIME ZONE $1 AS start_at, (local + interval '1 day') AT TIME ZONE $1 AS end_at FROM (SELECT DISTINCT d.meter_id, date_trunc('day', d.hour AT TIME ZONE $1) AS local
                                              FROM unnest($2::int[], $3::timestamptz[]) AS d(meter_id, hour)) AS b)
INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'day', $1, s.start_at, a.*
FROM spans s CROSS JOIN LATERAL (SELECT e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete, sum(e.count) AS count, sum(e.operations) AS operations,
  sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
  min(e.min) AS min, max(e.max) AS max,
  sum(e.weighted_sum) AS weighted_sum,
  sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count
  FROM usage_rollups e WHERE e.grain = 'hour' AND e.time_zone = 'UTC'
    AND e.meter_id = s.meter_id AND e.bucket_start >= s.start_at AND e.bucket_start < s.end_at
  GROUP BY e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete) AS a
WHERE date_bin('1 hour', s.start_at, timestamptz '2000-01-01 00:00:00+00') = s.start_at
              AND date_bin('1 hour', s.end_at, timestamptz '2000-01-01 00:00:00+00') = s.end_at UNION ALL SELECT 'day', $1, s.start_at, a.*
FROM spans s CROSS JOIN LATERAL (SELECT e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL, count(*) AS count, sum(e.operation_count) AS operations,
  sum(e.volume::numeric) AS sum, sum(e.volume::numeric * e.volume::numeric) AS sum_squares,
  min(e.volume)::float8 AS min, max(e.volume)::float8 AS max,
  sum(e.volume::numeric * e.contingent_factor::numeric) AS weighted_sum,
  sum(e.duration::numeric) AS duration_sum, count(e.duration::numeric) AS duration_count
  FROM usage_events e WHERE e.meter_id = s.meter_id AND e.start_time >= s.start_at AND e.start_time < s.end_at
  GROUP BY e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.end_time IS NULL) AS a
WHERE NOT (date_bin('1 hour', s.start_at, timestamptz '2000-01-01 00:00:00+00') = s.start_at
              AND date_bin('1 hour', s.end_at, timestamptz '2000-01-01 00:00:00+00') = s.end_at);

DELETE FROM usage_rollups r USING (SELECT meter_id, local AT TIME ZONE $1 AS start_at, (local + interval '1 month') AT TIME ZONE $1 AS end_at FROM (SELECT DISTINCT d.meter_id, date_trunc('month', d.hour AT TIME ZONE $1) AS local
                                                FROM unnest($2::int[], $3::timestamptz[]) AS d(meter_id, hour)) AS b) AS s
WHERE r.grain = 'month' AND r.time_zone = $1 AND r.meter_id = s.meter_id AND r.bucket_start = s.start_at;

WITH spans AS (SELECT meter_id, local AT TIME ZONE $1 AS start_at, (local + interval '1 month') AT TIME ZONE $1 AS end_at FROM (SELECT DISTINCT d.meter_id, date_trunc('month', d.hour AT TIME ZONE $1) AS local
                                                FROM unnest($2::int[], $3::timestamptz[]) AS d(meter_id, hour)) AS b)
INSERT INTO usage_rollups (grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
          count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count)
SELECT 'month', $1, s.start_at, a.*
FROM spans s CROSS JOIN LATERAL (SELECT e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete, sum(e.count) AS count, sum(e.operations) AS operations,
  sum(e.sum) AS sum, sum(e.sum_squares) AS sum_squares,
  min(e.min) AS min, max(e.max) AS max,
  sum(e.weighted_sum) AS weighted_sum,
  sum(e.duration_sum) AS duration_sum, sum(e.duration_count) AS duration_count
  FROM usage_rollups e WHERE e.grain = 'day' AND e.time_zone = $1
    AND e.meter_id = s.meter_id AND e.bucket_start >= s.start_at AND e.bucket_start < s.end_at
  GROUP BY e.meter_id, e.project_id, e.compute_project_id, e.user_id, e.source_id, e.partition, e.priority, e.discrete) AS a;

COMMIT;
