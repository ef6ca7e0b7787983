import type { PoolClient } from 'pg';
import { ident, query, sql } from '../../common/sql';
import type { WrittenUsage } from '../usage/rollups.repository';
import type { NormalizedReport } from './ingestion.validation';

/** The dimension tables whose rows appear the first time a report names them. */
const DIMENSIONS = {
  projects: 'projects',
  users: 'users',
  computeProjects: 'compute_projects',
  sources: 'sources',
} as const;
type Dimension = keyof typeof DIMENSIONS;
export type DimensionIds = Record<Dimension, ReadonlyMap<string, number>>;

/** A resource named by a batch: its row and the project it belongs to (none yet: null). */
export interface ClaimedResource {
  id: number;
  project: string | null;
}

export interface WriteResult {
  created: number;
  updated: number;
  /** Each written record, and each of its additional resources: usage the rollups must learn of. */
  usage: WrittenUsage[];
}

/**
 * Set-based writes of a batch: one statement per table, whatever the batch size. Idempotency
 * lives in the match-key constraint (usage_events_match_key) and INSERT ... ON CONFLICT.
 */
export class IngestionRepository {
  /** The ids of the names reports give for each dimension, inserting the names not stored yet. */
  async dimensions(client: PoolClient, reports: readonly NormalizedReport[]): Promise<DimensionIds> {
    return {
      projects: await this.ensureNames(
        client,
        'projects',
        reports.map((r) => r.project),
      ),
      users: await this.ensureNames(
        client,
        'users',
        reports.map((r) => r.user),
      ),
      computeProjects: await this.ensureNames(
        client,
        'computeProjects',
        reports.map((r) => r.computeProject),
      ),
      sources: await this.ensureNames(
        client,
        'sources',
        reports.map((r) => r.source),
      ),
    };
  }

  /**
   * The resources reports name, with their owners, in the caller's transaction. One that has no
   * project or user yet (a new one, or one known only from its metadata) takes those of the first
   * report naming it; one that has a project keeps it, whoever names it: the caller compares.
   */
  async claimResources(client: PoolClient, reports: readonly NormalizedReport[], ids: DimensionIds): Promise<Map<string, ClaimedResource>> {
    const first = new Map<string, NormalizedReport>();
    for (const r of reports) if (r.resource !== null && !first.has(r.resource)) first.set(r.resource, r);
    const claimed = new Map<string, ClaimedResource>();
    if (first.size === 0) return claimed;
    const names = [...first.keys()].sort();
    // A resource that a concurrent batch inserted or claimed after this statement's snapshot is
    // neither claimed nor seen here (or seen without its new project); the next round sees it.
    for (let round = 0; round < 3 && claimed.size < names.length; round++) {
      const missing = names.filter((n) => !claimed.has(n));
      const projects = missing.map((n) => ids.projects.get(first.get(n)!.project)!);
      const users = missing.map((n) => {
        const user = first.get(n)!.user;
        return user === null ? null : ids.users.get(user)!;
      });
      const { rows } = await client.query<{ id: number; external_id: string; project: string | null }>(
        query(sql`WITH wanted(external_id, project_id, user_id) AS (SELECT * FROM unnest(${missing}::text[], ${projects}::int[], ${users}::int[])),
              claimed AS (INSERT INTO resources AS r (external_id, project_id, user_id) SELECT * FROM wanted
                          ON CONFLICT (external_id) DO UPDATE
                            SET project_id = COALESCE(r.project_id, EXCLUDED.project_id), user_id = COALESCE(r.user_id, EXCLUDED.user_id)
                            WHERE r.project_id IS NULL OR (r.user_id IS NULL AND EXCLUDED.user_id IS NOT NULL)
                          RETURNING id, external_id, project_id)
         SELECT c.id, c.external_id, p.name AS project FROM claimed c LEFT JOIN projects p ON p.id = c.project_id
         UNION ALL
         SELECT r.id, r.external_id, p.name FROM resources r JOIN wanted USING (external_id) JOIN projects p ON p.id = r.project_id
         WHERE r.external_id NOT IN (SELECT external_id FROM claimed)`),
      );
      for (const row of rows) claimed.set(row.external_id, { id: row.id, project: row.project });
    }
    return claimed;
  }

