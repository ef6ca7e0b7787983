-- contingent-status: the statements sent, in order (test/integration/golden-sql.test.ts)

SELECT c.id, p.name AS project, c.meter_id, cp.name AS compute_project, c.period, c.time_zone,
c.valid_from, c.valid_to, c.amount, c.description, c.created_at, c.updated_at, $1::timestamptz AS at, u.used, c.amount - u.used AS remaining,
            u.used / nullif(c.amount, 0) AS share_used,
            h.left_hours AS hours_left,
            greatest(c.amount - u.used, 0) / h.left_hours AS required_rate,
            u.used / nullif(h.elapsed_hours, 0) AS average_rate,
            u.used * h.total_hours / nullif(h.elapsed_hours, 0) AS projected_use
     FROM contingents c JOIN projects p ON p.id = c.project_id
JOIN meters m ON m.id = c.meter_id
LEFT JOIN compute_projects cp ON cp.id = c.compute_project_id
     CROSS JOIN LATERAL (
       SELECT (SELECT coalesce((
                SELECT sum(r.weighted_sum) FROM usage_rollups r
                WHERE r.grain = 'hour' AND r.time_zone = 'UTC' AND r.project_id = c.project_id AND r.meter_id = c.meter_id AND (c.compute_project_id IS NULL OR r.compute_project_id = c.compute_project_id)
                  AND r.bucket_start >= w.lo AND r.bucket_start < w.hi
                  AND NOT EXISTS (SELECT 1 FROM usage_rollup_dirty d
                                  WHERE d.project_id = r.project_id AND d.meter_id = r.meter_id AND d.hour = r.bucket_start)), 0)
            + coalesce((
                SELECT sum(e.volume::numeric * e.contingent_factor::numeric) FROM usage_events e
                WHERE e.project_id = c.project_id AND e.meter_id = c.meter_id AND (c.compute_project_id IS NULL OR e.compute_project_id = c.compute_project_id)
                  AND ((e.start_time >= c.valid_from AND e.start_time < least(w.lo, $1::timestamptz))
                       OR (e.start_time >= w.hi AND e.start_time < $1::timestamptz))), 0)
            + coalesce((
                SELECT sum(e.volume::numeric * e.contingent_factor::numeric)
                FROM usage_rollup_dirty d
                JOIN usage_events e ON e.project_id = d.project_id AND e.meter_id = d.meter_id
                                   AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
                WHERE d.project_id = c.project_id AND d.meter_id = c.meter_id AND d.hour >= w.lo AND d.hour < w.hi
                  AND (c.compute_project_id IS NULL OR e.compute_project_id = c.compute_project_id)), 0)
         FROM (SELECT w0.lo, greatest(date_trunc('hour', $1::timestamptz), w0.lo) AS hi
               FROM (SELECT date_trunc('hour', c.valid_from)
                            + CASE WHEN date_trunc('hour', c.valid_from) < c.valid_from THEN interval '1 hour' ELSE interval '0' END AS lo) AS w0) AS w) AS used
       -- Computed once: without the fence PostgreSQL inlines it into each expression that uses it.
       OFFSET 0) AS u
     CROSS JOIN LATERAL (
       SELECT extract(epoch FROM c.valid_to - $1::timestamptz) / 3600 AS left_hours,
              extract(epoch FROM $1::timestamptz - c.valid_from) / 3600 AS elapsed_hours,
              extract(epoch FROM c.valid_to - c.valid_from) / 3600 AS total_hours) AS h
     WHERE p.name = $2 AND c.valid_from <= $1::timestamptz AND c.valid_to > $1::timestamptz
     ORDER BY p.name, m.name, cp.name NULLS FIRST, c.valid_from;
