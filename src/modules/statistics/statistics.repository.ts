import type { Pool } from 'pg';
import { bind, prepared, query, sql } from '../../common/sql';
import type { DbStatisticsRow } from './statistics.mapping';
import { statisticsSql, type StatisticsQuery } from './statistics.sql';

export class StatisticsRepository {
  constructor(private readonly pool: Pool) {}

  /** The whole aggregation in one statement. */
  async aggregate(q: StatisticsQuery): Promise<DbStatisticsRow[]> {
    const { rows } = await this.pool.query<DbStatisticsRow>(prepared(statisticsSql(q)));
    return rows;
  }

  /** The names among these that some record (of the given projects; null: any) has as an additional metric. */
  async knownMetrics(names: readonly string[], projects: readonly string[] | null): Promise<Set<string>> {
    const visible = bind(projects);
    const { rows } = await this.pool.query<{ metric: string }>(
      query(sql`SELECT m AS metric FROM unnest(${names}::text[]) AS m
       WHERE EXISTS (SELECT 1 FROM usage_metrics um JOIN usage_events e ON e.project_id = um.project_id AND e.id = um.event_id
                     WHERE um.metric = m AND (${visible}::text[] IS NULL OR e.project_id IN (SELECT id FROM projects WHERE name = ANY(${visible}))))`),
    );
    return new Set(rows.map((r) => r.metric));
  }
}
