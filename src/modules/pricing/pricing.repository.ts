import type { Pool, PoolClient } from 'pg';
import { bind, query, sql } from '../../common/sql';
import { addVersion } from '../../db/versions';
import type { DbFixedCost, DbPriceCard } from './pricing.mapping';

const PRICE_COLUMNS = sql`pc.id, m.name AS meter, pc.partition, pc.priority, pc.unit_price, pc.currency, pc.valid_from, pc.valid_to, pc.description
  FROM price_cards pc JOIN meters m ON m.id = pc.meter_id`;

const FIXED_COST_COLUMNS = sql`fc.id, p.name AS project, r.external_id AS resource, fc.name, fc.amount, fc.currency, fc.per,
       fc.valid_from, fc.valid_to, fc.description
  FROM fixed_costs fc JOIN projects p ON p.id = fc.project_id LEFT JOIN resources r ON r.id = fc.resource_id`;

export class PricingRepository {
  constructor(private readonly pool: Pool) {}

  async prices(q: { meter: string | null; at: Date | null; ids: readonly string[] | null }): Promise<DbPriceCard[]> {
    const meter = bind(q.meter);
    const at = bind(q.at);
    const ids = bind(q.ids);
    const { rows } = await this.pool.query<DbPriceCard>(
      query(sql`SELECT ${PRICE_COLUMNS}
       WHERE (${meter}::text IS NULL OR m.name = ${meter})
         AND (${at}::timestamptz IS NULL OR (pc.valid_from <= ${at} AND (pc.valid_to IS NULL OR pc.valid_to > ${at})))
         AND (${ids}::bigint[] IS NULL OR pc.id = ANY(${ids}))
       ORDER BY m.name, pc.partition NULLS FIRST, pc.priority NULLS FIRST, pc.valid_from`),
    );
    return rows;
  }

  async fixedCosts(q: { visible: readonly string[] | null; project: string | null; at: Date | null }): Promise<DbFixedCost[]> {
    const visible = bind(q.visible);
    const project = bind(q.project);
    const at = bind(q.at);
    const { rows } = await this.pool.query<DbFixedCost>(
      query(sql`SELECT ${FIXED_COST_COLUMNS}
       WHERE (${visible}::text[] IS NULL OR p.name = ANY(${visible}))
         AND (${project}::text IS NULL OR p.name = ${project})
         AND (${at}::timestamptz IS NULL OR (fc.valid_from <= ${at} AND (fc.valid_to IS NULL OR fc.valid_to > ${at})))
       ORDER BY p.name, r.external_id NULLS FIRST, fc.name, fc.valid_from`),
    );
    return rows;
  }

  /** Serializes the price changes of one meter, so that its one-currency rule holds. */
  async lockMeter(client: PoolClient, meterId: number): Promise<void> {
    await client.query(query(sql`SELECT pg_advisory_xact_lock(hashtext('meterql.prices'), ${meterId})`));
  }

  /** The currencies of a meter's cards, but the card a new one with this key and start would replace. */
  async otherCurrencies(
    client: PoolClient,
    key: { meterId: number; partition: string | null; priority: string | null },
    validFrom: Date,
  ): Promise<string[]> {
    const { rows } = await client.query<{ currency: string }>(
      query(sql`SELECT DISTINCT currency FROM price_cards
       WHERE meter_id = ${key.meterId} AND NOT (partition IS NOT DISTINCT FROM ${key.partition} AND priority IS NOT DISTINCT FROM ${key.priority} AND valid_from = ${validFrom})`),
    );
    return rows.map((r) => r.currency);
  }

  async setPrice(
    client: PoolClient,
    card: {
      meterId: number;
      partition: string | null;
      priority: string | null;
      unitPrice: string;
      currency: string;
      validFrom: Date;
      validTo: Date | null;
      description: string | null;
    },
  ): Promise<string> {
    const { id } = await addVersion<{ id: string }>(client, {
      table: 'price_cards',
      key: { meter_id: card.meterId, partition: card.partition, priority: card.priority },
      validFrom: card.validFrom,
      validTo: card.validTo,
      values: { unit_price: card.unitPrice, currency: card.currency, description: card.description },
    });
    return id;
  }

  /** The project (created if new) and resource ids of a fixed cost; resource: the project of an existing one too. */
  async fixedCostOwner(
    client: PoolClient,
    project: string,
    resource: string | null,
  ): Promise<{ projectId: number; resourceId: number | null; resourceProject: string | null }> {
    await client.query(query(sql`INSERT INTO projects (name) VALUES (${project}) ON CONFLICT (name) DO NOTHING`));
    const {
      rows: [found],
    } = await client.query<{ project_id: number; resource_id: number | null; resource_project: string | null }>(
      query(sql`SELECT p.id AS project_id, r.id AS resource_id, rp.name AS resource_project
       FROM projects p LEFT JOIN resources r ON r.external_id = ${resource} LEFT JOIN projects rp ON rp.id = r.project_id
       WHERE p.name = ${project}`),
    );
    if (resource !== null && found.resource_id === null) {
      const {
        rows: [created],
      } = await client.query<{ id: number }>(
        query(sql`INSERT INTO resources AS r (external_id, project_id) VALUES (${resource}, ${found.project_id})
         ON CONFLICT (external_id) DO UPDATE SET project_id = COALESCE(r.project_id, EXCLUDED.project_id) RETURNING id`),
      );
      return { projectId: found.project_id, resourceId: created.id, resourceProject: project };
    }
    return { projectId: found.project_id, resourceId: found.resource_id, resourceProject: found.resource_project };
  }

  async setFixedCost(
    client: PoolClient,
    cost: {
      projectId: number;
      resourceId: number | null;
      name: string;
      amount: string;
      currency: string;
      per: string;
      validFrom: Date;
      validTo: Date | null;
      description: string | null;
    },
  ): Promise<string> {
    const { id } = await addVersion<{ id: string }>(client, {
      table: 'fixed_costs',
      key: { project_id: cost.projectId, resource_id: cost.resourceId, name: cost.name },
      validFrom: cost.validFrom,
      validTo: cost.validTo,
      values: { amount: cost.amount, currency: cost.currency, per: cost.per, description: cost.description },
    });
    return id;
  }

  async deletePrice(id: string): Promise<boolean> {
    return ((await this.pool.query(query(sql`DELETE FROM price_cards WHERE id = ${id}`))).rowCount ?? 0) > 0;
  }

  async deleteFixedCost(id: string, visible: readonly string[] | null): Promise<boolean> {
    const projects = bind(visible);
    const { rowCount } = await this.pool.query(
      query(
        sql`DELETE FROM fixed_costs fc USING projects p WHERE fc.id = ${id} AND p.id = fc.project_id AND (${projects}::text[] IS NULL OR p.name = ANY(${projects}))`,
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async fixedCostsByIds(ids: readonly string[]): Promise<DbFixedCost[]> {
    const { rows } = await this.pool.query<DbFixedCost>(query(sql`SELECT ${FIXED_COST_COLUMNS} WHERE fc.id = ANY(${ids}::bigint[])`));
    return rows;
  }
}
