import type { StatisticsRow } from './queries';
import type { Period } from './time';
import type { GroupRowField, Measure } from './view';

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
  share: number;
}

export const measureOf = (row: Pick<StatisticsRow, Measure>, measure: Measure): number => row[measure];

/** The meter's groups over the whole range, largest first (ties by name), with their share. */
export function totals(rows: StatisticsRow[], field: GroupRowField, measure: Measure): TotalRow[] {
  const all = rows.reduce((sum, row) => sum + measureOf(row, measure), 0);
  return rows
    .map((row) => ({
      group: row[field],
      count: row.count,
      sum: row.sum,
      weightedSum: row.weightedSum,
      share: all === 0 ? 0 : measureOf(row, measure) / all,
    }))
    .sort((a, b) => measureOf(b, measure) - measureOf(a, measure) || (a.group ?? '').localeCompare(b.group ?? ''));
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

/** The largest stacked bar: the chart's y-axis ends there. */
export function stackedMax(model: ChartModel): number {
  return Math.max(0, ...model.periods.map((_, i) => model.series.reduce((sum, s) => sum + s.values[i], 0)));
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

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${s ? `${s} s` : ''}`.trim() : `${s} s`;
}
