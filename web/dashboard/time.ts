/**
 * Instants as an IANA time zone's clock shows them, with nothing but Intl. The periods of a chart
 * are meterql's (usageStatistics lists them); the one piece of calendar arithmetic left here turns
 * the range pickers' local dates into the instants a query takes.
 */

export type PeriodUnit = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';

export interface Period {
  start: Date;
  end: Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const HOUR = 3_600_000;

/** How far the zone's clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(new Date(ms), timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

/** A local date, YYYY-MM-DD. */
export type LocalDate = string;

export function isLocalDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function split(date: LocalDate): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y, m, d];
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = split(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Midnight of a local date in the zone, read as PostgreSQL reads a local time, and so where
 * meterql's periods of that day start: of two midnights (a clock set back over it) the later, and
 * where the clock skips midnight, the end of the skip. The API takes instants and Intl only turns
 * instants into local times, so this one inverse is still computed here, for the range pickers.
 */
export function startOfDay(date: LocalDate, timeZone: string): Date {
  const [y, m, d] = split(date);
  const wall = Date.UTC(y, m - 1, d);
  // Clocks are less than 15 hours from UTC (since the 1800s): the offsets 15 hours either side
  // are those before and after any change of the clock near this midnight.
  const candidates = [wall - offsetAt(wall - 15 * HOUR, timeZone), wall - offsetAt(wall + 15 * HOUR, timeZone)];
  const midnights = candidates.filter((t) => t + offsetAt(t, timeZone) === wall);
  return new Date(Math.max(...(midnights.length > 0 ? midnights : candidates)));
}

/** The first and last local dates of the month that holds an instant. */
export function monthAround(instant: Date, timeZone: string): { from: LocalDate; to: LocalDate } {
  const t = localTime(instant, timeZone);
  const first = new Date(Date.UTC(t.year, t.month - 1, 1));
  const last = new Date(Date.UTC(t.year, t.month, 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

const labelFormats: Record<PeriodUnit, Intl.DateTimeFormatOptions> = {
  HOUR: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  DAY: { month: 'short', day: 'numeric' },
  WEEK: { month: 'short', day: 'numeric' },
  MONTH: { month: 'short', year: 'numeric' },
};

/**
 * Whether the zone's clock shows an instant's time twice, an hour apart: the hour that repeats
 * when the clock is set back. Such a time is written with its offset, so that the two differ.
 */
function repeatsHour(instant: Date, timeZone: string): boolean {
  const local = instant.getTime() + offsetAt(instant.getTime(), timeZone);
  return [-HOUR, HOUR].some((step) => {
    const other = instant.getTime() + step;
    return other + offsetAt(other, timeZone) === local;
  });
}

/** An instant as the zone's clock shows it, in the given fields, 24-hour, with the offset where the hour repeats. */
function clock(instant: Date, timeZone: string, fields: Intl.DateTimeFormatOptions): string {
  const offset: Intl.DateTimeFormatOptions = repeatsHour(instant, timeZone) ? { timeZoneName: 'shortOffset' } : {};
  return new Intl.DateTimeFormat(undefined, { ...fields, ...offset, timeZone, hourCycle: 'h23' }).format(instant);
}

/** A short label of a period's start, for an axis. */
export function periodLabel(start: Date, unit: PeriodUnit, timeZone: string): string {
  return unit === 'HOUR'
    ? clock(start, timeZone, labelFormats.HOUR)
    : new Intl.DateTimeFormat(undefined, { ...labelFormats[unit], timeZone }).format(start);
}

/** An instant as the zone's clock shows it, to the minute (or second, when it has seconds). */
export function formatInstant(instant: Date, timeZone: string): string {
  const seconds = instant.getUTCSeconds() !== 0;
  return clock(instant, timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
}

/**
 * A period as a reader would say it: "Mon, Oct 5, 2026", "Sun, Oct 25, 2026 (25 h)" for a day
 * whose clock changes, "Mon, Oct 5, 2026 – Sun, Oct 11, 2026", "Oct 5, 2026, 14:00 – 15:00".
 */
export function describePeriod(period: Period, unit: PeriodUnit, timeZone: string): string {
  const day = (d: Date) =>
    new Intl.DateTimeFormat(undefined, { timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(d);
  const hours = (period.end.getTime() - period.start.getTime()) / HOUR;
  switch (unit) {
    case 'HOUR':
      return `${formatInstant(period.start, timeZone)} – ${clock(period.end, timeZone, { hour: '2-digit', minute: '2-digit' })}`;
    case 'DAY':
      return hours === 24 ? day(period.start) : `${day(period.start)} (${hours} h)`;
    case 'WEEK':
      return `${day(period.start)} – ${day(new Date(period.end.getTime() - 1))}`;
    case 'MONTH':
      return new Intl.DateTimeFormat(undefined, { timeZone, month: 'long', year: 'numeric' }).format(period.start);
  }
}

export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The local date an instant falls on in the zone. */
export function localDate(instant: Date, timeZone: string): LocalDate {
  const t = localTime(instant, timeZone);
  return new Date(Date.UTC(t.year, t.month - 1, t.day)).toISOString().slice(0, 10);
}

const lastDayOfMonth = (date: LocalDate) => {
  const [y, m] = split(date);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

const firstOfMonth = (year: number, monthIndex: number): LocalDate => new Date(Date.UTC(year, monthIndex, 1)).toISOString().slice(0, 10);

/**
 * The range moved by its own length; a range of whole months moves by as many months, so that
 * the period before October is September, not the 31 days before it.
 */
export function shiftRange(range: { from: LocalDate; to: LocalDate }, direction: 1 | -1): { from: LocalDate; to: LocalDate } {
  const { from, to } = range;
  if (from.endsWith('-01') && to === lastDayOfMonth(to)) {
    const [fy, fm] = split(from);
    const [ty, tm] = split(to);
    const months = (ty - fy) * 12 + (tm - fm) + 1;
    const start = firstOfMonth(fy, fm - 1 + direction * months);
    return { from: start, to: lastDayOfMonth(firstOfMonth(fy, fm - 1 + direction * months + months - 1)) };
  }
  const days = daysBetween(from, to) + 1;
  return { from: addDays(from, direction * days), to: addDays(to, direction * days) };
}

const daysBetween = (from: LocalDate, to: LocalDate) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

export const QUICK_RANGES = {
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
} as const;
export type QuickRange = keyof typeof QUICK_RANGES;

/** A quick range as whole local dates of the zone, today included in "last n days". */
export function quickRange(which: QuickRange, now: Date, timeZone: string): { from: LocalDate; to: LocalDate } {
  const today = localDate(now, timeZone);
  const [y, m] = split(today);
  switch (which) {
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'thisMonth':
      return { from: firstOfMonth(y, m - 1), to: lastDayOfMonth(today) };
    case 'lastMonth':
      return { from: firstOfMonth(y, m - 2), to: lastDayOfMonth(firstOfMonth(y, m - 2)) };
  }
}

/**
 * The most bars a chart draws: beyond it a bar is thinner than a pixel on a wide screen, and the
 * answer grows with no more to read (a year by the hour is 8,760 periods per group).
 */
export const MAX_PERIODS = 1000;

const COARSER: PeriodUnit[] = ['HOUR', 'DAY', 'WEEK', 'MONTH'];

/** How many periods of a unit meterql lists for a range of whole local dates, [from, to). */
export function periodCount(unit: PeriodUnit, dates: { from: LocalDate; to: LocalDate }, instants: { from: Date; to: Date }): number {
  const days = daysBetween(dates.from, dates.to) + 1;
  switch (unit) {
    case 'HOUR':
      return Math.round((instants.to.getTime() - instants.from.getTime()) / HOUR);
    case 'DAY':
      return days;
    case 'WEEK': {
      // Weeks start on Monday; the first and the last are clipped to the range.
      const mondayOffset = (new Date(Date.parse(dates.from)).getUTCDay() + 6) % 7;
      return Math.floor((mondayOffset + days - 1) / 7) + 1;
    }
    case 'MONTH': {
      const [fy, fm] = split(dates.from);
      const [ty, tm] = split(dates.to);
      return (ty - fy) * 12 + (tm - fm) + 1;
    }
  }
}

/** The unit asked for, or the finest coarser one with at most MAX_PERIODS periods over the range. */
export function fitPeriod(
  unit: PeriodUnit,
  dates: { from: LocalDate; to: LocalDate },
  instants: { from: Date; to: Date },
): { unit: PeriodUnit; asked: number } {
  const asked = periodCount(unit, dates, instants);
  const fitting = COARSER.slice(COARSER.indexOf(unit)).find((u) => periodCount(u, dates, instants) <= MAX_PERIODS) ?? 'MONTH';
  return { unit: fitting, asked };
}