  /**
   * Writes reports (distinct match keys, sorted by key) in the caller's transaction; their
   * resources were claimed by claimResources in the same transaction.
   */
  async writeReports(
    client: PoolClient,
    reports: readonly NormalizedReport[],
    meters: ReadonlyMap<string, number>,
    ids: DimensionIds,
    claimed: ReadonlyMap<string, ClaimedResource>,
  ): Promise<WriteResult> {
    const resources = new Map([...claimed].map(([name, r]) => [name, r.id]));
    const idOf = (map: ReadonlyMap<string, number>, name: string | null) => (name === null ? null : map.get(name)!);

    // Each column of the batch, as one array.
    const c = {
      meter: reports.map((r) => meters.get(r.meter)!),
      project: reports.map((r) => ids.projects.get(r.project)!),
      computeProject: reports.map((r) => idOf(ids.computeProjects, r.computeProject)),
      user: reports.map((r) => idOf(ids.users, r.user)),
      source: reports.map((r) => ids.sources.get(r.source)!),
      resource: reports.map((r) => idOf(resources, r.resource)),
      start: reports.map((r) => r.start.toISOString()),
      end: reports.map((r) => r.end?.toISOString() ?? null),
      volume: reports.map((r) => r.volume),
      factor: reports.map((r) => r.contingentFactor),
      operations: reports.map((r) => r.operationCount),
      partition: reports.map((r) => r.partition),
      priority: reports.map((r) => r.priority),
      data: reports.map((r) => (r.additionalData === null ? null : JSON.stringify(r.additionalData))),
      hash: reports.map((r) => r.hash),
    };
    const { rows } = await client.query<{ id: string; content_hash: string; created: boolean }>(
      query(sql`INSERT INTO usage_events AS e (meter_id, project_id, compute_project_id, user_id, source_id, resource_id,
          start_time, end_time, volume, contingent_factor, operation_count, partition, priority, additional_data, content_hash)
       SELECT * FROM unnest(${c.meter}::int[], ${c.project}::int[], ${c.computeProject}::int[], ${c.user}::int[], ${c.source}::int[], ${c.resource}::int[], ${c.start}::timestamptz[],
          ${c.end}::timestamptz[], ${c.volume}::float8[], ${c.factor}::float8[], ${c.operations}::int[], ${c.partition}::text[], ${c.priority}::text[], ${c.data}::jsonb[], ${c.hash}::text[])
       ON CONFLICT ON CONSTRAINT usage_events_match_key DO UPDATE SET
          volume = EXCLUDED.volume, contingent_factor = EXCLUDED.contingent_factor,
          operation_count = EXCLUDED.operation_count, additional_data = EXCLUDED.additional_data,
          content_hash = EXCLUDED.content_hash, updated_at = now()
       WHERE e.content_hash <> EXCLUDED.content_hash
       RETURNING id, content_hash, (xmax = 0) AS created`),
    );

    // Only rows that were created or changed come back; their additional items are (re)written.
    const byHash = new Map(reports.map((r) => [r.hash, r]));
    const written = rows.map((row) => ({ id: row.id, created: row.created, report: byHash.get(row.content_hash)! }));
    const updatedIds = written.filter((w) => !w.created).map((w) => w.id);
    if (updatedIds.length > 0) {
      await client.query(query(sql`DELETE FROM usage_events WHERE parent_id = ANY(${updatedIds}::bigint[])`));
      await client.query(query(sql`DELETE FROM usage_metrics WHERE event_id = ANY(${updatedIds}::bigint[])`));
    }
    await this.insertAdditionalResources(client, written, meters, ids, resources);
    await this.insertAdditionalMetrics(client, written, ids.projects);
    // Each written record, and each of its additional resources, is usage of a meter in a project.
    const usage = written.flatMap(({ report }) =>
      [report.meter, ...report.additionalResources.map((a) => a.meter)].map((meter) => ({
        project: ids.projects.get(report.project)!,
        meter: meters.get(meter)!,
        start: report.start,
        end: report.end,
      })),
    );
    return { created: written.length - updatedIds.length, updated: updatedIds.length, usage };
  }

