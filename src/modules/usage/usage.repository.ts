import type { Pool } from 'pg';
import { prepared, SqlParams } from '../../common/sql';
import type { PeriodSpec } from './usage.calendar';
import { boundariesSql } from './usage.sql';

/** Questions about the calendar of usage that no usage table answers: PostgreSQL's time zones do. */
export class UsageRepository {
  constructor(private readonly pool: Pool) {}

  /** The periods [start, end) of [from, to) in a zone, in order, exactly as statistics bucket records. */
  async periods(q: { from: Date; to: Date; period: PeriodSpec | null; timeZone: string }): Promise<{ start: Date; end: Date }[]> {
    const p = new SqlParams();
    const from = `${p.add(q.from)}::timestamptz`;
    const to = `${p.add(q.to)}::timestamptz`;
    // Bound only where used: PostgreSQL cannot type a parameter that no expression uses.
    let zone: string | undefined;
    const bounds = boundariesSql(q, from, to, () => (zone ??= `${p.add(q.timeZone)}::text`), p);
    const text = `WITH bounds AS (${bounds})
      SELECT b[k] AS start, b[k + 1] AS "end" FROM bounds CROSS JOIN generate_series(1, array_length(b, 1) - 1) AS k ORDER BY k`;
    const { rows } = await this.pool.query<{ start: Date; end: Date }>(prepared({ text, values: p.values }));
    return rows;
  }
}
