import type { Pool, PoolClient } from 'pg';
import { addVersion } from '../../db/versions';
import type { DbFixedCost, DbPriceCard } from './pricing.mapping';

const PRICE_COLUMNS = `pc.id, m.name AS meter, pc.partition, pc.priority, pc.unit_price, pc.currency, pc.valid_from, pc.valid_to, pc.description
  FROM price_cards pc JOIN meters m ON m.id = pc.meter_id`;

const FIXED_COST_COLUMNS = `fc.id, p.name AS project, r.external_id AS resource, fc.name, fc.amount, fc.currency, fc.per,
       fc.valid_from, fc.valid_to, fc.description
  FROM fixed_costs fc JOIN projects p ON p.id = fc.project_id LEFT JOIN resources r ON r.id = fc.resource_id`;

export class PricingRepository {
  constructor(private readonly pool: Pool) {}

  async prices(q: { meter: string | null; at: Date | null; ids: readonly string[] | null }): Promise<DbPriceCard[]> {
    const { rows } = await this.pool.query<DbPriceCard>(
      `SELECT ${PRICE_COLUMNS}
       WHERE ($1::text IS NULL OR m.name = $1)
         AND ($2::timestamptz IS NULL OR (pc.valid_from <= $2 AND (pc.valid_to IS NULL OR pc.valid_to > $2)))
         AND ($3::bigint[] IS NULL OR pc.id = ANY($3))
       ORDER BY m.name, pc.partition NULLS FIRST, pc.priority NULLS FIRST, pc.valid_from`,
      [q.meter, q.at, q.ids],
    );
    return rows;
  }

  async fixedCosts(q: { visible: readonly string[] | null; project: string | null; at: Date | null }): Promise<DbFixedCost[]> {
    const { rows } = await this.pool.query<DbFixedCost>(
      `SELECT ${FIXED_COST_COLUMNS}
       WHERE ($1::text[] IS NULL OR p.name = ANY($1))
         AND ($2::text IS NULL OR p.name = $2)
         AND ($3::timestamptz IS NULL OR (fc.valid_from <= $3 AND (fc.valid_to IS NULL OR fc.valid_to > $3)))
       ORDER BY p.name, r.external_id NULLS FIRST, fc.name, fc.valid_from`,
      [q.visible, q.project, q.at],
    );
    return rows;
  }

  /** Serializes the price changes of one meter, so that its one-currency rule holds. */
  async lockMeter(client: PoolClient, meterId: number): Promise<void> {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('meterql.prices'), $1)", [meterId]);
  }

  /** The currencies of a meter's cards, but the card a new one with this key and start would replace. */
  async otherCurrencies(client: PoolClient, key: { meterId: number; partition: string | null; priority: string | null }, validFrom: Date): Promise<string[]> {
    const { rows } = await client.query<{ currency: string }>(
      `SELECT DISTINCT currency FROM price_cards
       WHERE meter_id = $1 AND NOT (partition IS NOT DISTINCT FROM $2 AND priority IS NOT DISTINCT FROM $3 AND valid_from = $4)`,
      [key.meterId, key.partition, key.priority, validFrom],
    );
    return rows.map((r) => r.currency);
  }

  async setPrice(client: PoolClient, card: { meterId: number; partition: string | null; priority: string | null; unitPrice: string; currency: string; validFrom: Date; validTo: Date | null; description: string | null }): Promise<string> {
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
  async fixedCostOwner(client: PoolClient, project: string, resource: string | null): Promise<{ projectId: number; resourceId: number | null; resourceProject: string | null }> {
    await client.query('INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [project]);
    const { rows: [found] } = await client.query<{ project_id: number; resource_id: number | null; resource_project: string | null }>(
      `SELECT p.id AS project_id, r.id AS resource_id, rp.name AS resource_project
       FROM projects p LEFT JOIN resources r ON r.external_id = $2 LEFT JOIN projects rp ON rp.id = r.project_id
       WHERE p.name = $1`,
      [project, resource],
    );
    if (resource !== null && found.resource_id === null) {
      const { rows: [created] } = await client.query<{ id: number }>(
        `INSERT INTO resources AS r (external_id, project_id) VALUES ($1, $2)
         ON CONFLICT (external_id) DO UPDATE SET project_id = COALESCE(r.project_id, EXCLUDED.project_id) RETURNING id`,
        [resource, found.project_id],
      );
      return { projectId: found.project_id, resourceId: created.id, resourceProject: project };
    }
    return { projectId: found.project_id, resourceId: found.resource_id, resourceProject: found.resource_project };
  }

  async setFixedCost(client: PoolClient, cost: { projectId: number; resourceId: number | null; name: string; amount: string; currency: string; per: string; validFrom: Date; validTo: Date | null; description: string | null }): Promise<string> {
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
    return ((await this.pool.query('DELETE FROM price_cards WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async deleteFixedCost(id: string, visible: readonly string[] | null): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM fixed_costs fc USING projects p WHERE fc.id = $1 AND p.id = fc.project_id AND ($2::text[] IS NULL OR p.name = ANY($2))`,
      [id, visible],
    );
    return (rowCount ?? 0) > 0;
  }

  async fixedCostsByIds(ids: readonly string[]): Promise<DbFixedCost[]> {
    const { rows } = await this.pool.query<DbFixedCost>(`SELECT ${FIXED_COST_COLUMNS} WHERE fc.id = ANY($1::bigint[])`, [ids]);
    return rows;
  }
}
