import type { Pool } from 'pg';
import type { DbContingentRow, DbContingentStatusRow } from './contingents.mapping';
import { CALENDAR } from '../usage/usage.calendar';
import { weightedSumSql } from '../usage/usage.sql';
import type { ContingentPeriod } from './contingents.types';

const COLUMNS = `c.id, p.name AS project, c.meter_id, cp.name AS compute_project, c.period, c.time_zone,
  c.valid_from, c.valid_to, c.amount, c.description, c.created_at, c.updated_at`;

/** The names a contingent is shown with, joined to `c` (the table, or rows just written). */
const NAMES = `JOIN projects p ON p.id = c.project_id
  JOIN meters m ON m.id = c.meter_id
  LEFT JOIN compute_projects cp ON cp.id = c.compute_project_id`;

const ORDER = 'ORDER BY p.name, m.name, cp.name NULLS FIRST, c.valid_from';

/** A contingent to write, in row ids. */
export interface ContingentRow {
  projectId: number;
  meterId: number;
  computeProjectId: number | null;
  period: ContingentPeriod;
  timeZone: string;
  from: Date;
  to: Date;
  amount: number;
  /** undefined: keep the stored description (null for a new contingent). */
  description: string | null | undefined;
}

export interface ContingentQuery {
  /** The projects the caller may see and asked for; null: all. */
  projects: string[] | null;
  meterId: number | null;
  from: Date | null;
  to: Date | null;
}

export class ContingentsRepository {
  constructor(private readonly pool: Pool) {}

  /** The calendar month, quarter or year of the time zone that holds the instant. */
  async calendarPeriod(at: Date, period: Exclude<ContingentPeriod, 'CUSTOM'>, timeZone: string): Promise<{ start: Date; end: Date }> {
    const { trunc, step } = CALENDAR[period];
    const { rows: [row] } = await this.pool.query<{ start: Date; end: Date }>(
      `SELECT l AT TIME ZONE $2 AS start, (l + $4::interval) AT TIME ZONE $2 AS "end"
       FROM (SELECT date_trunc($3, $1::timestamptz AT TIME ZONE $2) AS l) AS s`,
      [at, timeZone, trunc, step],
    );
    return row;
  }

  /** The row ids of a project and a compute project, each null when no report has named it. */
  async dimensionIds(project: string, computeProject: string | null): Promise<{ project_id: number | null; compute_project_id: number | null }> {
    const { rows: [row] } = await this.pool.query<{ project_id: number | null; compute_project_id: number | null }>(
      `SELECT (SELECT id FROM projects WHERE name = $1) AS project_id, (SELECT id FROM compute_projects WHERE name = $2) AS compute_project_id`,
      [project, computeProject],
    );
    return row;
  }

  /** Contingents whose period overlaps [from, to) (either end may be open). */
  async list(q: ContingentQuery): Promise<DbContingentRow[]> {
    const { rows } = await this.pool.query<DbContingentRow>(
      `SELECT ${COLUMNS} FROM contingents c ${NAMES}
       WHERE ($1::text[] IS NULL OR p.name = ANY($1))
         AND ($2::int IS NULL OR c.meter_id = $2)
         AND ($3::timestamptz IS NULL OR c.valid_to > $3)
         AND ($4::timestamptz IS NULL OR c.valid_from < $4)
       ${ORDER}`,
      [q.projects, q.meterId, q.from, q.to],
    );
    return rows;
  }

  /**
   * Creates the contingent, or updates the one with the same project, meter, compute project and
   * period (the unique key contingents_period_key). updated_at moves only when something changed.
   */
  async upsert(c: ContingentRow): Promise<DbContingentRow> {
    const { rows: [row] } = await this.pool.query<DbContingentRow>(
      `WITH c AS (
         INSERT INTO contingents AS c (project_id, meter_id, compute_project_id, period, time_zone, valid_from, valid_to, amount, description)
         VALUES ($1, $2, $3, $4::contingent_period, $5, $6, $7, $8::numeric, $9)
         ON CONFLICT ON CONSTRAINT contingents_period_key DO UPDATE SET
           period = EXCLUDED.period, time_zone = EXCLUDED.time_zone, amount = EXCLUDED.amount,
           description = CASE WHEN $10 THEN EXCLUDED.description ELSE c.description END,
           updated_at = CASE WHEN (c.period, c.time_zone, c.amount, c.description)
                                  IS NOT DISTINCT FROM (EXCLUDED.period, EXCLUDED.time_zone, EXCLUDED.amount,
                                                        CASE WHEN $10 THEN EXCLUDED.description ELSE c.description END)
                             THEN c.updated_at ELSE now() END
         RETURNING *)
       SELECT ${COLUMNS} FROM c ${NAMES}`,
      [...values(c), c.description !== undefined],
    );
    return row;
  }

