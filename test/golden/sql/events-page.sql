-- events-page: the statements sent, in order (test/integration/golden-sql.test.ts)

SELECT e.id, e.parent_id, e.meter_id, e.project_id, e.resource_id, p.name AS project, cp.name AS compute_project, u.name AS "user", s.name AS source, (extract(epoch FROM e.start_time) * 1000)::float8 AS start_time, (extract(epoch FROM e.end_time) * 1000)::float8 AS end_time, e.duration, e.volume, e.contingent_factor, e.operation_count, e.partition, e.priority, e.additional_data
FROM (SELECT * FROM usage_events e
      WHERE e.start_time >= $1 AND e.start_time < $2 AND e.project_id = (SELECT id FROM projects WHERE name = $3::text) AND e.meter_id = ANY($4::int[])
      ORDER BY e.start_time ASC, e.id ASC
      LIMIT $5) AS e
JOIN projects p ON p.id = e.project_id
LEFT JOIN compute_projects cp ON cp.id = e.compute_project_id
LEFT JOIN users u ON u.id = e.user_id
JOIN sources s ON s.id = e.source_id
ORDER BY e.start_time ASC, e.id ASC;
