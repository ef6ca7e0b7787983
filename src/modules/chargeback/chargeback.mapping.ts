import { normalizeDecimal } from '../../common/scalars';
import type { ChargebackRow } from './chargeback.types';

/** A row as PostgreSQL returns it: numeric and bigint arrive as strings. */
export interface DbChargebackRow {
  project: string;
  resource: string | null;
  period_start: Date;
  period_end: Date;
  currency: string | null;
  allocation_minutes: string;
  allocation_cost: string | null;
  fixed_cost: string | null;
  total: string | null;
}

const decimal = (value: string | null) => (value === null ? null : normalizeDecimal(value));

export function fromDbChargebackRow(row: DbChargebackRow): ChargebackRow {
  return {
    project: row.project,
    resource: row.resource,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    currency: row.currency,
    allocationMinutes: normalizeDecimal(row.allocation_minutes),
    allocationCost: decimal(row.allocation_cost),
    fixedCost: decimal(row.fixed_cost),
    total: decimal(row.total),
  };
}
