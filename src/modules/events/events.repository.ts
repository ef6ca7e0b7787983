import type { Pool } from 'pg';
import { ident, join, prepared, query, sql, type Sql } from '../../common/sql';
import { usageFilterSql, type UsageFilter } from '../usage/usage-filter';
import type { DbEventRow, DbMetricRow, EventColumn } from './events.mapping';

export interface EventQuery {
  from: Date;
  to: Date;
  meterIds: number[] | null;
  filter: UsageFilter | null | undefined;
  descending: boolean;
  /** The (start, id) of the last event of the previous page. */
  after: { start: Date; id: string } | null;
  limit: number;
  /** The columns the page's rows must carry (id and start_time always). */
  columns: ReadonlySet<EventColumn>;
}

/** Each column of a page's rows, in the order they are selected. */
const SELECT: Record<EventColumn, Sql> = {
  id: sql`e.id`,
  parent_id: sql`e.parent_id`,
  meter_id: sql`e.meter_id`,
  project_id: sql`e.project_id`,
  resource_id: sql`e.resource_id`,
  project: sql`p.name AS project`,
  compute_project: sql`cp.name AS compute_project`,
  user: sql`u.name AS "user"`,
  source: sql`s.name AS source`,
  // As epoch milliseconds (exact: instants are whole milliseconds), which pg reads with
  // parseFloat, where a timestamptz costs it a regular expression and a Date built from parts.
  start_time: sql`(extract(epoch FROM e.start_time) * 1000)::float8 AS start_time`,
  end_time: sql`(extract(epoch FROM e.end_time) * 1000)::float8 AS end_time`,
  duration: sql`e.duration`,
  volume: sql`e.volume`,
  contingent_factor: sql`e.contingent_factor`,
  operation_count: sql`e.operation_count`,
  partition: sql`e.partition`,
  priority: sql`e.priority`,
  additional_data: sql`e.additional_data`,
};

/** The dimension tables a name column is read from, joined to the page's rows only when selected. */
const JOINS: Partial<Record<EventColumn, Sql>> = {
  project: sql`JOIN projects p ON p.id = e.project_id`,
  source: sql`JOIN sources s ON s.id = e.source_id`,
  compute_project: sql`LEFT JOIN compute_projects cp ON cp.id = e.compute_project_id`,
  user: sql`LEFT JOIN users u ON u.id = e.user_id`,
};

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
    // The page is chosen first; names are joined to its rows only, and only the columns the query
    // selects are read (a page of 100 asking for three fields reads three columns and no names).
    const columns = (Object.keys(SELECT) as EventColumn[]).filter((c) => q.columns.has(c));
    const joins = columns.flatMap((c) => JOINS[c] ?? []);
    const statement = sql`SELECT ${join(columns.map((c) => SELECT[c]))}
FROM (SELECT * FROM usage_events e
      WHERE ${join(where, ' AND ')}
      ORDER BY e.start_time ${direction}, e.id ${direction}
      LIMIT ${q.limit}) AS e${joins.length > 0 ? sql`\n${join(joins, '\n')}` : sql``}
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
