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
} as const;
export type Measure = keyof typeof MEASURES;

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
  drill: Drill | null;
}

/** A view read from a URL; what the URL does not say is left out, to be filled with defaults. */
export type PartialView = Partial<View>;

const oneOf = <T extends string>(value: string | null, allowed: Record<T, unknown>): T | undefined =>
  value !== null && Object.hasOwn(allowed, value) ? (value as T) : undefined;

const isInstant = (value: string | null): value is string => value !== null && !Number.isNaN(Date.parse(value));

export function readView(search: string): PartialView {
  const params = new URLSearchParams(search);
  const view: PartialView = {};
  if (params.has('project')) view.projects = params.getAll('project').filter(Boolean);
  if (params.has('meter')) view.meters = params.getAll('meter').filter(Boolean);
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && isLocalDate(from) && isLocalDate(to) && from <= to) Object.assign(view, { from, to });
  const timeZone = params.get('tz');
  if (timeZone && isTimeZone(timeZone)) view.timeZone = timeZone;
  view.period = oneOf(params.get('period'), PERIOD_UNITS);
  view.group = oneOf(params.get('group'), GROUPS);
  view.measure = oneOf(params.get('measure'), MEASURES);
  const drillMeter = params.get('drill.meter');
  const drillFrom = params.get('drill.from');
  const drillTo = params.get('drill.to');
  if (drillMeter && isInstant(drillFrom) && isInstant(drillTo)) {
    view.drill = { meter: drillMeter, from: drillFrom, to: drillTo, groups: params.getAll('drill.group') };
  }
  for (const key of Object.keys(view) as (keyof View)[]) if (view[key] === undefined) delete view[key];
  return view;
}

export function writeView(view: View): string {
  const params = new URLSearchParams();
  for (const project of view.projects) params.append('project', project);
  for (const meter of view.meters) params.append('meter', meter);
  params.set('from', view.from);
  params.set('to', view.to);
  params.set('tz', view.timeZone);
  params.set('period', view.period);
  params.set('group', view.group);
  params.set('measure', view.measure);
  if (view.drill) {
    params.set('drill.meter', view.drill.meter);
    params.set('drill.from', view.drill.from);
    params.set('drill.to', view.drill.to);
    for (const group of view.drill.groups) params.append('drill.group', group);
  }
  return `?${params.toString()}`;
}
