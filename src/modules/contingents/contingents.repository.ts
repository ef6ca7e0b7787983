import type { Pool } from 'pg';
import { bind, ident, query, sql } from '../../common/sql';
import type { DbContingentRow, DbContingentStatusRow } from './contingents.mapping';
import { CALENDAR } from '../usage/usage.calendar';
import { weightedSumSql } from '../usage/usage.sql';
import type { ContingentPeriod } from './contingents.types';

const COLUMNS = sql`c.id, p.name AS project, c.meter_id, cp.name AS compute_project, c.period, c.time_zone,
  c.valid_from, c.valid_to, c.amount, c.description, c.created_at, c.updated_at`;

/** The names a contingent is shown with, joined to `c` (the table, or rows just written). */
const NAMES = sql`JOIN projects p ON p.id = c.project_id
  JOIN meters m ON m.id = c.meter_id
  LEFT JOIN compute_projects cp ON cp.id = c.compute_project_id`;

const ORDER = ident('ORDER BY p.name, m.name, cp.name NULLS FIRST, c.valid_from');

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
    const zone = bind(timeZone);
    const {
      rows: [row],
    } = await this.pool.query<{ start: Date; end: Date }>(
      query(sql`SELECT l AT TIME ZONE ${zone} AS start, (l + ${step}::interval) AT TIME ZONE ${zone} AS "end"
       FROM (SELECT date_trunc(${trunc}, ${at}::timestamptz AT TIME ZONE ${zone}) AS l) AS s`),
    );
    return row;
  }

  /** The row ids of a project and a compute project, each null when no report has named it. */
  async dimensionIds(
    project: string,
    computeProject: string | null,
  ): Promise<{ project_id: number | null; compute_project_id: number | null }> {
    const {
      rows: [row],
    } = await this.pool.query<{ project_id: number | null; compute_project_id: number | null }>(
      query(
        sql`SELECT (SELECT id FROM projects WHERE name = ${project}) AS project_id, (SELECT id FROM compute_projects WHERE name = ${computeProject}) AS compute_project_id`,
      ),
    );
    return row;
  }

  /** Contingents whose period overlaps [from, to) (either end may be open). */
  async list(q: ContingentQuery): Promise<DbContingentRow[]> {
    const projects = bind(q.projects);
    const meterId = bind(q.meterId);
    const from = bind(q.from);
    const to = bind(q.to);
    const { rows } = await this.pool.query<DbContingentRow>(
      query(sql`SELECT ${COLUMNS} FROM contingents c ${NAMES}
       WHERE (${projects}::text[] IS NULL OR p.name = ANY(${projects}))
         AND (${meterId}::int IS NULL OR c.meter_id = ${meterId})
         AND (${from}::timestamptz IS NULL OR c.valid_to > ${from})
         AND (${to}::timestamptz IS NULL OR c.valid_from < ${to})
       ${ORDER}`),
    );
    return rows;
  }

  /**
   * Creates the contingent, or updates the one with the same project, meter, compute project and
   * period (the unique key contingents_period_key). updated_at moves only when something changed.
   */
  async upsert(c: ContingentRow): Promise<DbContingentRow> {
    const v = values(c);
    const {
      rows: [row],
    } = await this.pool.query<DbContingentRow>(
      query(sql`WITH c AS (
         INSERT INTO contingents AS c (project_id, meter_id, compute_project_id, period, time_zone, valid_from, valid_to, amount, description)
         VALUES (${v.projectId}, ${v.meterId}, ${v.computeProjectId}, ${v.period}::contingent_period, ${v.timeZone}, ${v.from}, ${v.to}, ${v.amount}::numeric, ${v.description})
         ON CONFLICT ON CONSTRAINT contingents_period_key DO UPDATE SET
           period = EXCLUDED.period, time_zone = EXCLUDED.time_zone, amount = EXCLUDED.amount,
           description = CASE WHEN ${v.setDescription} THEN EXCLUDED.description ELSE c.description END,
           updated_at = CASE WHEN (c.period, c.time_zone, c.amount, c.description)
                                  IS NOT DISTINCT FROM (EXCLUDED.period, EXCLUDED.time_zone, EXCLUDED.amount,
                                                        CASE WHEN ${v.setDescription} THEN EXCLUDED.description ELSE c.description END)
                             THEN c.updated_at ELSE now() END
         RETURNING *)
       SELECT ${COLUMNS} FROM c ${NAMES}`),
    );
    return row;
  }

  /** Replaces the contingent with this id; undefined when there is none. */
  async update(id: number, c: ContingentRow): Promise<DbContingentRow | undefined> {
    const v = values(c);
    const written = sql`${v.projectId}, ${v.meterId}, ${v.computeProjectId}, ${v.period}::contingent_period, ${v.timeZone}, ${v.from}, ${v.to}, ${v.amount}::numeric`;
    const description = sql`CASE WHEN ${v.setDescription} THEN ${v.description} ELSE c.description END`;
    const {
      rows: [row],
    } = await this.pool.query<DbContingentRow>(
      query(sql`WITH c AS (
         UPDATE contingents AS c SET
           project_id = ${v.projectId}, meter_id = ${v.meterId}, compute_project_id = ${v.computeProjectId}, period = ${v.period}::contingent_period, time_zone = ${v.timeZone},
           valid_from = ${v.from}, valid_to = ${v.to}, amount = ${v.amount}::numeric,
           description = ${description},
           updated_at = CASE WHEN (c.project_id, c.meter_id, c.compute_project_id, c.period, c.time_zone, c.valid_from, c.valid_to, c.amount, c.description)
                                  IS NOT DISTINCT FROM (${written},
                                                        ${description})
                             THEN c.updated_at ELSE now() END
         WHERE c.id = ${id}
         RETURNING *)
       SELECT ${COLUMNS} FROM c ${NAMES}`),
    );
    return row;
  }

  async delete(id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(query(sql`DELETE FROM contingents WHERE id = ${id}`));
    return rowCount === 1;
  }

  /** A stored contingent of the same project, meter and compute project whose period overlaps [from, to), other than `except`. */
  async overlapping(c: ContingentRow, except: number | null): Promise<DbContingentRow | undefined> {
    const other = bind(except);
    const { rows } = await this.pool.query<DbContingentRow>(
      query(sql`SELECT ${COLUMNS} FROM contingents c ${NAMES}
       WHERE c.project_id = ${c.projectId} AND c.meter_id = ${c.meterId} AND c.compute_project_id IS NOT DISTINCT FROM ${c.computeProjectId}
         AND tstzrange(c.valid_from, c.valid_to, '[)') && tstzrange(${c.from}, ${c.to}, '[)')
         AND (${other}::int IS NULL OR c.id <> ${other})
       ORDER BY c.valid_from LIMIT 1`),
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
    const instant = sql`${bind(at)}::timestamptz`;
    const { rows } = await this.pool.query<DbContingentStatusRow>(
      query(sql`SELECT ${COLUMNS}, ${instant} AS at, u.used, c.amount - u.used AS remaining,
              u.used / nullif(c.amount, 0) AS share_used,
              h.left_hours AS hours_left,
              greatest(c.amount - u.used, 0) / h.left_hours AS required_rate,
              u.used / nullif(h.elapsed_hours, 0) AS average_rate,
              u.used * h.total_hours / nullif(h.elapsed_hours, 0) AS projected_use
       FROM contingents c ${NAMES}
       CROSS JOIN LATERAL (
         SELECT ${weightedSumSql({ project: ident('c.project_id'), meter: ident('c.meter_id'), computeProject: ident('c.compute_project_id'), from: ident('c.valid_from'), to: instant })} AS used
         -- Computed once: without the fence PostgreSQL inlines it into each expression that uses it.
         OFFSET 0) AS u
       CROSS JOIN LATERAL (
         SELECT extract(epoch FROM c.valid_to - ${instant}) / 3600 AS left_hours,
                extract(epoch FROM ${instant} - c.valid_from) / 3600 AS elapsed_hours,
                extract(epoch FROM c.valid_to - c.valid_from) / 3600 AS total_hours) AS h
       WHERE p.name = ${project} AND c.valid_from <= ${instant} AND c.valid_to > ${instant}
       ${ORDER}`),
    );
    return rows;
  }
}

/** A contingent's values, each one parameter wherever a statement names it. */
function values(c: ContingentRow) {
  return {
    projectId: bind(c.projectId),
    meterId: bind(c.meterId),
    computeProjectId: bind(c.computeProjectId),
    period: bind(c.period),
    timeZone: bind(c.timeZone),
    from: bind(c.from),
    to: bind(c.to),
    amount: bind(String(c.amount)),
    description: bind(c.description ?? null),
    /** Whether the description is written: false keeps the stored one. */
    setDescription: bind(c.description !== undefined),
  };
}
