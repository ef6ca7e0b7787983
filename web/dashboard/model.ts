import { addDecimals, formatMoney, type Decimal } from './money';
import type { ChargebackRow, Contingent, ContingentStatus, ContingentUseData, StatisticsRow } from './queries';
import type { Period } from './time';
import { isMoney, type GroupRowField, type Measure } from './view';

/** How many groups get a series (and a colour) of their own; the rest are stacked as "Other". */
export const TOP_GROUPS = 8;

export const NONE_LABEL = '(none)';
export const OTHER_LABEL = 'Other';

export interface Series {
  name: string;
  /** The group's value; null for records without one, and for "Other". */
  group: string | null;
  other: boolean;
  /** Per period; 0 where the group has no records. */
  values: number[];
  /** Per period, the groups a bar stands for: the one group, or the groups of "Other" there. */
  groupsAt: string[][];
}

export interface ChartModel {
  meter: string;
  unit: string;
  periods: Period[];
  series: Series[];
}

export interface TotalRow {
  group: string | null;
  count: number;
  sum: number;
  weightedSum: number;
  /** Decimals, with a money measure; null where nothing was priced. */
  cost: Decimal | null;
  weightedCost: Decimal | null;
  share: number;
  /** The group's value of the measure in the period before the range, with a comparison. */
  previous?: MeasureValue;
}

/** A measure's value: a number, or for money the API's exact Decimal. */
export type MeasureValue = number | Decimal;

type MeasureFields = Pick<StatisticsRow, 'count' | 'sum' | 'weightedSum' | 'cost' | 'weightedCost'>;

/** A row's measure as a number, for bars and shares (money unpriced: 0). */
export const measureOf = (row: MeasureFields, measure: Measure): number => Number(row[measure] ?? 0);

/** The sum of a measure over rows, exact for money (Decimals add up to the last digit). */
export function measureTotal(rows: MeasureFields[], measure: Measure): MeasureValue {
  if (isMoney(measure)) return addDecimals(rows.map((r) => r[measure])) ?? '0';
  return rows.reduce((sum, row) => sum + row[measure], 0);
}

/** The meter's groups over the whole range, largest first (ties by name), with their share. */
export function totals(rows: StatisticsRow[], field: GroupRowField, measure: Measure, previousRows?: StatisticsRow[]): TotalRow[] {
  const all = rows.reduce((sum, row) => sum + measureOf(row, measure), 0);
  return rows
    .map((row) => {
      const before = previousRows?.find((p) => p[field] === row[field]);
      return {
        group: row[field],
        count: row.count,
        sum: row.sum,
        weightedSum: row.weightedSum,
        cost: row.cost ?? null,
        weightedCost: row.weightedCost ?? null,
        share: all === 0 ? 0 : measureOf(row, measure) / all,
        ...(previousRows ? { previous: before ? measureTotal([before], measure) : isMoney(measure) ? '0' : 0 } : {}),
      };
    })
    .sort((a, b) => measureOf(b, measure) - measureOf(a, measure) || (a.group ?? '').localeCompare(b.group ?? ''));
}

/** The currencies a meter's costs are in (one per meter: every card of a meter has one currency). */
export const currenciesOf = (rows: StatisticsRow[]): string[] =>
  [...new Set(rows.map((r) => r.currency).filter((c): c is string => !!c))].sort();

/** What no card priced, so that a cost is never read as covering it. */
export function unpriced(rows: StatisticsRow[]): { count: number; volume: number } {
  return rows.reduce((u, r) => ({ count: u.count + (r.unpricedCount ?? 0), volume: u.volume + (r.unpricedVolume ?? 0) }), {
    count: 0,
    volume: 0,
  });
}

/** A measure's value as the page writes it: money in its currency, records whole. */
export function formatMeasure(value: MeasureValue, measure: Measure, currency: string | null): string {
  if (isMoney(measure)) return formatMoney(value, currency);
  return formatNumber(Number(value), measure === 'count' ? 0 : 3);
}

