import type { Pool, PoolClient } from 'pg';
import { bind, ident, query, sql } from '../../common/sql';
import { addVersion } from '../../db/versions';
import type { DbMetadataRow, DbResourceRow } from './resources.mapping';

const RESOURCE_COLUMNS = sql`r.id, r.project_id, r.external_id, r.type, r.created_at, p.name AS project, u.name AS "user"
  FROM resources r LEFT JOIN projects p ON p.id = r.project_id LEFT JOIN users u ON u.id = r.user_id`;

export interface ResourceQuery {
  /** The projects the caller may see; null: all. */
  visible: string[] | null;
  project: string | null;
  user: string | null;
  type: string | null;
  metadata: Record<string, unknown> | null;
  at: Date;
  after: string | null;
  limit: number;
}

export class ResourcesRepository {
  constructor(private readonly pool: Pool) {}

  /** Resources by id, of the visible projects only (null: all). */
  async byExternalIds(ids: readonly string[], visible: readonly string[] | null): Promise<DbResourceRow[]> {
    const projects = bind(visible);
    const { rows } = await this.pool.query<DbResourceRow>(
      query(
        sql`SELECT ${RESOURCE_COLUMNS} WHERE r.external_id = ANY(${ids}::text[]) AND (${projects}::text[] IS NULL OR p.name = ANY(${projects}))`,
      ),
    );
    return rows;
  }

  async byIds(ids: readonly number[]): Promise<DbResourceRow[]> {
    const { rows } = await this.pool.query<DbResourceRow>(query(sql`SELECT ${RESOURCE_COLUMNS} WHERE r.id = ANY(${ids}::int[])`));
    return rows;
  }

  async list(q: ResourceQuery): Promise<DbResourceRow[]> {
    const project = bind(q.project);
    const user = bind(q.user);
    const type = bind(q.type);
    const metadata = bind(q.metadata === null ? null : JSON.stringify(q.metadata));
    const at = bind(q.at);
    const after = bind(q.after);
    const visible = bind(q.visible);
    const { rows } = await this.pool.query<DbResourceRow>(
      query(sql`SELECT ${RESOURCE_COLUMNS}
       WHERE (${project}::text IS NULL OR p.name = ${project})
         AND (${user}::text IS NULL OR u.name = ${user})
         AND (${type}::text IS NULL OR r.type = ${type})
         AND (${metadata}::jsonb IS NULL OR EXISTS (
               SELECT 1 FROM resource_metadata m
               WHERE m.resource_id = r.id AND m.valid_from <= ${at} AND (m.valid_to IS NULL OR m.valid_to > ${at})
                 AND m.metadata @> ${metadata}))
         AND (${after}::text IS NULL OR r.external_id > ${after})
         AND (${visible}::text[] IS NULL OR p.name = ANY(${visible}))
       ORDER BY r.external_id
       LIMIT ${q.limit}`),
    );
    return rows;
  }

  /**
   * For each (resource, instant) pair, the version valid then (the exclusion constraint makes
   * it at most one): one statement for any number of pairs and instants.
   */
  async metadataAt(pairs: readonly { resource: number; project: number | null; at: Date }[]): Promise<(DbMetadataRow & { idx: string })[]> {
    const { rows } = await this.pool.query<DbMetadataRow & { idx: string }>(
      query(sql`SELECT k.idx, m.resource_id, m.valid_from, m.valid_to, m.metadata
       FROM unnest(${pairs.map((p) => p.resource)}::int[], ${pairs.map((p) => p.project)}::int[], ${pairs.map((p) => p.at)}::timestamptz[]) WITH ORDINALITY AS k(resource_id, project_id, at, idx)
       JOIN resources r ON r.id = k.resource_id AND (k.project_id IS NULL OR r.project_id = k.project_id)
       JOIN resource_metadata m ON m.resource_id = k.resource_id AND m.valid_from <= k.at AND (m.valid_to IS NULL OR m.valid_to > k.at)`),
    );
    return rows;
  }

  async history(resourceIds: readonly number[]): Promise<DbMetadataRow[]> {
    const { rows } = await this.pool.query<DbMetadataRow>(
      query(sql`SELECT resource_id, valid_from, valid_to, metadata FROM resource_metadata
       WHERE resource_id = ANY(${resourceIds}::int[]) ORDER BY resource_id, valid_from`),
    );
    return rows;
  }

  /**
   * The resource, created if new, in the caller's transaction: a new one belongs to `project`
   * (created if new); a stored one without a project takes it; a stored one with a project keeps
   * it, and the caller compares. Returns its row id and project.
   */
  async claim(
    client: PoolClient,
    input: { resource: string; type: string | null; project: string | null },
  ): Promise<{ id: number; project: string | null }> {
    if (input.project !== null) {
      await client.query(query(sql`INSERT INTO projects (name) VALUES (${input.project}) ON CONFLICT (name) DO NOTHING`));
    }
    const {
      rows: [resource],
    } = await client.query<{ id: number; project: string | null }>(
      query(sql`WITH r AS (INSERT INTO resources AS r (external_id, type, project_id) VALUES (${input.resource}, ${input.type}, (SELECT id FROM projects WHERE name = ${input.project}))
                  ON CONFLICT (external_id) DO UPDATE
                    SET type = COALESCE(EXCLUDED.type, r.type), project_id = COALESCE(r.project_id, EXCLUDED.project_id)
                  RETURNING id, project_id)
       SELECT r.id, p.name AS project FROM r LEFT JOIN projects p ON p.id = r.project_id`),
    );
    return resource;
  }

  /**
   * Adds a metadata version in the caller's transaction (db/versions.ts): the open version that
   * began before validFrom ends there; the new one ends where the next stored version begins (or
   * stays open). Overlap with a closed version is left to the exclusion constraint to refuse.
   */
  addVersion(client: PoolClient, resourceId: number, validFrom: Date, metadata: Record<string, unknown>): Promise<DbMetadataRow> {
    return addVersion<DbMetadataRow>(
      client,
      {
        table: 'resource_metadata',
        key: { resource_id: resourceId },
        validFrom,
        validTo: null,
        values: { metadata: JSON.stringify(metadata) },
      },
      ident('resource_id, valid_from, valid_to, metadata'),
    );
  }

  /** The stored version of a resource that contains the instant. */
  async versionContaining(resource: string, at: Date): Promise<DbMetadataRow | undefined> {
    const instant = bind(at);
    const { rows } = await this.pool.query<DbMetadataRow>(
      query(sql`SELECT m.resource_id, m.valid_from, m.valid_to, m.metadata FROM resource_metadata m JOIN resources r ON r.id = m.resource_id
       WHERE r.external_id = ${resource} AND m.valid_from <= ${instant} AND (m.valid_to IS NULL OR m.valid_to > ${instant})`),
    );
    return rows[0];
  }
}
