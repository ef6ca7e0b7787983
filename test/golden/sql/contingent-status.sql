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
                SELECT sum(r.weighted_sum)
                FROM (VALUES ('month', wm.lo, wm.hi), ('day', wd.lo, wm.lo), ('day', wm.hi, wd.hi), ('hour', w0.lo, wd.lo), ('hour', wd.hi, w1.hi)
                      UNION ALL SELECT DISTINCT 'day', date_trunc('month', d.hour, 'UTC'), ((date_trunc('month', d.hour, 'UTC') AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
                   FROM usage_rollup_dirty d
                   WHERE d.project_id = c.project_id AND d.meter_id = c.meter_id AND d.hour >= wm.lo AND d.hour < wm.hi
                      UNION ALL SELECT DISTINCT 'hour', date_trunc('day', d.hour, 'UTC'), ((date_trunc('day', d.hour, 'UTC') AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC'
                   FROM usage_rollup_dirty d
                   WHERE d.project_id = c.project_id AND d.meter_id = c.meter_id AND d.hour >= wd.lo AND d.hour < wd.hi) AS sp(grain, lo, hi)
                JOIN usage_rollups r ON r.grain = sp.grain AND r.time_zone = 'UTC' AND r.project_id = c.project_id AND r.meter_id = c.meter_id AND (c.compute_project_id IS NULL OR r.compute_project_id = c.compute_project_id)
                                    AND r.bucket_start >= sp.lo AND r.bucket_start < sp.hi
                WHERE NOT EXISTS (SELECT 1 FROM usage_rollup_dirty d
                                  WHERE d.project_id = r.project_id AND d.meter_id = r.meter_id AND d.hour >= r.bucket_start
                                    AND d.hour < ((r.bucket_start AT TIME ZONE 'UTC')
                                                  + CASE r.grain WHEN 'month' THEN interval '1 month' WHEN 'day' THEN interval '1 day'
                                                                 ELSE interval '1 hour' END) AT TIME ZONE 'UTC')), 0)
            + coalesce((
                SELECT sum(e.volume::numeric * e.contingent_factor::numeric) FROM usage_events e
                WHERE e.project_id = c.project_id AND e.meter_id = c.meter_id AND (c.compute_project_id IS NULL OR e.compute_project_id = c.compute_project_id)
                  AND ((e.start_time >= c.valid_from AND e.start_time < least(w0.lo, $1::timestamptz))
                       OR (e.start_time >= w1.hi AND e.start_time < $1::timestamptz))), 0)
            + coalesce((
                SELECT sum(e.volume::numeric * e.contingent_factor::numeric)
                FROM usage_rollup_dirty d
                JOIN usage_events e ON e.project_id = d.project_id AND e.meter_id = d.meter_id
                                   AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
                WHERE d.project_id = c.project_id AND d.meter_id = c.meter_id AND d.hour >= w0.lo AND d.hour < w1.hi
                  AND (c.compute_project_id IS NULL OR e.compute_project_id = c.compute_project_id)), 0)
         -- Each bound computed once (OFFSET 0): inlined, each would repeat the expressions of those
         -- it is computed from, and planning the statement took 20 ms.
         FROM (SELECT CASE WHEN date_trunc('hour', c.valid_from, 'UTC') < c.valid_from THEN ((date_trunc('hour', c.valid_from, 'UTC') AT TIME ZONE 'UTC') + interval '1 hour') AT TIME ZONE 'UTC' ELSE c.valid_from END AS lo OFFSET 0) AS w0
         CROSS JOIN LATERAL (SELECT greatest(date_trunc('hour', $1::timestamptz, 'UTC'), w0.lo) AS hi OFFSET 0) AS w1
         CROSS JOIN LATERAL (SELECT CASE WHEN date_trunc('day', w0.lo, 'UTC') < w0.lo THEN ((date_trunc('day', w0.lo, 'UTC') AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' ELSE w0.lo END AS lo, date_trunc('day', w1.hi, 'UTC') AS hi OFFSET 0) AS dd
         CROSS JOIN LATERAL (
           SELECT CASE WHEN days THEN dd.lo ELSE w1.hi END AS lo, CASE WHEN days THEN dd.hi ELSE w1.hi END AS hi
           FROM (SELECT dd.lo < dd.hi AND EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = 'UTC') AS days) AS z
           OFFSET 0) AS wd
         CROSS JOIN LATERAL (SELECT CASE WHEN date_trunc('month', wd.lo, 'UTC') < wd.lo THEN ((date_trunc('month', wd.lo, 'UTC') AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' ELSE wd.lo END AS lo, date_trunc('month', wd.hi, 'UTC') AS hi OFFSET 0) AS mm
         CROSS JOIN LATERAL (SELECT CASE WHEN mm.lo < mm.hi THEN mm.lo ELSE wd.hi END AS lo,
                                    CASE WHEN mm.lo < mm.hi THEN mm.hi ELSE wd.hi END AS hi OFFSET 0) AS wm) AS used
       -- Computed once: without the fence PostgreSQL inlines it into each expression that uses it.
       OFFSET 0) AS u
     CROSS JOIN LATERAL (
       SELECT extract(epoch FROM c.valid_to - $1::timestamptz) / 3600 AS left_hours,
              extract(epoch FROM $1::timestamptz - c.valid_from) / 3600 AS elapsed_hours,
              extract(epoch FROM c.valid_to - c.valid_from) / 3600 AS total_hours) AS h
     WHERE p.name = $2 AND c.valid_from <= $1::timestamptz AND c.valid_to > $1::timestamptz
     ORDER BY p.name, m.name, cp.name NULLS FIRST, c.valid_from;