/** How a value changed from the period before: the difference, and the ratio (null from 0). */
export function change(current: MeasureValue, previous: MeasureValue): { difference: number; ratio: number | null } {
  const difference = Number(current) - Number(previous);
  return { difference, ratio: Number(previous) === 0 ? null : difference / Number(previous) };
}

export function formatChange(current: MeasureValue, previous: MeasureValue): string {
  const { difference, ratio } = change(current, previous);
  if (ratio === null) return difference === 0 ? '±0 %' : 'new';
  const percent = ratio * 100;
  return `${percent > 0 ? '+' : percent < 0 ? '−' : '±'}${formatNumber(Math.abs(percent), 1)} %`;
}

/**
 * A share in percent with one decimal; one too small to show as 0.1 % is said to be less, so that
 * a group with usage never reads "0.0 %".
 */
export function formatShare(share: number): string {
  if (share === 0) return '0 %';
  if (share < 0.0005) return '< 0.1 %';
  return `${(share * 100).toFixed(1)} %`;
}

/**
 * The stacked bars of one meter over the periods meterql listed for the query: a series per top
 * group, in the order of the totals, and one "Other" for the rest.
 */
export function chartModel(
  meter: string,
  unit: string,
  periods: Period[],
  periodRows: StatisticsRow[],
  ordered: TotalRow[],
  field: GroupRowField,
  measure: Measure,
): ChartModel {
  // Every row's periodStart is the start of one of the periods: meterql bucketed it there.
  const index = new Map(periods.map((p, i) => [p.start.getTime(), i]));

  const ownSeries = ordered.length <= TOP_GROUPS + 1 ? ordered : ordered.slice(0, TOP_GROUPS);
  const rest = new Set(ordered.slice(ownSeries.length).map((t) => t.group));
  const empty = () => periods.map(() => 0);
  const series: Series[] = ownSeries.map((t) => ({
    name: t.group ?? NONE_LABEL,
    group: t.group,
    other: false,
    values: empty(),
    groupsAt: periods.map(() => (t.group === null ? [] : [t.group])),
  }));
  const position = new Map(ownSeries.map((t, i) => [t.group, i]));
  const other: Series | null =
    rest.size > 0 ? { name: OTHER_LABEL, group: null, other: true, values: empty(), groupsAt: periods.map(() => []) } : null;

  for (const row of periodRows) {
    const i = index.get(Date.parse(row.periodStart))!;
    const group = row[field];
    const own = position.get(group);
    if (own !== undefined) {
      series[own].values[i] += measureOf(row, measure);
    } else if (other) {
      other.values[i] += measureOf(row, measure);
      if (group !== null) other.groupsAt[i].push(group);
    }
  }
  return { meter, unit, periods, series: other ? [...series, other] : series };
}

/** The largest stacked bar. */
export function stackedMax(model: ChartModel): number {
  return Math.max(0, ...model.periods.map((_, i) => model.series.reduce((sum, s) => sum + s.values[i], 0)));
}

const PALETTE = [
  '#3366cc',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#4e79a7',
  '#8cd17d',
  '#d37295',
  '#499894',
  '#f1ce63',
  '#a0cbe8',
  '#ffbe7d',
  '#86bcb6',
  '#b6992d',
  '#d4a6c8',
  '#79706e',
];
export const OTHER_COLOR = '#bab0ac';

/**
 * A colour for each series name of the page's charts: the names of all charts in order, each its
 * own palette colour, so that a user or resource is the same colour in every chart whatever its
 * rank there ("Other" is always grey). Only beyond 20 names do colours repeat.
 */
export function seriesColors(models: ChartModel[]): Map<string, string> {
  const names = [...new Set(models.flatMap((m) => m.series.filter((s) => !s.other).map((s) => s.name)))].sort();
  const colors = new Map(names.map((name, i) => [name, PALETTE[i % PALETTE.length]]));
  colors.set(OTHER_LABEL, OTHER_COLOR);
  return colors;
}