  /** Ids of the named rows of a dimension table, inserting the names it does not hold yet. */
  private async ensureNames(client: PoolClient, dimension: Dimension, names: readonly (string | null)[]): Promise<Map<string, number>> {
    const wanted = [...new Set(names.filter((n): n is string => n !== null))].sort();
    const ids = new Map<string, number>();
    if (wanted.length === 0) return ids;
    const table = ident(DIMENSIONS[dimension]);
    // A name inserted by a concurrent batch after this statement's snapshot is neither
    // inserted nor seen here; the second round sees it.
    for (let round = 0; round < 3 && ids.size < wanted.length; round++) {
      const missing = wanted.filter((n) => !ids.has(n));
      const { rows } = await client.query<{ id: number; name: string }>(
        query(sql`WITH wanted(name) AS (SELECT unnest(${missing}::text[])),
              inserted AS (INSERT INTO ${table} (name) SELECT name FROM wanted ON CONFLICT (name) DO NOTHING RETURNING id, name)
         SELECT id, name FROM inserted
         UNION ALL
         SELECT t.id, t.name FROM ${table} t JOIN wanted USING (name)`),
      );
      for (const row of rows) ids.set(row.name, row.id);
    }
    return ids;
  }

  private async insertAdditionalResources(
    client: PoolClient,
    written: { id: string; report: NormalizedReport }[],
    meters: ReadonlyMap<string, number>,
    ids: DimensionIds,
    resources: ReadonlyMap<string, number>,
  ): Promise<void> {
    const children = written.flatMap(({ id, report }) => report.additionalResources.map((extra) => ({ parent: id, report, extra })));
    if (children.length === 0) return;
    const idOf = (map: ReadonlyMap<string, number>, name: string | null) => (name === null ? null : map.get(name)!);
    // Each column of the children, as one array.
    const c = {
      parent: children.map((x) => x.parent),
      meter: children.map((x) => meters.get(x.extra.meter)!),
      project: children.map((x) => ids.projects.get(x.report.project)!),
      computeProject: children.map((x) => idOf(ids.computeProjects, x.report.computeProject)),
      user: children.map((x) => idOf(ids.users, x.report.user)),
      source: children.map((x) => ids.sources.get(x.report.source)!),
      resource: children.map((x) => idOf(resources, x.report.resource)),
      start: children.map((x) => x.report.start.toISOString()),
      end: children.map((x) => x.report.end?.toISOString() ?? null),
      volume: children.map((x) => x.extra.volume),
      factor: children.map((x) => x.extra.contingentFactor),
      operations: children.map((x) => x.report.operationCount),
      partition: children.map((x) => x.report.partition),
      priority: children.map((x) => x.report.priority),
      hash: children.map((x) => `${x.report.hash}/${x.extra.meter}`),
    };
    await client.query(
      query(sql`INSERT INTO usage_events (parent_id, meter_id, project_id, compute_project_id, user_id, source_id, resource_id,
          start_time, end_time, volume, contingent_factor, operation_count, partition, priority, content_hash)
       SELECT * FROM unnest(${c.parent}::bigint[], ${c.meter}::int[], ${c.project}::int[], ${c.computeProject}::int[], ${c.user}::int[], ${c.source}::int[], ${c.resource}::int[],
          ${c.start}::timestamptz[], ${c.end}::timestamptz[], ${c.volume}::float8[], ${c.factor}::float8[], ${c.operations}::int[], ${c.partition}::text[], ${c.priority}::text[], ${c.hash}::text[])`),
    );
  }

  private async insertAdditionalMetrics(
    client: PoolClient,
    written: { id: string; report: NormalizedReport }[],
    projects: ReadonlyMap<string, number>,
  ): Promise<void> {
    const metrics = written.flatMap(({ id, report }) =>
      report.additionalMetrics.map((m) => ({ id, project: projects.get(report.project)!, ...m })),
    );
    if (metrics.length === 0) return;
    await client.query(
      query(sql`INSERT INTO usage_metrics (project_id, event_id, metric, volume, contingent_factor)
       SELECT * FROM unnest(${metrics.map((m) => m.project)}::int[], ${metrics.map((m) => m.id)}::bigint[], ${metrics.map((m) => m.metric)}::text[], ${metrics.map((m) => m.volume)}::float8[], ${metrics.map((m) => m.contingentFactor)}::float8[])`),
    );
  }
}
