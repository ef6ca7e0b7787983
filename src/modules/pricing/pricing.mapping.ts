import { normalizeDecimal } from '../../common/scalars';
import type { FixedCost, FixedCostPer, PriceCard } from './pricing.types';

/** Rows as PostgreSQL returns them: bigint and numeric arrive as strings. */
export interface DbPriceCard {
  id: string;
  meter: string;
  partition: string | null;
  priority: string | null;
  unit_price: string;
  currency: string;
  valid_from: Date;
  valid_to: Date | null;
  description: string | null;
}

export interface DbFixedCost {
  id: string;
  project: string;
  resource: string | null;
  name: string;
  amount: string;
  currency: string;
  per: FixedCostPer;
  valid_from: Date;
  valid_to: Date | null;
  description: string | null;
}

export function fromDbPriceCard(row: DbPriceCard): PriceCard {
  return {
    id: row.id,
    meter: row.meter,
    partition: row.partition,
    priority: row.priority,
    unitPrice: normalizeDecimal(row.unit_price),
    currency: row.currency,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    description: row.description,
  };
}

export function fromDbFixedCost(row: DbFixedCost): FixedCost {
  return {
    id: row.id,
    project: row.project,
    resource: row.resource,
    name: row.name,
    amount: normalizeDecimal(row.amount),
    currency: row.currency,
    per: row.per,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    description: row.description,
  };
}
