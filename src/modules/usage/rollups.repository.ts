import type { PoolClient } from 'pg';
import { EVENT_ROLLUP_AGGREGATES, ROLLUP_AGGREGATES, ROLLUP_DIMENSIONS } from './aggregates.sql';
import { HOUR_ROLLUP_ZONE } from './usage.sql';

const DIMENSIONS = ROLLUP_DIMENSIONS.join(', ');
const E_DIMENSIONS = ROLLUP_DIMENSIONS.map((d) => `e.${d}`).join(', ');
const COLUMNS = `grain, time_zone, bucket_start, meter_id, ${DIMENSIONS}, discrete,
                 count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count`;
// The advisory lock that serialises rollup maintenance.
const ROLLUP_LOCK = 7_366_001;

/** Usage of a meter in a project that a batch wrote. */
export interface WrittenUsage {
  project: number;
  meter: number;
  start: Date;
  end: Date | null;
}

/**
 * All SQL of the tables kept beside the events: the rollups, the hours whose rollups are dirty,
 * and the longest record of each meter (where prorated queries start reading).
 */
export class RollupsRepository {
  /**
   * Tells the rollups of usage a batch wrote, in the batch's transaction: its hours become dirty,
   * and its records' durations may lengthen the longest.
   */
  async recordWritten(client: PoolClient, usage: WrittenUsage[]): Promise<void> {
    await this.recordDurations(client, usage);
    await this.markRollupsDirty(client, usage);
  }

  /** Keeps the longest record of each project and meter: where prorated statistics start reading. */
  private async recordDurations(client: PoolClient, usage: WrittenUsage[]): Promise<void> {
    const written = usage.filter((u) => u.end !== null).map((u) => ({ ...u, seconds: (u.end!.getTime() - u.start.getTime()) / 1000 }));
    if (written.length === 0) return;
    await client.query(
      `INSERT INTO record_durations AS d (project_id, meter_id, max_seconds)
       SELECT project_id, meter_id, max(seconds) FROM unnest($1::int[], $2::int[], $3::float8[]) AS w(project_id, meter_id, seconds)
       GROUP BY 1, 2 ORDER BY 1, 2
       ON CONFLICT (project_id, meter_id) DO UPDATE SET max_seconds = EXCLUDED.max_seconds WHERE EXCLUDED.max_seconds > d.max_seconds`,
      [written.map((w) => w.project), written.map((w) => w.meter), written.map((w) => w.seconds)],
    );
  }

  /** The hours whose rollups the written records change: refresh recomputes them. */
  private async markRollupsDirty(client: PoolClient, written: WrittenUsage[]): Promise<void> {
    if (written.length === 0) return;
    await client.query(
      `INSERT INTO usage_rollup_dirty (project_id, meter_id, hour)
       SELECT DISTINCT project_id, meter_id, date_bin('1 hour', start_time, timestamptz '2000-01-01 00:00:00+00')
       FROM unnest($1::int[], $2::int[], $3::timestamptz[]) AS w(project_id, meter_id, start_time)
       ORDER BY 1, 2, 3
       ON CONFLICT DO NOTHING`,
      [written.map((w) => w.project), written.map((w) => w.meter), written.map((w) => w.start.toISOString())],
    );
  }


