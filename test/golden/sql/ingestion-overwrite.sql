-- ingestion-overwrite: the statements sent, in order (test/integration/golden-sql.test.ts)

BEGIN;

WITH wanted(name) AS (SELECT unnest($1::text[])),
     inserted AS (INSERT INTO projects (name) SELECT name FROM wanted ON CONFLICT (name) DO NOTHING RETURNING id, name)
SELECT id, name FROM inserted
UNION ALL
SELECT t.id, t.name FROM projects t JOIN wanted USING (name);

WITH wanted(name) AS (SELECT unnest($1::text[])),
     inserted AS (INSERT INTO users (name) SELECT name FROM wanted ON CONFLICT (name) DO NOTHING RETURNING id, name)
SELECT id, name FROM inserted
UNION ALL
SELECT t.id, t.name FROM users t JOIN wanted USING (name);

WITH wanted(name) AS (SELECT unnest($1::text[])),
     inserted AS (INSERT INTO compute_projects (name) SELECT name FROM wanted ON CONFLICT (name) DO NOTHING RETURNING id, name)
SELECT id, name FROM inserted
UNION ALL
SELECT t.id, t.name FROM compute_projects t JOIN wanted USING (name);

WITH wanted(name) AS (SELECT unnest($1::text[])),
     inserted AS (INSERT INTO sources (name) SELECT name FROM wanted ON CONFLICT (name) DO NOTHING RETURNING id, name)
SELECT id, name FROM inserted
UNION ALL
SELECT t.id, t.name FROM sources t JOIN wanted USING (name);

WITH wanted(external_id, project_id, user_id) AS (SELECT * FROM unnest($1::text[], $2::int[], $3::int[])),
     claimed AS (INSERT INTO resources AS r (external_id, project_id, user_id) SELECT * FROM wanted
                 ON CONFLICT (external_id) DO UPDATE
                   SET project_id = COALESCE(r.project_id, EXCLUDED.project_id), user_id = COALESCE(r.user_id, EXCLUDED.user_id)
                   WHERE r.project_id IS NULL OR (r.user_id IS NULL AND EXCLUDED.user_id IS NOT NULL)
                 RETURNING id, external_id, project_id)
SELECT c.id, c.external_id, p.name AS project FROM claimed c LEFT JOIN projects p ON p.id = c.project_id
UNION ALL
SELECT r.id, r.external_id, p.name FROM resources r JOIN wanted USING (external_id) JOIN projects p ON p.id = r.project_id
WHERE r.external_id NOT IN (SELECT external_id FROM claimed);

INSERT INTO usage_events AS e (meter_id, project_id, compute_project_id, user_id, source_id, resource_id,
   start_time, end_time, volume, contingent_factor, operation_count, partition, priority, additional_data, content_hash)
SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::timestamptz[],
   $8::timestamptz[], $9::float8[], $10::float8[], $11::int[], $12::text[], $13::text[], $14::jsonb[], $15::text[])
ON CONFLICT ON CONSTRAINT usage_events_match_key DO UPDATE SET
   volume = EXCLUDED.volume, contingent_factor = EXCLUDED.contingent_factor,
   operation_count = EXCLUDED.operation_count, additional_data = EXCLUDED.additional_data,
   content_hash = EXCLUDED.content_hash, updated_at = now()
WHERE e.content_hash <> EXCLUDED.content_hash
RETURNING id, content_hash, (xmax = 0) AS created;

DELETE FROM usage_events WHERE parent_id = ANY($1::bigint[]);

DELETE FROM usage_metrics WHERE event_id = ANY($1::bigint[]);

INSERT INTO usage_events (parent_id, meter_id, project_id, compute_project_id, user_id, source_id, resource_id,
   start_time, end_time, volume, contingent_factor, operation_count, partition, priority, content_hash)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[],
   $8::timestamptz[], $9::timestamptz[], $10::float8[], $11::float8[], $12::int[], $13::text[], $14::text[], $15::text[]);

INSERT INTO usage_metrics (project_id, event_id, metric, volume, contingent_factor)
SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::float8[], $5::float8[]);

INSERT INTO record_durations AS d (project_id, meter_id, max_seconds)
SELECT * FROM unnest($1::int[], $2::int[], $3::float8[])
ON CONFLICT (project_id, meter_id) DO UPDATE SET max_seconds = EXCLUDED.max_seconds WHERE EXCLUDED.max_seconds > d.max_seconds;

INSERT INTO usage_rollup_dirty (project_id, meter_id, hour)
SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[])
ON CONFLICT DO NOTHING;

COMMIT;
