import { isLocalDate, isTimeZone, type LocalDate, type PeriodUnit } from './time';

/** A dimension of usage the dashboard groups by, with its row field and its filter field. */
export const GROUPS = {
  USER: { label: 'User', row: 'user', filter: 'users' },
  PROJECT: { label: 'Project', row: 'project', filter: 'projects' },
  RESOURCE: { label: 'Resource', row: 'resource', filter: 'resources' },
  COMPUTE_PROJECT: { label: 'Compute project', row: 'computeProject', filter: 'computeProjects' },
  SOURCE: { label: 'Source', row: 'source', filter: 'sources' },
  PARTITION: { label: 'Partition', row: 'partition', filter: 'partitions' },
  PRIORITY: { label: 'Priority', row: 'priority', filter: 'priorities' },
} as const;
export type Group = keyof typeof GROUPS;
export type GroupRowField = (typeof GROUPS)[Group]['row'];

export const PERIOD_UNITS: Record<PeriodUnit, string> = { HOUR: 'Hour', DAY: 'Day', WEEK: 'Week', MONTH: 'Month' };

export const MEASURES = {
  sum: 'Volume',
  weightedSum: 'Weighted volume',
  count: 'Records',
  cost: 'Cost',
  weightedCost: 'Weighted cost',
} as const;
export type Measure = keyof typeof MEASURES;
export type MoneyMeasure = 'cost' | 'weightedCost';

/** Money is priced from events at query time: only these measures ask for it. */
export const isMoney = (measure: Measure): measure is MoneyMeasure => measure === 'cost' || measure === 'weightedCost';

export const COMPARISONS = { none: 'None', previous: 'The period before' } as const;

export const TABS = { usage: 'Usage', chargeback: 'Chargeback', contingents: 'Contingents' } as const;
export type Tab = keyof typeof TABS;

/** What a chargeback row is of, and over what: the chargeback query's detail and period. */
export const CHARGEBACK_BY = { PROJECT: 'Project', RESOURCE: 'Resource' } as const;
export const CHARGEBACK_PER = { RANGE: 'The whole range', DAY: 'Day' } as const;
/** Whose usage is charged: every meter's, or only that of the meters picked for the charts. */
export const CHARGEBACK_METERS = { ALL: 'Every meter', SHOWN: 'The meters picked' } as const;
export interface ChargebackOptions {
  by: keyof typeof CHARGEBACK_BY;
  per: keyof typeof CHARGEBACK_PER;
  meters: keyof typeof CHARGEBACK_METERS;
}
export const DEFAULT_CHARGEBACK: ChargebackOptions = { by: 'PROJECT', per: 'RANGE', meters: 'ALL' };

/** A bar (or a table row) that was clicked: the events of one meter, period and group. */
export interface Drill {
  meter: string;
  from: string;
  to: string;
  /** The group's values: one, or the several a chart's "other" stands for. */
  groups: string[];
}

/** Everything the dashboard shows, as it is written in the URL's query string. */
export interface View {
  projects: string[];
  meters: string[];
  from: LocalDate;
  /** The last day shown, included. */
  to: LocalDate;
  timeZone: string;
  period: PeriodUnit;
  group: Group;
  measure: Measure;
  /** Whether the totals are set beside those of the period before the range. */
  compare: boolean;
  tab: Tab;
  chargeback: ChargebackOptions;
  drill: Drill | null;
}

/** A view read from a URL; what the URL does not say is left out, to be filled with defaults. */
export type PartialView = Partial<View>;

const isInstant = (value: string | null): value is string => value !== null && !Number.isNaN(Date.parse(value));

/**
 * A view read from a URL, and what in it could not be read: a link that asks for something that
 * does not exist is told so, not quietly shown something else (the defaults fill those parts).
 */
