import type { Pool } from 'pg';
import { bind, ident, query, sql } from '../../common/sql';

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
    const table = ident(DIMENSIONS[dimension].table);
    const column = ident(DIMENSIONS[dimension].column);
    const project = bind(q.project);
    const visible = bind(q.visible);
    const from = bind(q.from);
    const { rows } = await this.pool.query<DimensionRow>(
      query(sql`SELECT d.name, d.created_at FROM ${table} d
       WHERE (${q.after}::text IS NULL OR d.name > ${q.after})
         AND ((${project}::text IS NULL AND ${from}::timestamptz IS NULL AND ${visible}::text[] IS NULL) OR EXISTS (
               SELECT 1 FROM usage_events e
               WHERE e.${column} = d.id
                 AND (${project}::text IS NULL OR e.project_id = (SELECT id FROM projects WHERE name = ${project}))
                 AND (${visible}::text[] IS NULL OR e.project_id IN (SELECT id FROM projects WHERE name = ANY(${visible})))
                 AND (${from}::timestamptz IS NULL OR (e.start_time >= ${from} AND e.start_time < ${q.to}))))
       ORDER BY d.name
       LIMIT ${q.limit}`),
    );
    return rows;
  }
}
