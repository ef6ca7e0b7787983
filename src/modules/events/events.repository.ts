import type { Pool } from 'pg';
import { ident, join, prepared, query, sql } from '../../common/sql';
import { usageFilterSql, type UsageFilter } from '../usage/usage-filter';
import type { DbEventRow, DbMetricRow } from './events.mapping';

export interface EventQuery {
  from: Date;
  to: Date;
  meterIds: number[] | null;
  filter: UsageFilter | null | undefined;
  descending: boolean;
  /** The (start, id) of the last event of the previous page. */
  after: { start: Date; id: string } | null;
  limit: number;
}

export class EventsRepository {
  constructor(private readonly pool: Pool) {}

  /** One page in (start, id) order: a keyset, so a deep page costs what the first costs. */
  async page(q: EventQuery): Promise<DbEventRow[]> {
    const where = [sql`e.start_time >= ${q.from}`, sql`e.start_time < ${q.to}`, ...usageFilterSql(q.filter)];
    if (q.meterIds) where.push(sql`e.meter_id = ANY(${q.meterIds}::int[])`);
    const direction = q.descending ? ident('DESC') : ident('ASC');
    if (q.after) {
      where.push(
        sql`(e.start_time, e.id) ${q.descending ? ident('<') : ident('>')} (${q.after.start}::timestamptz, ${q.after.id}::bigint)`,
      );
    }
    // The page is chosen first; names are joined to its rows only.
    const statement = sql`SELECT e.id, e.parent_id, e.meter_id, e.project_id, e.resource_id, p.name AS project, cp.name AS compute_project, u.name AS "user",
              s.name AS source, e.start_time, e.end_time, e.duration, e.volume, e.contingent_factor, e.operation_count,
              e.partition, e.priority, e.additional_data
       FROM (SELECT * FROM usage_events e
             WHERE ${join(where, ' AND ')}
             ORDER BY e.start_time ${direction}, e.id ${direction}
             LIMIT ${q.limit}) AS e
       JOIN projects p ON p.id = e.project_id
       JOIN sources s ON s.id = e.source_id
       LEFT JOIN compute_projects cp ON cp.id = e.compute_project_id
       LEFT JOIN users u ON u.id = e.user_id
       ORDER BY e.start_time ${direction}, e.id ${direction}`;
    const { rows } = await this.pool.query<DbEventRow>(prepared(query(statement)));
    return rows;
  }

  async metrics(eventIds: readonly string[]): Promise<DbMetricRow[]> {
    const { rows } = await this.pool.query<DbMetricRow>(
      query(
        sql`SELECT event_id, metric, volume, contingent_factor FROM usage_metrics WHERE event_id = ANY(${eventIds}::bigint[]) ORDER BY event_id, metric`,
      ),
    );
    return rows;
  }
}