export function readView(search: string): { view: PartialView; problems: string[] } {
  const params = new URLSearchParams(search);
  const view: PartialView = {};
  const problems: string[] = [];
  const oneOf = <T extends string>(key: string, allowed: Record<T, unknown>, what: string): T | undefined => {
    const value = params.get(key);
    if (value === null) return undefined;
    if (Object.hasOwn(allowed, value)) return value as T;
    problems.push(`${key}: there is no ${what} “${value}” (${Object.keys(allowed).join(', ')})`);
    return undefined;
  };

  if (params.has('project')) view.projects = params.getAll('project').filter(Boolean);
  if (params.has('meter')) view.meters = params.getAll('meter').filter(Boolean);
  const from = params.get('from');
  const to = params.get('to');
  const badDate = [
    from && !isLocalDate(from) && `from: “${from}” is not a date (YYYY-MM-DD)`,
    to && !isLocalDate(to) && `to: “${to}” is not a date (YYYY-MM-DD)`,
  ].filter((p): p is string => typeof p === 'string');
  problems.push(...badDate);
  if (from && to && badDate.length === 0) {
    if (from <= to) Object.assign(view, { from, to });
    else problems.push(`the range starts on ${from}, after it ends on ${to}`);
  } else if ((from === null) !== (to === null) && badDate.length === 0) {
    problems.push(from ? 'from is given without to' : 'to is given without from');
  }
  const timeZone = params.get('tz');
  if (timeZone !== null) {
    if (isTimeZone(timeZone)) view.timeZone = timeZone;
    else problems.push(`tz: there is no time zone “${timeZone}” (an IANA name such as Europe/Berlin)`);
  }
  view.period = oneOf('period', PERIOD_UNITS, 'period');
  view.group = oneOf('group', GROUPS, 'grouping');
  view.measure = oneOf('measure', MEASURES, 'measure');
  view.tab = oneOf('tab', TABS, 'tab');
  const compare = oneOf('compare', COMPARISONS, 'comparison');
  if (compare) view.compare = compare === 'previous';
  const chargeback = {
    by: oneOf('cb.by', CHARGEBACK_BY, 'chargeback grouping'),
    per: oneOf('cb.per', CHARGEBACK_PER, 'chargeback period'),
    meters: oneOf('cb.meters', CHARGEBACK_METERS, 'choice of meters'),
  };
  view.chargeback = {
    by: chargeback.by ?? DEFAULT_CHARGEBACK.by,
    per: chargeback.per ?? DEFAULT_CHARGEBACK.per,
    meters: chargeback.meters ?? DEFAULT_CHARGEBACK.meters,
  };
  const drillMeter = params.get('drill.meter');
  const drillFrom = params.get('drill.from');
  const drillTo = params.get('drill.to');
  if (drillMeter && isInstant(drillFrom) && isInstant(drillTo)) {
    view.drill = { meter: drillMeter, from: drillFrom, to: drillTo, groups: params.getAll('drill.group') };
  }
  for (const key of Object.keys(view) as (keyof View)[]) if (view[key] === undefined) delete view[key];
  return { view, problems };
}

export function writeView(view: View): string {
  const params = new URLSearchParams();
  params.set('tab', view.tab);
  for (const project of view.projects) params.append('project', project);
  for (const meter of view.meters) params.append('meter', meter);
  params.set('from', view.from);
  params.set('to', view.to);
  params.set('tz', view.timeZone);
  params.set('period', view.period);
  params.set('group', view.group);
  params.set('measure', view.measure);
  params.set('compare', view.compare ? 'previous' : 'none');
  // The chargeback's options only with its tab, so that a link to the charts stays short.
  if (view.tab === 'chargeback') {
    params.set('cb.by', view.chargeback.by);
    params.set('cb.per', view.chargeback.per);
    params.set('cb.meters', view.chargeback.meters);
  }
  if (view.drill) {
    params.set('drill.meter', view.drill.meter);
    params.set('drill.from', view.drill.from);
    params.set('drill.to', view.drill.to);
    for (const group of view.drill.groups) params.append('drill.group', group);
  }
  return `?${params.toString()}`;
}
