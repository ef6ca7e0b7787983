import type { Pool } from 'pg';

/** Each dimension's table and its column in usage_events. Fixed here; never taken from input. */
export const DIMENSIONS = {
  users: { table: 'users', column: 'user_id' },
  projects: { table: 'projects', column: 'project_id' },
  computeProjects: { table: 'compute_projects', column: 'compute_project_id' },
  sources: { table: 'sources', column: 'source_id' },
} as const;
export type DimensionName = keyof typeof DIMENSIONS;

export interface DimensionRow {
  name: string;
  created_at: Date;
}

export interface DimensionQuery {
  project: string | null;
  /** The projects the caller may see; null: all. */
  visible: string[] | null;
  from: Date | null;
  to: Date | null;
  after: string | null;
  limit: number;
}

export class DiscoveryRepository {
  constructor(private readonly pool: Pool) {}

  async list(dimension: DimensionName, q: DimensionQuery): Promise<DimensionRow[]> {
    const { table, column } = DIMENSIONS[dimension];
    const { rows } = await this.pool.query<DimensionRow>(
      `SELECT d.name, d.created_at FROM ${table} d
       WHERE ($1::text IS NULL OR d.name > $1)
         AND (($2::text IS NULL AND $3::timestamptz IS NULL AND $6::text[] IS NULL) OR EXISTS (
               SELECT 1 FROM usage_events e
               WHERE e.${column} = d.id
                 AND ($2::text IS NULL OR e.project_id = (SELECT id FROM projects WHERE name = $2))
                 AND ($6::text[] IS NULL OR e.project_id IN (SELECT id FROM projects WHERE name = ANY($6)))
                 AND ($3::timestamptz IS NULL OR (e.start_time >= $3 AND e.start_time < $4))))
       ORDER BY d.name
       LIMIT $5`,
      [q.after, q.project, q.from, q.to, q.limit, q.visible],
    );
    return rows;
  }
}
