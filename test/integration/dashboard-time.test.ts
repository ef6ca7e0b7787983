import { PeriodUnit } from '../../src/modules/usage/usage.calendar';
import { addDays, startOfDay } from '../../web/dashboard/time';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The dashboard's range pickers hold local dates, and the API takes instants: the browser turns a
 * date into its midnight (web/dashboard/time.ts, startOfDay). That midnight must be where meterql's
 * periods of the day start, or the range's first day would be clipped and a drill-down would miss
 * the bounds of the periods it was clicked on.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const intlZones = new Map<string, boolean>();
const knownToIntl = (zone: string) => {
  if (!intlZones.has(zone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      intlZones.set(zone, true);
    } catch {
      intlZones.set(zone, false);
    }
  }
  return intlZones.get(zone)!;
};

test("a local date's midnight is PostgreSQL's, on both days around every change of offset, 1970-2022, in every zone", async () => {
  // Past years only: later rules change with each release of the zone database, and Node's
  // may be older or newer than PostgreSQL's. `local AT TIME ZONE zone` is how meterql's calendar
  // periods turn a local start into an instant (modules/usage/usage.sql.ts, boundariesSql).
  const days = await t.sql<{ zone: string; date: string; start: Date; next: string; nextStart: Date }>(
    `SELECT z.name AS zone, to_char(d, 'YYYY-MM-DD') AS date, d::timestamp AT TIME ZONE z.name AS start,
            to_char(d + 1, 'YYYY-MM-DD') AS next, (d + 1)::timestamp AT TIME ZONE z.name AS "nextStart"
     FROM pg_timezone_names z
     CROSS JOIN generate_series(date '1970-01-01', date '2022-12-31', interval '1 day') AS g
     CROSS JOIN LATERAL (SELECT g::date AS d) AS day
     WHERE z.name !~ '^(posix|Etc)/' AND (d + 1)::timestamp AT TIME ZONE z.name - d::timestamp AT TIME ZONE z.name <> interval '1 day'`,
  );
  const zones = new Set(days.map((d) => d.zone));
  expect(zones.size).toBeGreaterThan(300);
  const different = days
    .filter((d) => knownToIntl(d.zone))
    .flatMap(
      (d) =>
        [
          [d.zone, d.date, d.start],
          [d.zone, d.next, d.nextStart],
        ] as const,
    )
    .filter(([zone, date, start]) => startOfDay(date, zone).getTime() !== start.getTime())
    .map(([zone, date, start]) => `${zone} ${date}: ${startOfDay(date, zone).toISOString()}, PostgreSQL ${start.toISOString()}`);
  expect(different).toEqual([]);
});

test.each([
  ['Europe/Berlin', '2026-10-25', 'a day of 25 hours'],
  ['Europe/Berlin', '2026-03-29', 'a day of 23 hours'],
  ['America/Havana', '2015-11-01', 'midnight twice: the clock goes back from 01:00 to 00:00'],
  ['America/Santiago', '2026-09-06', 'no midnight: the clock goes from 00:00 to 01:00'],
  ['Pacific/Apia', '2012-04-01', 'UTC+14 until 04:00'],
  ['Pacific/Apia', '2011-12-30', 'a day skipped'],
  ['Asia/Kolkata', '2026-10-25', 'half an hour from UTC'],
])("in %s, %s (%s), the picked days are the days of meterql's periods", async (timeZone, date, _) => {
  const dates = [addDays(date, -1), date, addDays(date, 1), addDays(date, 2)];
  const midnights = [...new Set(dates.map((d) => startOfDay(d, timeZone).getTime()))].map((ms) => new Date(ms));
  const periods = await t.services.statistics.periods({
    from: midnights[0],
    to: midnights[midnights.length - 1],
    period: { unit: PeriodUnit.DAY, size: 1 },
    timeZone,
  });
  expect(periods.map((p) => p.start)).toEqual(midnights.slice(0, -1));
  expect(periods.map((p) => p.end)).toEqual(midnights.slice(1));
});