const formatters = new Map<number, Intl.NumberFormat>();

/** A number as the tables show it: grouped, at most 3 decimals. */
export function formatNumber(value: number, digits = 3): string {
  let formatter = formatters.get(digits);
  if (!formatter) {
    formatter = new Intl.NumberFormat(undefined, { maximumFractionDigits: digits });
    formatters.set(digits, formatter);
  }
  return formatter.format(value);
}

/** A Decimal's value for a bar or a line; exact figures stay strings for the tables. */
export const toNumber = (value: Decimal | null): number => (value === null ? 0 : Number(value));

/** The chargeback's rows as CSV: exactly the API's rows and fields, its Decimals digit for digit. */
export function chargebackCsv(rows: ChargebackRow[]): string {
  const fields = [
    'project',
    'resource',
    'periodStart',
    'periodEnd',
    'currency',
    'allocationMinutes',
    'allocationCost',
    'fixedCost',
    'total',
  ] as const satisfies readonly (keyof ChargebackRow)[];
  const cell = (value: string | null) => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [fields.join(','), ...rows.map((row) => fields.map((f) => cell(row[f])).join(','))].map((line) => `${line}\r\n`).join('');
}

/** The chargeback's sums per currency (null: what no card priced), exact. */
export function chargebackTotals(rows: ChargebackRow[]): ChargebackRow[] {
  const currencies = [...new Set(rows.map((r) => r.currency))];
  return currencies.map((currency) => {
    const of = rows.filter((r) => r.currency === currency);
    return {
      project: '',
      resource: null,
      periodStart: of[0].periodStart,
      periodEnd: of[of.length - 1].periodEnd,
      currency,
      allocationMinutes: addDecimals(of.map((r) => r.allocationMinutes)) ?? '0',
      allocationCost: addDecimals(of.map((r) => r.allocationCost)),
      fixedCost: addDecimals(of.map((r) => r.fixedCost)),
      total: addDecimals(of.map((r) => r.total)),
    };
  });
}

/** A contingent as drawn: its use so far period by period, and its figures at the status's instant. */
export interface ContingentModel {
  contingent: Contingent;
  /** The end of each period up to the instant, and the weighted volume used from the start to there. */
  points: { at: Date; used: number }[];
  at: Date;
  used: number;
  remaining: number;
  shareUsed: number | null;
  /** What the period will use at its pace so far; the use itself once it is over. */
  projectedUse: number | null;
  /** Whether the period was over by the instant: its figures are final. */
  ended: boolean;
}

/**
 * contingentStatus answers only at an instant inside the period; a period over by then gets its
 * final figures from the same use statistics count (weightedSum of the records by their starts).
 */
export function contingentModel(contingent: Contingent, at: Date, data: ContingentUseData): ContingentModel {
  const byStart = new Map(data.use.rows.map((r) => [Date.parse(r.periodStart), r.weightedSum]));
  let used = 0;
  const points = [{ at: new Date(contingent.from), used: 0 }];
  for (const period of data.use.periods) {
    used += byStart.get(Date.parse(period.start)) ?? 0;
    points.push({ at: new Date(period.end), used });
  }
  const status: ContingentStatus | undefined = data.contingentStatus?.find((s) => s.contingent.id === contingent.id);
  if (status) {
    return {
      contingent,
      points,
      at: new Date(status.at),
      used: status.used,
      remaining: status.remaining,
      shareUsed: status.shareUsed,
      projectedUse: status.projectedUse,
      ended: false,
    };
  }
  const ended = at.getTime() >= Date.parse(contingent.to);
  return {
    contingent,
    points,
    at: ended ? new Date(contingent.to) : at,
    used,
    remaining: contingent.amount - used,
    shareUsed: contingent.amount === 0 ? null : used / contingent.amount,
    projectedUse: ended ? used : null,
    ended,
  };
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${s ? `${s} s` : ''}`.trim() : `${s} s`;
}
