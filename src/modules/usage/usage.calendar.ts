import { registerEnumType } from 'type-graphql';

export enum PeriodUnit {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}
registerEnumType(PeriodUnit, {
  name: 'PeriodUnit',
  description: "Calendar units of the query's time zone; weeks are ISO weeks, from Monday.",
});

export interface PeriodSpec {
  unit: PeriodUnit;
  size: number;
}

const DAY_MS = 86_400_000;
const NOMINAL_MS: Record<PeriodUnit, number> = {
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: DAY_MS,
  WEEK: 7 * DAY_MS,
  MONTH: 30.436875 * DAY_MS,
  QUARTER: 91.310625 * DAY_MS,
  YEAR: 365.2425 * DAY_MS,
};

export const SUB_DAY_UNITS: ReadonlySet<PeriodUnit> = new Set([PeriodUnit.MINUTE, PeriodUnit.HOUR]);

/**
 * How many periods [from, to) holds, from the units' nominal lengths: an estimate within a few
 * periods of the truth (a DST day has 23 or 25 hours), good enough to refuse a query that would
 * produce an absurd number of rows before it runs.
 */
export function estimatePeriods(from: Date, to: Date, period: PeriodSpec | null): number {
  if (!period) return 1;
  const span = to.getTime() - from.getTime();
  const periods = Math.ceil(span / (period.size * NOMINAL_MS[period.unit])) + 1;
  // Sub-day periods start again at each local midnight: at most one more period a day.
  return SUB_DAY_UNITS.has(period.unit) ? periods + Math.ceil(span / DAY_MS) + 1 : periods;
}

/** How PostgreSQL truncates to each calendar unit of a zone, and steps from one to the next. */
export const CALENDAR = {
  DAY: { trunc: 'day', step: '1 day' },
  WEEK: { trunc: 'week', step: '7 days' },
  MONTH: { trunc: 'month', step: '1 month' },
  QUARTER: { trunc: 'quarter', step: '3 months' },
  YEAR: { trunc: 'year', step: '1 year' },
} as const satisfies Record<Exclude<PeriodUnit, 'MINUTE' | 'HOUR'>, { trunc: string; step: string }>;
