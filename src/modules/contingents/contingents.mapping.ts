import type { Contingent, ContingentPeriod, ContingentStatus } from './contingents.types';

/** A contingent as the repository reads it: numeric arrives as a string. */
export interface DbContingentRow {
  id: number;
  project: string;
  meter_id: number;
  compute_project: string | null;
  period: ContingentPeriod;
  time_zone: string;
  valid_from: Date;
  valid_to: Date;
  amount: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A contingent with its status at an instant, computed in numeric by PostgreSQL. */
export interface DbContingentStatusRow extends DbContingentRow {
  at: Date;
  used: string;
  remaining: string;
  share_used: string | null;
  hours_left: string;
  required_rate: string;
  average_rate: string | null;
  projected_use: string | null;
}

const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

export function fromDbContingent(row: DbContingentRow): Contingent {
  return {
    meterKey: row.meter_id,
    id: String(row.id),
    project: row.project,
    computeProject: row.compute_project,
    period: row.period,
    timeZone: row.time_zone,
    from: row.valid_from,
    to: row.valid_to,
    amount: Number(row.amount),
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function fromDbContingentStatus(row: DbContingentStatusRow): ContingentStatus {
  return {
    contingent: fromDbContingent(row),
    at: row.at,
    used: Number(row.used),
    remaining: Number(row.remaining),
    shareUsed: numberOrNull(row.share_used),
    hoursLeft: Number(row.hours_left),
    requiredRate: Number(row.required_rate),
    averageRate: numberOrNull(row.average_rate),
    projectedUse: numberOrNull(row.projected_use),
  };
}