  /**
   * Takes up to `limit` dirty hours and recomputes their hour rollups, and the day and month
   * rollups of every built zone that hold them, in the caller's transaction. Returns how many
   * hours it took.
   */
  async refresh(client: PoolClient, limit: number): Promise<number> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    // Dirty marks are per project; rollups are recomputed per (meter, hour), for all projects.
    const { rows: claimed } = await client.query<{ meter_id: number; hour: Date }>(
      `WITH taken AS (
         DELETE FROM usage_rollup_dirty WHERE (meter_id, hour) IN (SELECT DISTINCT meter_id, hour FROM usage_rollup_dirty ORDER BY hour LIMIT $1)
         RETURNING meter_id, hour)
       SELECT DISTINCT meter_id, hour FROM taken`,
      [limit],
    );
    if (claimed.length === 0) return 0;
    const pairs = [claimed.map((c) => c.meter_id), claimed.map((c) => c.hour)];
    await client.query(
      `DELETE FROM usage_rollups r USING unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
       WHERE r.grain = 'hour' AND r.meter_id = d.meter_id AND r.bucket_start = d.hour`,
      pairs,
    );
    await client.query(
      `INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'hour', '${HOUR_ROLLUP_ZONE}', d.hour, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
       FROM unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)
       JOIN usage_events e ON e.meter_id = d.meter_id AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
       GROUP BY d.hour, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`,
      pairs,
    );
    const { rows: zones } = await client.query<{ time_zone: string }>('SELECT time_zone FROM usage_rollup_zones');
    for (const { time_zone: zone } of zones) {
      await this.rebuildLocal(client, zone, 'day', `SELECT DISTINCT d.meter_id, date_trunc('day', d.hour AT TIME ZONE $3) AS local
                                                     FROM unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)`, pairs);
      await this.rebuildLocal(client, zone, 'month', `SELECT DISTINCT d.meter_id, date_trunc('month', d.hour AT TIME ZONE $3) AS local
                                                       FROM unnest($1::int[], $2::timestamptz[]) AS d(meter_id, hour)`, pairs);
    }
    return claimed.length;
  }

  /**
   * A local day that starts and ends on UTC hours (every day of a whole-hour zone) is composed
   * from its hours' rollups; any other day (Asia/Kolkata's) from events. Months come from the
   * zone's days, which partition them.
   */
  private async rebuildLocal(client: PoolClient, zone: string, grain: 'day' | 'month', buckets: string, pairs: unknown[][]): Promise<void> {
    const step = grain === 'day' ? "interval '1 day'" : "interval '1 month'";
    const spans = `SELECT meter_id, local AT TIME ZONE $3 AS start_at, (local + ${step}) AT TIME ZONE $3 AS end_at FROM (${buckets}) AS b`;
    await client.query(
      `DELETE FROM usage_rollups r USING (${spans}) AS s
       WHERE r.grain = '${grain}' AND r.time_zone = $3 AND r.meter_id = s.meter_id AND r.bucket_start = s.start_at`,
      [...pairs, zone],
    );
    const onHours = `date_bin('1 hour', s.start_at, timestamptz '2000-01-01 00:00:00+00') = s.start_at
                     AND date_bin('1 hour', s.end_at, timestamptz '2000-01-01 00:00:00+00') = s.end_at`;
    const composed = (source: 'hour' | 'day') =>
      `SELECT '${grain}', $3, s.start_at, e.meter_id, ${E_DIMENSIONS}, e.discrete, ${ROLLUP_AGGREGATES}
       FROM spans s JOIN usage_rollups e ON e.grain = '${source}' AND e.time_zone = ${source === 'hour' ? `'${HOUR_ROLLUP_ZONE}'` : '$3'}
         AND e.meter_id = s.meter_id AND e.bucket_start >= s.start_at AND e.bucket_start < s.end_at
       ${source === 'hour' ? `WHERE ${onHours}` : ''}
       GROUP BY s.start_at, e.meter_id, ${E_DIMENSIONS}, e.discrete`;
    const fromEvents = `SELECT '${grain}', $3, s.start_at, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
       FROM spans s JOIN usage_events e ON e.meter_id = s.meter_id AND e.start_time >= s.start_at AND e.start_time < s.end_at
       WHERE NOT (${onHours})
       GROUP BY s.start_at, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`;
    await client.query(
      `WITH spans AS (${spans})
       INSERT INTO usage_rollups (${COLUMNS})
       ${grain === 'day' ? `${composed('hour')} UNION ALL ${fromEvents}` : composed('day')}`,
      [...pairs, zone],
    );
  }

  /**
   * Recomputes every rollup from all usage in one pass each: cheaper than hour by hour when most
   * hours are dirty (a first load, a restore). Returns how many dirty hours it cleared.
   */
  async rebuildAll(client: PoolClient): Promise<number> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    const { rows: [{ n }] } = await client.query<{ n: number }>(
      'WITH taken AS (DELETE FROM usage_rollup_dirty RETURNING meter_id, hour) SELECT count(DISTINCT (meter_id, hour))::int AS n FROM taken',
    );
    await client.query("DELETE FROM usage_rollups WHERE grain = 'hour'");
    await client.query(
      `INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'hour', '${HOUR_ROLLUP_ZONE}', date_bin('1 hour', e.start_time, timestamptz '2000-01-01 00:00:00+00'), e.meter_id, ${E_DIMENSIONS},
              e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
       FROM usage_events e
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`,
    );
    for (const zone of await this.zones(client)) await this.buildZone(client, zone);
    return n;
  }

  async zones(client: PoolClient): Promise<string[]> {
    const { rows } = await client.query<{ time_zone: string }>('SELECT time_zone FROM usage_rollup_zones ORDER BY time_zone');
    return rows.map((r) => r.time_zone);
  }

  /** Builds the day and month rollups of a zone from all usage, then marks the zone built. */
  async buildZone(client: PoolClient, zone: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    await client.query("DELETE FROM usage_rollups WHERE grain IN ('day', 'month') AND time_zone = $1", [zone]);
    await client.query(
      `INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'day', $1, date_trunc('day', e.start_time AT TIME ZONE $1) AT TIME ZONE $1, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL,
              ${EVENT_ROLLUP_AGGREGATES}
       FROM usage_events e
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`,
      [zone],
    );
    await client.query(
      `INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'month', $1, date_trunc('month', e.bucket_start AT TIME ZONE $1) AT TIME ZONE $1, e.meter_id, ${E_DIMENSIONS}, e.discrete,
              ${ROLLUP_AGGREGATES}
       FROM usage_rollups e WHERE e.grain = 'day' AND e.time_zone = $1
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.discrete`,
      [zone],
    );
    await client.query('INSERT INTO usage_rollup_zones (time_zone) VALUES ($1) ON CONFLICT (time_zone) DO UPDATE SET built_at = now()', [zone]);
  }

  async dropZone(client: PoolClient, zone: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    await client.query('DELETE FROM usage_rollup_zones WHERE time_zone = $1', [zone]);
    await client.query("DELETE FROM usage_rollups WHERE grain IN ('day', 'month') AND time_zone = $1", [zone]);
  }

  async dirtyHours(client: PoolClient): Promise<number> {
    const { rows } = await client.query<{ n: number }>('SELECT count(DISTINCT (meter_id, hour))::int AS n FROM usage_rollup_dirty');
    return rows[0].n;
  }
}
