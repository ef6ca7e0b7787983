import type { Pool } from 'pg';
import { bind, prepared, query, sql, type Sql } from '../../common/sql';
import type { PeriodSpec } from './usage.calendar';
import { boundariesSql } from './usage.sql';

/** Questions about the calendar of usage that no usage table answers: PostgreSQL's time zones do. */
export class UsageRepository {
  constructor(private readonly pool: Pool) {}

  /** The periods [start, end) of [from, to) in a zone, in order, exactly as statistics bucket records. */
  async periods(q: { from: Date; to: Date; period: PeriodSpec | null; timeZone: string }): Promise<{ start: Date; end: Date }[]> {
    const from = sql`${bind(q.from)}::timestamptz`;
    const to = sql`${bind(q.to)}::timestamptz`;
    // Bound only where used: PostgreSQL cannot type a parameter that no expression uses.
    let zone: Sql | undefined;
    const bounds = boundariesSql(q, from, to, () => (zone ??= sql`${bind(q.timeZone)}::text`));
    const statement = sql`WITH bounds AS (${bounds})
      SELECT b[k] AS start, b[k + 1] AS "end" FROM bounds CROSS JOIN generate_series(1, array_length(b, 1) - 1) AS k ORDER BY k`;
    const { rows } = await this.pool.query<{ start: Date; end: Date }>(prepared(query(statement)));
    return rows;
  }
}
