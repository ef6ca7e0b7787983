-- resource-metadata-version: the statements sent, in order (test/integration/golden-sql.test.ts)

BEGIN;

WITH r AS (INSERT INTO resources AS r (external_id, type, project_id) VALUES ($1, $2, (SELECT id FROM projects WHERE name = $3))
           ON CONFLICT (external_id) DO UPDATE
             SET type = COALESCE(EXCLUDED.type, r.type), project_id = COALESCE(r.project_id, EXCLUDED.project_id)
           RETURNING id, project_id)
SELECT r.id, p.name AS project FROM r LEFT JOIN projects p ON p.id = r.project_id;

UPDATE resource_metadata SET metadata = $1, valid_to = COALESCE($2::timestamptz, valid_to)
WHERE resource_id IS NOT DISTINCT FROM $3 AND valid_from = $4 RETURNING resource_id, valid_from, valid_to, metadata;

UPDATE resource_metadata SET valid_to = $1 WHERE resource_id IS NOT DISTINCT FROM $2 AND valid_to IS NULL AND valid_from < $1;

INSERT INTO resource_metadata (resource_id, metadata, valid_from, valid_to)
VALUES ($1, $2, $3,
        COALESCE($4::timestamptz, (SELECT min(valid_from) FROM resource_metadata WHERE resource_id IS NOT DISTINCT FROM $1 AND valid_from > $3)))
RETURNING resource_id, valid_from, valid_to, metadata;

COMMIT;

SELECT r.id, r.project_id, r.external_id, r.type, r.created_at, p.name AS project, u.name AS "user"
FROM resources r LEFT JOIN projects p ON p.id = r.project_id LEFT JOIN users u ON u.id = r.user_id WHERE r.external_id = ANY($1::text[]) AND ($2::text[] IS NULL OR p.name = ANY($2));