  /** Replaces the contingent with this id; undefined when there is none. */
  async update(id: number, c: ContingentRow): Promise<DbContingentRow | undefined> {
    const { rows: [row] } = await this.pool.query<DbContingentRow>(
      `WITH c AS (
         UPDATE contingents AS c SET
           project_id = $1, meter_id = $2, compute_project_id = $3, period = $4::contingent_period, time_zone = $5,
           valid_from = $6, valid_to = $7, amount = $8::numeric,
           description = CASE WHEN $10 THEN $9 ELSE c.description END,
           updated_at = CASE WHEN (c.project_id, c.meter_id, c.compute_project_id, c.period, c.time_zone, c.valid_from, c.valid_to, c.amount, c.description)
                                  IS NOT DISTINCT FROM ($1, $2, $3, $4::contingent_period, $5, $6, $7, $8::numeric,
                                                        CASE WHEN $10 THEN $9 ELSE c.description END)
                             THEN c.updated_at ELSE now() END
         WHERE c.id = $11
         RETURNING *)
       SELECT ${COLUMNS} FROM c ${NAMES}`,
      [...values(c), c.description !== undefined, id],
    );
    return row;
  }

  async delete(id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM contingents WHERE id = $1', [id]);
    return rowCount === 1;
  }

  /** A stored contingent of the same project, meter and compute project whose period overlaps [from, to), other than `except`. */
  async overlapping(c: ContingentRow, except: number | null): Promise<DbContingentRow | undefined> {
    const { rows } = await this.pool.query<DbContingentRow>(
      `SELECT ${COLUMNS} FROM contingents c ${NAMES}
       WHERE c.project_id = $1 AND c.meter_id = $2 AND c.compute_project_id IS NOT DISTINCT FROM $3
         AND tstzrange(c.valid_from, c.valid_to, '[)') && tstzrange($4, $5, '[)')
         AND ($6::int IS NULL OR c.id <> $6)
       ORDER BY c.valid_from LIMIT 1`,
      [c.projectId, c.meterId, c.computeProjectId, c.from, c.to, except],
    );
    return rows[0];
  }

  /**
   * The status at `at` of every contingent of the project whose period holds it, in one
   * statement. used is the weighted volume of the records of the contingent's project and meter
   * (and compute project, if it has one) that started in [from, at); everything is computed in
   * numeric, so that used and remaining are exact decimal sums, as in statistics (usage.sql.ts
   * weightedSumSql reads whole hours from the rollups).
   */
  async status(project: string, at: Date): Promise<DbContingentStatusRow[]> {
    const { rows } = await this.pool.query<DbContingentStatusRow>(
      `SELECT ${COLUMNS}, $2::timestamptz AS at, u.used, c.amount - u.used AS remaining,
              u.used / nullif(c.amount, 0) AS share_used,
              h.left_hours AS hours_left,
              greatest(c.amount - u.used, 0) / h.left_hours AS required_rate,
              u.used / nullif(h.elapsed_hours, 0) AS average_rate,
              u.used * h.total_hours / nullif(h.elapsed_hours, 0) AS projected_use
       FROM contingents c ${NAMES}
       CROSS JOIN LATERAL (
         SELECT ${weightedSumSql({ project: 'c.project_id', meter: 'c.meter_id', computeProject: 'c.compute_project_id', from: 'c.valid_from', to: '$2::timestamptz' })} AS used
         -- Computed once: without the fence PostgreSQL inlines it into each expression that uses it.
         OFFSET 0) AS u
       CROSS JOIN LATERAL (
         SELECT extract(epoch FROM c.valid_to - $2::timestamptz) / 3600 AS left_hours,
                extract(epoch FROM $2::timestamptz - c.valid_from) / 3600 AS elapsed_hours,
                extract(epoch FROM c.valid_to - c.valid_from) / 3600 AS total_hours) AS h
       WHERE p.name = $1 AND c.valid_from <= $2::timestamptz AND c.valid_to > $2::timestamptz
       ${ORDER}`,
      [project, at],
    );
    return rows;
  }
}

function values(c: ContingentRow): unknown[] {
  return [c.projectId, c.meterId, c.computeProjectId, c.period, c.timeZone, c.from, c.to, String(c.amount), c.description ?? null];
}
