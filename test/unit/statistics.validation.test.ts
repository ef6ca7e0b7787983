import { Problems } from '../../src/errors/errors';
import { GroupBy, type UsageStatisticsInput } from '../../src/modules/statistics/statistics.types';
import { checkResourceUsageKeys, checkStatisticsInput, type StatisticsChecks } from '../../src/modules/statistics/statistics.validation';
import { PeriodUnit } from '../../src/modules/usage/usage.calendar';
import { fakeCatalog, fakeZones, problemsOf, ZONE_MESSAGE } from './validation-fakes';

const checks: StatisticsChecks = {
  maxPeriods: 100,
  zones: fakeZones(),
  catalog: fakeCatalog(),
  knownMetrics: async (metrics) => new Set(metrics.filter((m) => m === 'gpu.memory')),
};
const base: UsageStatisticsInput = { meters: ['cpu.hours'], from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };

async function check(input: Partial<UsageStatisticsInput>) {
  const problems = new Problems();
  const checked = await checkStatisticsInput({ ...base, ...input }, problems, checks);
  return { checked, problems: problemsOf(problems) };
}

describe('checkStatisticsInput', () => {
  test('fills defaults: UTC, no period, no prorating, no groups; meters become their ids', async () => {
    expect(await check({})).toEqual({
      problems: [],
      checked: { meterIds: [1], metrics: null, groupBy: [], groupByMetadata: [], period: null, timeZone: 'UTC', prorate: false },
    });
  });

  test('keeps what is given, each group and metric once; a period has size 1 unless told', async () => {
    const { checked, problems } = await check({
      meters: null,
      metrics: ['gpu.memory', 'gpu.memory'],
      groupBy: [GroupBy.USER, GroupBy.USER, GroupBy.PROJECT],
      groupByMetadata: ['site'],
      period: { unit: PeriodUnit.DAY },
      timeZone: 'Europe/Berlin',
      prorate: true,
    });
    expect(problems).toEqual([]);
    expect(checked).toEqual({
      meterIds: null,
      metrics: ['gpu.memory'],
      groupBy: [GroupBy.USER, GroupBy.PROJECT],
      groupByMetadata: ['site'],
      period: { unit: PeriodUnit.DAY, size: 1 },
      timeZone: 'Europe/Berlin',
      prorate: true,
    });
  });

  const SPLIT = 'give a non-empty list of meters, or of metrics, but not both: sums across meters mean nothing';
  test.each<[string, Partial<UsageStatisticsInput>, (string | number)[], string]>([
    ['neither meters nor metrics', { meters: null }, ['input', 'meters'], SPLIT],
    ['empty lists of both', { meters: [], metrics: [] }, ['input', 'meters'], SPLIT],
    ['both meters and metrics', { metrics: ['gpu.memory'] }, ['input', 'meters'], SPLIT],
    ['to not after from', { to: base.from }, ['input', 'to'], 'must be after from'],
    [
      'a filter list of 1001 values',
      { filter: { users: Array.from({ length: 1001 }, (_, i) => `u${i}`) } },
      ['input', 'filter', 'users'],
      'at most 1000 values',
    ],
    ['a zone that is not known', { timeZone: 'Mars/Olympus' }, ['input', 'timeZone'], ZONE_MESSAGE('Mars/Olympus')],
    [
      'a period of size 0',
      { period: { unit: PeriodUnit.DAY, size: 0 } },
      ['input', 'period', 'size'],
      'must be a whole number from 1 to 10000',
    ],
    [
      'a period of size 1.5',
      { period: { unit: PeriodUnit.DAY, size: 1.5 } },
      ['input', 'period', 'size'],
      'must be a whole number from 1 to 10000',
    ],
    [
      'a period of size 10001',
      { period: { unit: PeriodUnit.DAY, size: 10_001 } },
      ['input', 'period', 'size'],
      'must be a whole number from 1 to 10000',
    ],
    [
      'more periods than maxPeriods',
      { period: { unit: PeriodUnit.HOUR, size: 1 } },
      ['input', 'period'],
      '[from, to) holds more than 100 periods of 1 HOUR; use longer periods or a shorter range',
    ],
    [
      '11 metadata keys',
      { groupByMetadata: Array.from({ length: 11 }, (_, i) => `k${i}`) },
      ['input', 'groupByMetadata'],
      'at most 10 keys',
    ],
    [
      'a metadata key that is no identifier',
      { groupByMetadata: ['site', 'a-b'] },
      ['input', 'groupByMetadata', 1],
      '"a-b" is not a plain identifier (letters, digits and _)',
    ],
    [
      'a metadata key of 64 characters',
      { groupByMetadata: ['k'.repeat(64)] },
      ['input', 'groupByMetadata', 0],
      `"${'k'.repeat(64)}" is not a plain identifier (letters, digits and _)`,
    ],
    ['a meter not defined', { meters: ['cpu.hours', 'cpu.hourz'] }, ['input', 'meters', 1], 'meter "cpu.hourz" is not defined'],
    [
      'a metric no record has',
      { meters: null, metrics: ['gpu.memory', 'gpu.memroy'] },
      ['input', 'metrics', 1],
      'no record has the metric "gpu.memroy"',
    ],
  ])('%s: a problem at its path', async (_, input, path, message) => {
    expect((await check(input)).problems).toEqual([{ path, message }]);
  });

  test('the number of periods is not estimated for a range that is not one', async () => {
    expect((await check({ to: base.from, period: { unit: PeriodUnit.MINUTE, size: 1 } })).problems).toEqual([
      { path: ['input', 'to'], message: 'must be after from' },
    ]);
  });

  test('every problem at once, in the order of the input', async () => {
    const { problems } = await check({
      meters: ['nope'],
      metrics: ['nothing'],
      to: base.from,
      timeZone: 'Nowhere/Special',
      period: { unit: PeriodUnit.DAY, size: 0 },
      groupByMetadata: ['1st'],
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'input.meters',
      'input.to',
      'input.timeZone',
      'input.period.size',
      'input.groupByMetadata.0',
      'input.meters.0',
      'input.metrics.0',
    ]);
  });

  test('paths start where the caller says', async () => {
    const problems = new Problems();
    await checkStatisticsInput({ ...base, to: base.from }, problems, checks, ['statistics']);
    expect(problemsOf(problems)).toEqual([{ path: ['statistics', 'to'], message: 'must be after from' }]);
  });
});

describe('checkResourceUsageKeys', () => {
  test('each range must end after it starts', () => {
    const problems = new Problems();
    checkResourceUsageKeys(
      [
        { from: base.from, to: base.to },
        { from: base.to, to: base.from },
      ],
      problems,
    );
    expect(problemsOf(problems)).toEqual([{ path: ['to'], message: 'must be after from' }]);
  });
});
