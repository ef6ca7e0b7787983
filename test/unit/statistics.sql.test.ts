import { statisticsSql, type StatisticsQuery } from '../../src/modules/statistics/statistics.sql';
import { isTimeZone } from '../../src/common/time-zones';
import { GroupBy } from '../../src/modules/statistics/statistics.types';
import { estimatePeriods, PeriodUnit } from '../../src/modules/usage/usage.calendar';

const base: StatisticsQuery = {
  meterIds: [7],
  metrics: null,
  from: new Date('2026-04-01T00:00:00Z'),
  to: new Date('2026-05-01T00:00:00Z'),
  filter: null,
  groupBy: [],
  groupByMetadata: [],
  period: null,
  timeZone: 'UTC',
  prorate: false,
  rollups: false,
  cost: false,
};
const squash = (sql: string) => sql.replace(/\s+/g, ' ');

describe('statisticsSql', () => {
  test('no period: the range itself is the one period, records by start', () => {
    const { text, values } = statisticsSql(base);
    expect(squash(text)).toContain('WITH bounds AS (SELECT ARRAY[$1::timestamptz, $2::timestamptz] AS b)');
    expect(squash(text)).toContain('width_bucket(e.start_time, bounds.b) AS bucket');
    expect(squash(text)).toContain('e.start_time >= $1::timestamptz AND e.start_time < $2::timestamptz');
    expect(values).toEqual([base.from, base.to, [7]]);
    expect(text).not.toContain('usage_rollups');
  });

  test('where rollups may answer, one statement holds both paths and chooses at run time', () => {
    const { text } = statisticsSql({ ...base, rollups: true, groupBy: [GroupBy.PROJECT], period: { unit: PeriodUnit.DAY, size: 1 } });
    expect(squash(text)).toContain('choice AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM usage_rollup_dirty d');
    expect(squash(text)).toContain(
      "e.grain = (SELECT grain FROM choice) AND e.time_zone = CASE (SELECT grain FROM choice) WHEN 'hour' THEN 'UTC' ELSE $3::text END",
    );
    expect(squash(text)).toContain('UNION ALL SELECT');
    expect(squash(text)).toContain('WHERE (SELECT grain FROM choice) IS NULL AND e.meter_id = ANY($5::int[])');
  });

  test.each([
    ['prorate', { prorate: true }],
    ['metadata groups', { groupByMetadata: ['flavor'] }],
    ['resource groups', { groupBy: [GroupBy.RESOURCE] }],
    ['a resource filter', { filter: { resources: ['vm-1'] } }],
    ['a metadata filter', { filter: { metadata: { a: 1 } } }],
    ['metrics', { meterIds: null, metrics: ['energy'] }],
  ])('%s: events only, rollups cannot hold the answer', (_, override) => {
    expect(statisticsSql({ ...base, rollups: true, ...override }).text).not.toContain('usage_rollups');
  });

  test.each([
    [PeriodUnit.DAY, "date_trunc('day'", "interval '1 day'"],
    [PeriodUnit.WEEK, "date_trunc('week'", "interval '7 days'"],
    [PeriodUnit.MONTH, "date_trunc('month'", "interval '1 month'"],
    [PeriodUnit.QUARTER, "date_trunc('quarter'", "interval '3 months'"],
    [PeriodUnit.YEAR, "date_trunc('year'", "interval '1 year'"],
    [PeriodUnit.HOUR, 'CROSS JOIN LATERAL unnest', "interval '1 hour'"],
    [PeriodUnit.MINUTE, 'CROSS JOIN LATERAL unnest', "interval '1 minute'"],
  ])('%s periods step by their unit in the bound time zone', (unit, trunc, step) => {
    const { text, values } = statisticsSql({ ...base, period: { unit, size: 2 }, timeZone: 'Europe/Berlin' });
    expect(text).toContain(trunc);
    expect(text).toContain(`$4::int * ${step}`);
    expect(text).toContain('AT TIME ZONE $3::text');
    expect(values.slice(2, 4)).toEqual(['Europe/Berlin', 2]);
  });

  test('metadata keys and filter values are bound parameters, never SQL text', () => {
    const key = "flavor'; DROP TABLE usage_events; --";
    const { text, values } = statisticsSql({
      ...base,
      groupByMetadata: [key],
      filter: { projects: ["astro' OR '1'='1"], metadata: { zone: "a'" } },
    });
    expect(text).not.toContain('DROP TABLE');
    expect(text).not.toContain("astro'");
    expect(values).toEqual(expect.arrayContaining([key, "astro' OR '1'='1", JSON.stringify({ zone: "a'" })]));
    expect(squash(text)).toMatch(/rm\.metadata -> \$\d+::text AS md_0/);
  });

  test('groups are aggregated by id and named afterwards', () => {
    const { text } = statisticsSql({ ...base, groupBy: [GroupBy.USER, GroupBy.PARTITION, GroupBy.COMPONENT] });
    expect(squash(text)).toContain('e.user_id AS g_user, e.partition AS g_partition, gm.component_id AS g_component');
    // By each distinct volume, factor and duration of a group first, then by the group.
    expect(squash(text)).toContain('GROUP BY e.volume, e.contingent_factor, e.duration, series, bucket, g_user, g_partition, g_component');
    expect(squash(text)).toContain('GROUP BY x.series, x.bucket, x.g_user, x.g_partition, x.g_component');
    expect(squash(text)).toContain('LEFT JOIN users n_g_user ON n_g_user.id = a.g_user');
    expect(squash(text)).toContain('JOIN meters gm ON gm.id = e.meter_id');
  });

  test('prorate splits records over the periods they overlap', () => {
    const { text } = statisticsSql({ ...base, prorate: true });
    expect(squash(text)).toContain('(e.start_time >= $1::timestamptz OR e.end_time > $1::timestamptz)');
    // Reaching back by the longest record, but never before year 1.
    expect(squash(text)).toContain(
      "e.start_time >= $1::timestamptz - make_interval(secs => (SELECT least(coalesce(max(max_seconds), 0), extract(epoch FROM $1::timestamptz - timestamptz '0001-01-01 00:00:00+00')) FROM record_durations WHERE meter_id = ANY($3::int[])))",
    );
    expect(squash(text)).toContain('(SELECT width_bucket(greatest(e.start_time, $1::timestamptz), bounds.b) AS lo,');
    expect(squash(text)).toContain('unnest(bounds.b[w.lo:w.hi]) WITH ORDINALITY AS u(start, n)');
    expect(squash(text)).toContain('i.overlap / extract(epoch FROM e.end_time - e.start_time)');
  });

  test('metrics aggregate usage_metrics joined to their records', () => {
    const { text, values } = statisticsSql({ ...base, meterIds: null, metrics: ['energy'] });
    expect(squash(text)).toContain('FROM usage_metrics um JOIN usage_events e ON e.project_id = um.project_id AND e.id = um.event_id');
    expect(squash(text)).toContain('um.metric = ANY($3::text[])');
    expect(values[2]).toEqual(['energy']);
  });
});

describe('estimatePeriods', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  test.each([
    [null, '2026-12-31T00:00:00Z', 1],
    [{ unit: PeriodUnit.DAY, size: 1 }, '2026-01-31T00:00:00Z', 31],
    [{ unit: PeriodUnit.MONTH, size: 1 }, '2027-01-01T00:00:00Z', 13],
    [{ unit: PeriodUnit.HOUR, size: 1 }, '2026-01-02T00:00:00Z', 27],
    [{ unit: PeriodUnit.MINUTE, size: 1 }, '2026-03-11T00:00:00Z', 69 * 1440 + 1 + 69 + 1],
  ])('%j until %s: %d', (period, to, expected) => {
    expect(estimatePeriods(from, new Date(to), period)).toBe(expected);
  });
});

test.each([
  ['UTC', true],
  ['Europe/Berlin', true],
  ['America/Argentina/Buenos_Aires', true],
  ['Etc/GMT+3', true],
  ['UTC+3', false],
  ['Europe/Atlantis', false],
  ["Europe/Berlin'; --", false],
])('isTimeZone(%s) is %s', (name, known) => {
  expect(isTimeZone(name)).toBe(known);
});
