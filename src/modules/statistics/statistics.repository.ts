import type { Pool } from 'pg';
import type { DbStatisticsRow } from './statistics.mapping';
import { statisticsSql, type StatisticsQuery } from './statistics.sql';

export class StatisticsRepository {
  constructor(private readonly pool: Pool) {}

  /** The whole aggregation in one statement. */
  async aggregate(q: StatisticsQuery): Promise<DbStatisticsRow[]> {
    const { text, values } = statisticsSql(q);
    const { rows } = await this.pool.query<DbStatisticsRow>(text, values);
    return rows;
  }

  /** The names among these that some record has as an additional metric. */
  async knownMetrics(names: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ metric: string }>(
      'SELECT m AS metric FROM unnest($1::text[]) AS m WHERE EXISTS (SELECT 1 FROM usage_metrics WHERE metric = m)',
      [names],
    );
    return new Set(rows.map((r) => r.metric));
  }
}
