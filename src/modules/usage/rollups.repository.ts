import type { PoolClient } from 'pg';
import { bind, ident, join, query, sql, type Param, type Sql } from '../../common/sql';
import { EVENT_ROLLUP_AGGREGATES, ROLLUP_AGGREGATES, ROLLUP_DIMENSIONS } from './aggregates.sql';
import { HOUR_ROLLUP_ZONE_SQL } from './usage.sql';

const HOUR_MS = 3_600_000;

const DIMENSIONS = join(ROLLUP_DIMENSIONS.map((d) => ident(d)));
const E_DIMENSIONS = join(ROLLUP_DIMENSIONS.map((d) => sql`e.${ident(d)}`));
const COLUMNS = sql`grain, time_zone, bucket_start, meter_id, ${DIMENSIONS}, discrete,
                 count, operations, sum, sum_squares, min, max, weighted_sum, duration_sum, duration_count`;
// The advisory lock that serialises rollup maintenance.
const ROLLUP_LOCK = 7_366_001;
/** Each grain as the SQL literal a rollup row stores, and the interval of a local bucket. */
const GRAIN = { hour: ident("'hour'"), day: ident("'day'"), month: ident("'month'") } as const;
const STEP = { day: ident("interval '1 day'"), month: ident("interval '1 month'") } as const;

