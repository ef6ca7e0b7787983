import { TimeZones } from '../../src/common/time-zones';
import fc from 'fast-check';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { RollupsRepository } from '../../src/modules/usage/rollups.repository';
import { UsageRepository } from '../../src/modules/usage/usage.repository';
import { StatisticsRepository } from '../../src/modules/statistics/statistics.repository';
import { StatisticsService } from '../../src/modules/statistics/statistics.service';
import { GroupBy, type UsageStatisticsInput } from '../../src/modules/statistics/statistics.types';
import { PeriodUnit } from '../../src/modules/usage/usage.calendar';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let t: TestDatabase;
let eventsOnly: StatisticsService;

beforeAll(async () => {
  t = await createTestDatabase({ demo: true, rollupTimeZones: ['UTC', 'Europe/Berlin', 'Asia/Kolkata'] });
  await t.services.rollups.ensureZones();
  await t.services.rollups.refresh();
  eventsOnly = new StatisticsService(
    new StatisticsRepository(t.db.pool),
    t.services.catalog,
    new TimeZones(t.db.pool),
    new UsageRepository(t.db.pool),
    { maxPeriods: 100_000, rollups: false },
  );
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const both = async (input: UsageStatisticsInput, options = { cost: false }) => {
  const [fast, slow] = await Promise.all([
    t.services.statistics.statistics(SYSTEM, input, options),
    eventsOnly.statistics(SYSTEM, input, options),
  ]);
  return { fast, slow };
};
const month = (m: number) => new Date(`2026-${String(m).padStart(2, '0')}-01T00:00:00Z`);

describe('rollups', () => {
  test('are complete after a refresh, per hour and per day and month of each zone', async () => {
    expect(await t.sql('SELECT count(*)::int AS n FROM usage_rollup_dirty')).toEqual([{ n: 0 }]);
    const [sums] = await t.sql(`SELECT
      (SELECT sum(volume::numeric) FROM usage_events)::text AS events,
      (SELECT sum(sum) FROM usage_rollups WHERE grain = 'hour')::text AS hours,
      (SELECT sum(sum) FROM usage_rollups WHERE grain = 'day' AND time_zone = 'Europe/Berlin')::text AS berlin_days,
      (SELECT sum(sum) FROM usage_rollups WHERE grain = 'month' AND time_zone = 'UTC')::text AS utc_months`);
    expect(new Set(Object.values(sums)).size).toBe(1);
    expect(await t.sql('SELECT time_zone FROM usage_rollup_zones ORDER BY 1')).toEqual([
      { time_zone: 'Asia/Kolkata' },
      { time_zone: 'Europe/Berlin' },
      { time_zone: 'UTC' },
    ]);
  });

  test.each([
    [
      'a Berlin month, by month',
      {
        timeZone: 'Europe/Berlin',
        from: new Date('2026-09-30T22:00:00Z'),
        to: new Date('2026-10-31T23:00:00Z'),
        period: { unit: PeriodUnit.MONTH },
      },
      'rollup:month',
    ],
    [
      'Berlin days across the DST change',
      {
        timeZone: 'Europe/Berlin',
        from: new Date('2026-10-20T22:00:00Z'),
        to: new Date('2026-10-28T23:00:00Z'),
        period: { unit: PeriodUnit.DAY },
      },
      'rollup:day',
    ],
    [
      'UTC hours',
      { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-06T00:00:00Z'), period: { unit: PeriodUnit.HOUR } },
      'rollup:hour',
    ],
    [
      'Berlin hours',
      {
        timeZone: 'Europe/Berlin',
        from: new Date('2026-10-25T00:00:00Z'),
        to: new Date('2026-10-25T06:00:00Z'),
        period: { unit: PeriodUnit.HOUR },
      },
      'rollup:hour',
    ],
    [
      'Kolkata days (built from events: local midnight is not an hour of UTC)',
      {
        timeZone: 'Asia/Kolkata',
        from: new Date('2026-10-04T18:30:00Z'),
        to: new Date('2026-10-08T18:30:00Z'),
        period: { unit: PeriodUnit.DAY },
      },
      'rollup:day',
    ],
    [
      'Kathmandu days (+05:45, no rollups of its own)',
      {
        timeZone: 'Asia/Kathmandu',
        from: new Date('2026-10-04T18:15:00Z'),
        to: new Date('2026-10-08T18:15:00Z'),
        period: { unit: PeriodUnit.DAY },
      },
      'events',
    ],
    [
      'New York days (no day rollups kept for it)',
      {
        timeZone: 'America/New_York',
        from: new Date('2026-10-05T04:00:00Z'),
        to: new Date('2026-10-08T04:00:00Z'),
        period: { unit: PeriodUnit.DAY },
      },
      'rollup:hour',
    ],
    ['a range that starts mid-hour', { from: new Date('2026-10-05T00:30:00Z'), to: new Date('2026-10-06T00:00:00Z') }, 'events'],
  ])('%s: %s, the same rows as from events', async (_, range, path) => {
    const { fast, slow } = await both({
      meters: ['cpu.hours', 'job.core_hours'],
      groupBy: [GroupBy.PROJECT, GroupBy.USER],
      ...range,
    } as UsageStatisticsInput);
    expect(fast.aggregatedFrom).toBe(path);
    expect(slow.aggregatedFrom).toBe('events');
    expect(fast.rows.length).toBeGreaterThan(0);
    expect(fast.rows).toEqual(slow.rows);
  });

  test('random queries give the same rows either way', async () => {
    // Per zone: starts of its months, of its days, of hours, and an instant that starts nothing.
    const instants: Record<string, string[]> = {
      UTC: [
        '2026-09-01T00:00:00Z',
        '2026-10-01T00:00:00Z',
        '2026-11-01T00:00:00Z',
        '2026-10-05T00:00:00Z',
        '2026-10-26T00:00:00Z',
        '2026-10-03T05:00:00Z',
        '2026-10-09T13:37:00Z',
      ],
      'Europe/Berlin': [
        '2026-08-31T22:00:00Z',
        '2026-09-30T22:00:00Z',
        '2026-10-31T23:00:00Z',
        '2026-10-04T22:00:00Z',
        '2026-10-25T23:00:00Z',
        '2026-10-17T11:00:00Z',
        '2026-10-09T13:37:00Z',
      ],
      'America/New_York': [
        '2026-09-01T04:00:00Z',
        '2026-10-01T04:00:00Z',
        '2026-10-10T04:00:00Z',
        '2026-11-01T04:00:00Z',
        '2026-10-09T13:37:00Z',
      ],
      'Asia/Kolkata': ['2026-09-30T18:30:00Z', '2026-10-15T18:30:00Z', '2026-10-20T00:00:00Z', '2026-10-31T18:30:00Z'],
    };
    const query = fc.constantFrom(...Object.keys(instants)).chain((timeZone) =>
      fc.record({
        timeZone: fc.constant(timeZone),
        // Priced too: the demo's cpu.hours price changes on October 15th, 00:00 UTC.
        cost: fc.boolean(),
        range: fc.tuple(fc.constantFrom(...instants[timeZone]), fc.constantFrom(...instants[timeZone])).filter(([a, b]) => a < b),
        meters: fc.subarray(['cpu.hours', 'job.core_hours', 'memory.gib_hours', 'instance.create', 'network.egress', 'volume.gib_hours'], {
          minLength: 1,
        }),
        period: fc.oneof(
          fc.constant(undefined),
          fc.record({
            unit: fc.constantFrom(PeriodUnit.HOUR, PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH, PeriodUnit.QUARTER),
            size: fc.constantFrom(1, 2),
          }),
        ),
        groupBy: fc.subarray([
          GroupBy.PROJECT,
          GroupBy.USER,
          GroupBy.SOURCE,
          GroupBy.COMPUTE_PROJECT,
          GroupBy.PARTITION,
          GroupBy.PRIORITY,
          GroupBy.COMPONENT,
        ]),
        filter: fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: fc.record(
              {
                projects: fc.subarray(['astro', 'climate', 'genomics'], { minLength: 1 }),
                partitions: fc.constantFrom(['gpu'], ['compute']),
                discrete: fc.boolean(),
              },
              { requiredKeys: [] },
            ),
          },
        ),
      }),
    );
    const paths = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(query, async ({ range, cost, ...input }) => {
        const { fast, slow } = await both({ ...input, from: new Date(range[0]), to: new Date(range[1]) } as UsageStatisticsInput, { cost });
        paths.set(fast.aggregatedFrom ?? 'none', (paths.get(fast.aggregatedFrom ?? 'none') ?? 0) + 1);
        expect(fast.rows).toEqual(slow.rows);
      }),
      { numRuns: 300, seed: 42 },
    );
    // Each path was taken, so each was compared.
    for (const path of ['rollup:hour', 'rollup:day', 'rollup:month', 'events']) expect(paths.get(path) ?? 0).toBeGreaterThanOrEqual(5);
  }, 120_000);

  test('an overwrite or a late report is exact at once (from events), then from rollups again after a refresh', async () => {
    const input = {
      meters: ['cpu.hours'],
      from: month(10),
      to: month(11),
      period: { unit: PeriodUnit.MONTH },
      groupBy: [GroupBy.PROJECT],
    } as UsageStatisticsInput;
    const before = await t.services.statistics.statistics(SYSTEM, input);
    expect(before.aggregatedFrom).toBe('rollup:month');
    const astro = () => before.rows.find((r) => r.project === 'astro')!.sum;
    const astroSum = astro();

    // vm-astro-1's CPU hours of October 3rd, 10:00, reported again with 100 instead of 4; and a late report.
    await t.services.ingestion.reportUsage(SYSTEM, [
      {
        project: 'astro',
        user: 'alice',
        meter: 'cpu.hours',
        start: new Date('2026-10-03T10:00:00Z'),
        end: new Date('2026-10-03T11:00:00Z'),
        volume: 100,
        source: 'openstack',
        resource: 'vm-astro-1',
        additionalResources: [{ meter: 'memory.gib_hours', volume: 8 }],
        additionalMetrics: [{ metric: 'cpu_utilisation', volume: 0.5 }],
      },
      { project: 'astro', user: 'alice', meter: 'cpu.hours', start: new Date('2026-10-07T03:20:00Z'), volume: 5, source: 'late-collector' },
    ]);
    const dirty = await t.services.statistics.statistics(SYSTEM, input);
    expect(dirty.aggregatedFrom).toBe('events');
    expect(dirty.rows.find((r) => r.project === 'astro')!.sum).toBe(astroSum - 4 + 100 + 5);

    await t.services.rollups.refresh();
    const clean = await t.services.statistics.statistics(SYSTEM, input);
    expect(clean.aggregatedFrom).toBe('rollup:month');
    expect(clean.rows).toEqual(dirty.rows.map((r) => ({ ...r })));
    expect(clean.rows).toEqual((await eventsOnly.statistics(SYSTEM, input)).rows);
  });
});

test('a rebuild of everything gives the rollups that hour-by-hour refreshes gave', async () => {
  const snapshot = () =>
    t.sql(`SELECT grain, time_zone, bucket_start, meter_id, project_id, compute_project_id, user_id, source_id, partition, priority, discrete,
             count::text, operations::text, sum::text, sum_squares::text, min, max, weighted_sum::text, duration_sum::text, duration_count::text
           FROM usage_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`);
  await t.services.rollups.refresh();
  const incremental = await snapshot();
  await t.sql("INSERT INTO usage_rollup_dirty (project_id, meter_id, hour) VALUES (1, 1, '2026-10-01T00:00:00Z') ON CONFLICT DO NOTHING");
  const client = await t.db.pool.connect();
  try {
    await client.query('BEGIN');
    expect(await new RollupsRepository().rebuildAll(client)).toBe(1);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  expect(await snapshot()).toEqual(incremental);
});
