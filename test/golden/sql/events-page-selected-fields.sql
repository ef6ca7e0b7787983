-- events-page-selected-fields: the statements sent, in order (test/integration/golden-sql.test.ts)

SELECT e.id, u.name AS "user", (extract(epoch FROM e.start_time) * 1000)::float8 AS start_time, e.volume
FROM (SELECT * FROM usage_events e
      WHERE e.start_time >= $1 AND e.start_time < $2 AND e.user_id = (SELECT id FROM users WHERE name = $3::text)
      ORDER BY e.start_time ASC, e.id ASC
      LIMIT $4) AS e
LEFT JOIN users u ON u.id = e.user_id
ORDER BY e.start_time ASC, e.id ASC;