/** The (meter, hour) pairs refresh took, as the arrays of one unnest. */
interface Pairs {
  meters: Param;
  hours: Param;
}
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
    // A batch of thousands of records names a few projects and meters: their longest is found here.
    const longest = new Map<string, { project: number; meter: number; seconds: number }>();
    for (const u of usage) {
      if (u.end === null) continue;
      const seconds = (u.end.getTime() - u.start.getTime()) / 1000;
      const key = `${u.project}:${u.meter}`;
      const known = longest.get(key);
      if (!known) longest.set(key, { project: u.project, meter: u.meter, seconds });
      else if (seconds > known.seconds) known.seconds = seconds;
    }
    if (longest.size === 0) return;
    // In one order, so that concurrent batches lock the rows they share in the same order.
    const rows = [...longest.values()].sort((a, b) => a.project - b.project || a.meter - b.meter);
    await client.query(
      query(sql`INSERT INTO record_durations AS d (project_id, meter_id, max_seconds)
       SELECT * FROM unnest(${rows.map((r) => r.project)}::int[], ${rows.map((r) => r.meter)}::int[], ${rows.map((r) => r.seconds)}::float8[])
       ON CONFLICT (project_id, meter_id) DO UPDATE SET max_seconds = EXCLUDED.max_seconds WHERE EXCLUDED.max_seconds > d.max_seconds`),
    );
  }

  /** The hours whose rollups the written records change: refresh recomputes them. */
  private async markRollupsDirty(client: PoolClient, written: WrittenUsage[]): Promise<void> {
    // The UTC hour of each record's start (the hour rollups' hours), each (project, meter, hour) once.
    const hours = new Map<string, { project: number; meter: number; hour: number }>();
    for (const w of written) {
      const hour = Math.floor(w.start.getTime() / HOUR_MS) * HOUR_MS;
      const key = `${w.project}:${w.meter}:${hour}`;
      if (!hours.has(key)) hours.set(key, { project: w.project, meter: w.meter, hour });
    }
    if (hours.size === 0) return;
    // In one order, so that concurrent batches lock the rows they share in the same order.
    const rows = [...hours.values()].sort((a, b) => a.project - b.project || a.meter - b.meter || a.hour - b.hour);
    await client.query(
      query(sql`INSERT INTO usage_rollup_dirty (project_id, meter_id, hour)
       SELECT * FROM unnest(${rows.map((r) => r.project)}::int[], ${rows.map((r) => r.meter)}::int[], ${rows.map((r) => new Date(r.hour).toISOString())}::timestamptz[])
       ON CONFLICT DO NOTHING`),
    );
  }

  /**
   * Takes up to `limit` dirty hours and recomputes their hour rollups, and the day and month
   * rollups of every built zone that hold them, in the caller's transaction. Returns how many
   * hours it took.
   */
  async refresh(client: PoolClient, limit: number): Promise<number> {
    await this.lock(client);
    // A round aggregates a few records for each of its thousands of hours: PostgreSQL over-estimates
    // it and compiles it (JIT), which took 150 ms of a 220 ms round of 2,000 hours.
    await client.query(query(sql`SET LOCAL jit = off`));
    // Dirty marks are per project; rollups are recomputed per (meter, hour), for all projects.
    const { rows: claimed } = await client.query<{ meter_id: number; hour: Date }>(
      query(sql`WITH taken AS (
         DELETE FROM usage_rollup_dirty WHERE (meter_id, hour) IN (SELECT DISTINCT meter_id, hour FROM usage_rollup_dirty ORDER BY hour LIMIT ${limit})
         RETURNING meter_id, hour)
       SELECT DISTINCT meter_id, hour FROM taken`),
    );
    if (claimed.length === 0) return 0;
    const pairs: Pairs = { meters: bind(claimed.map((c) => c.meter_id)), hours: bind(claimed.map((c) => c.hour)) };
    const taken = sql`unnest(${pairs.meters}::int[], ${pairs.hours}::timestamptz[]) AS d(meter_id, hour)`;
    await client.query(
      query(sql`DELETE FROM usage_rollups r USING ${taken}
       WHERE r.grain = 'hour' AND r.time_zone = ${HOUR_ROLLUP_ZONE_SQL} AND r.meter_id = d.meter_id AND r.bucket_start = d.hour`),
    );
    // Each hour aggregated on its own (LATERAL, which an aggregate keeps from being flattened): a
    // range scan of the meter's index an hour, whatever PostgreSQL estimates the list to hold; as a
    // join it may read every record of the meters instead.
    await client.query(
      query(sql`INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'hour', ${HOUR_ROLLUP_ZONE_SQL}, d.hour, a.*
       FROM ${taken}
       CROSS JOIN LATERAL (SELECT e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
         FROM usage_events e WHERE e.meter_id = d.meter_id AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour'
         GROUP BY e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL) AS a`),
    );
    const { rows: zones } = await client.query<{ time_zone: string }>(query(sql`SELECT time_zone FROM usage_rollup_zones`));
    for (const { time_zone: zone } of zones) {
      const local = bind(zone);
      await this.rebuildLocal(
        client,
        local,
        'day',
        sql`SELECT DISTINCT d.meter_id, date_trunc('day', d.hour AT TIME ZONE ${local}) AS local
                                                     FROM ${taken}`,
      );
      await this.rebuildLocal(
        client,
        local,
        'month',
        sql`SELECT DISTINCT d.meter_id, date_trunc('month', d.hour AT TIME ZONE ${local}) AS local
                                                       FROM ${taken}`,
      );
    }
    return claimed.length;
  }

  /**
   * A local day that starts and ends on UTC hours (every day of a whole-hour zone) is composed
   * from its hours' rollups; any other day (Asia/Kolkata's) from events. Months come from the
   * zone's days, which partition them.
   */
  private async rebuildLocal(client: PoolClient, zone: Param, grain: 'day' | 'month', buckets: Sql): Promise<void> {
    const spans = sql`SELECT meter_id, local AT TIME ZONE ${zone} AS start_at, (local + ${STEP[grain]}) AT TIME ZONE ${zone} AS end_at FROM (${buckets}) AS b`;
    await client.query(
      query(sql`DELETE FROM usage_rollups r USING (${spans}) AS s
       WHERE r.grain = ${GRAIN[grain]} AND r.time_zone = ${zone} AND r.meter_id = s.meter_id AND r.bucket_start = s.start_at`),
    );
    const onHours = sql`date_bin('1 hour', s.start_at, timestamptz '2000-01-01 00:00:00+00') = s.start_at
                     AND date_bin('1 hour', s.end_at, timestamptz '2000-01-01 00:00:00+00') = s.end_at`;
    // Each bucket aggregated on its own, as the hours are in refresh().
    const composed = (source: 'hour' | 'day') =>
      sql`SELECT ${GRAIN[grain]}, ${zone}, s.start_at, a.*
       FROM spans s CROSS JOIN LATERAL (SELECT e.meter_id, ${E_DIMENSIONS}, e.discrete, ${ROLLUP_AGGREGATES}
         FROM usage_rollups e WHERE e.grain = ${GRAIN[source]} AND e.time_zone = ${source === 'hour' ? HOUR_ROLLUP_ZONE_SQL : sql`${zone}`}
           AND e.meter_id = s.meter_id AND e.bucket_start >= s.start_at AND e.bucket_start < s.end_at
         GROUP BY e.meter_id, ${E_DIMENSIONS}, e.discrete) AS a
       ${source === 'hour' ? sql`WHERE ${onHours}` : sql``}`;
    const fromEvents = sql`SELECT ${GRAIN[grain]}, ${zone}, s.start_at, a.*
       FROM spans s CROSS JOIN LATERAL (SELECT e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
         FROM usage_events e WHERE e.meter_id = s.meter_id AND e.start_time >= s.start_at AND e.start_time < s.end_at
         GROUP BY e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL) AS a
       WHERE NOT (${onHours})`;
    await client.query(
      query(sql`WITH spans AS (${spans})
       INSERT INTO usage_rollups (${COLUMNS})
       ${grain === 'day' ? sql`${composed('hour')} UNION ALL ${fromEvents}` : composed('day')}`),
    );
  }

  /**
   * Recomputes every rollup from all usage in one pass each: cheaper than hour by hour when most
   * hours are dirty (a first load, a restore). Returns how many dirty hours it cleared.
   */
  async rebuildAll(client: PoolClient): Promise<number> {
    await this.lock(client);
    const {
      rows: [{ n }],
    } = await client.query<{ n: number }>(
      query(
        sql`WITH taken AS (DELETE FROM usage_rollup_dirty RETURNING meter_id, hour) SELECT count(DISTINCT (meter_id, hour))::int AS n FROM taken`,
      ),
    );
    await client.query(query(sql`DELETE FROM usage_rollups WHERE grain = 'hour'`));
    await client.query(
      query(sql`INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'hour', ${HOUR_ROLLUP_ZONE_SQL}, date_bin('1 hour', e.start_time, timestamptz '2000-01-01 00:00:00+00'), e.meter_id, ${E_DIMENSIONS},
              e.end_time IS NULL, ${EVENT_ROLLUP_AGGREGATES}
       FROM usage_events e
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`),
    );
    for (const zone of await this.zones(client)) await this.buildZone(client, zone);
    return n;
  }

  async zones(client: PoolClient): Promise<string[]> {
    const { rows } = await client.query<{ time_zone: string }>(query(sql`SELECT time_zone FROM usage_rollup_zones ORDER BY time_zone`));
    return rows.map((r) => r.time_zone);
  }

  /** Builds the day and month rollups of a zone from all usage, then marks the zone built. */
  async buildZone(client: PoolClient, zone: string): Promise<void> {
    await this.lock(client);
    const local = bind(zone);
    await client.query(query(sql`DELETE FROM usage_rollups WHERE grain IN ('day', 'month') AND time_zone = ${local}`));
    await client.query(
      query(sql`INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'day', ${local}, date_trunc('day', e.start_time AT TIME ZONE ${local}) AT TIME ZONE ${local}, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL,
              ${EVENT_ROLLUP_AGGREGATES}
       FROM usage_events e
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.end_time IS NULL`),
    );
    await client.query(
      query(sql`INSERT INTO usage_rollups (${COLUMNS})
       SELECT 'month', ${local}, date_trunc('month', e.bucket_start AT TIME ZONE ${local}) AT TIME ZONE ${local}, e.meter_id, ${E_DIMENSIONS}, e.discrete,
              ${ROLLUP_AGGREGATES}
       FROM usage_rollups e WHERE e.grain = 'day' AND e.time_zone = ${local}
       GROUP BY 3, e.meter_id, ${E_DIMENSIONS}, e.discrete`),
    );
    await client.query(
      query(sql`INSERT INTO usage_rollup_zones (time_zone) VALUES (${zone}) ON CONFLICT (time_zone) DO UPDATE SET built_at = now()`),
    );
  }

  async dropZone(client: PoolClient, zone: string): Promise<void> {
    await this.lock(client);
    await client.query(query(sql`DELETE FROM usage_rollup_zones WHERE time_zone = ${zone}`));
    await client.query(query(sql`DELETE FROM usage_rollups WHERE grain IN ('day', 'month') AND time_zone = ${zone}`));
  }

  async dirtyHours(client: PoolClient): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      query(sql`SELECT count(DISTINCT (meter_id, hour))::int AS n FROM usage_rollup_dirty`),
    );
    return rows[0].n;
  }

  /** Serialises rollup maintenance, in the caller's transaction. */
  private async lock(client: PoolClient): Promise<void> {
    await client.query(query(sql`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`));
  }
}
