import { Problems } from '../../src/errors/errors';
import { ContingentPeriod, type SetContingentInput } from '../../src/modules/contingents/contingents.types';
import {
  checkContingentId,
  checkContingentsArgs,
  checkSetContingentInput,
  type SetContingentChecks,
} from '../../src/modules/contingents/contingents.validation';
import { fakeCatalog, fakeZones, problemsOf, ZONE_MESSAGE } from './validation-fakes';

/** Calendar periods as UTC has them, whatever the zone: enough to check the rules that use them. */
async function calendarPeriod(at: Date, period: 'MONTH' | 'QUARTER' | 'YEAR'): Promise<{ start: Date; end: Date }> {
  const months = { MONTH: 1, QUARTER: 3, YEAR: 12 }[period];
  const first = Math.floor(at.getUTCMonth() / months) * months;
  return { start: new Date(Date.UTC(at.getUTCFullYear(), first, 1)), end: new Date(Date.UTC(at.getUTCFullYear(), first + months, 1)) };
}

const calendarAsked: string[] = [];
const checks: SetContingentChecks = {
  zones: fakeZones(),
  catalog: fakeCatalog(),
  repository: {
    calendarPeriod: async (at, period, timeZone) => {
      calendarAsked.push(timeZone);
      return calendarPeriod(at, period);
    },
    dimensionIds: async (project, computeProject) => ({
      project_id: project === 'nowhere' ? null : 10,
      compute_project_id: computeProject === null || computeProject === 'no-hpc' ? null : 20,
    }),
  },
};

const MONTH: SetContingentInput = {
  project: 'astro',
  meter: 'cpu.hours',
  period: ContingentPeriod.MONTH,
  from: new Date('2026-10-01T00:00:00Z'),
  amount: 100,
};
const CUSTOM: SetContingentInput = {
  ...MONTH,
  period: ContingentPeriod.CUSTOM,
  from: new Date('2026-10-10T00:00:00Z'),
  to: new Date('2026-10-20T00:00:00Z'),
};

async function check(input: SetContingentInput) {
  const problems = new Problems();
  const checked = await checkSetContingentInput(input, problems, checks);
  return { checked, problems: problemsOf(problems) };
}

describe('checkSetContingentInput', () => {
  test('a calendar period ends with its month, quarter or year; the zone is UTC unless told', async () => {
    expect(await check({ ...MONTH, id: '7', computeProject: 'astro-hpc', description: 'q4' })).toEqual({
      problems: [],
      checked: {
        id: 7,
        row: {
          projectId: 10,
          meterId: 1,
          computeProjectId: 20,
          period: 'MONTH',
          timeZone: 'UTC',
          from: MONTH.from,
          to: new Date('2026-11-01T00:00:00Z'),
          amount: 100,
          description: 'q4',
        },
      },
    });
    expect((await check({ ...MONTH, period: ContingentPeriod.QUARTER })).checked.row.to).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect((await check({ ...MONTH, period: ContingentPeriod.YEAR, from: new Date('2026-01-01T00:00:00Z') })).checked.row.to).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
  });

  test('a CUSTOM period keeps its to; no id: replaced by the unique key; a left-out description stays left out', async () => {
    const { checked, problems } = await check(CUSTOM);
    expect(problems).toEqual([]);
    expect(checked).toMatchObject({ id: null, row: { to: CUSTOM.to, computeProjectId: null, description: undefined } });
  });

  test.each<[string, Partial<SetContingentInput>, string, string]>([
    ['an id that is not a number', { id: 'x1' }, 'id', 'is not a contingent id'],
    ['an id of 0', { id: '0' }, 'id', 'is not a contingent id'],
    ['an id past int4', { id: String(2 ** 31) }, 'id', 'is not a contingent id'],
    ['a blank project', { project: ' ' }, 'project', 'must be a non-blank string of at most 256 characters'],
    [
      'a compute project of 257 characters',
      { computeProject: 'c'.repeat(257) },
      'computeProject',
      'must be a non-blank string of at most 256 characters',
    ],
    ['a negative amount', { amount: -1 }, 'amount', 'must be a finite number >= 0'],
    ['an amount that is not finite', { amount: Number.POSITIVE_INFINITY }, 'amount', 'must be a finite number >= 0'],
    ['a description of 1001 characters', { description: 'd'.repeat(1001) }, 'description', 'must be at most 1000 characters'],
    ['a zone that is not known', { timeZone: 'Mars/Olympus' }, 'timeZone', ZONE_MESSAGE('Mars/Olympus')],
    ['a period that is none', { period: 'WEEK' as ContingentPeriod }, 'period', 'is not a contingent period'],
    [
      'a MONTH that does not start a month',
      { from: new Date('2026-10-02T00:00:00Z') },
      'from',
      'must be the start of a month in UTC; the month that holds it starts at 2026-10-01T00:00:00.000Z',
    ],
    [
      'a MONTH whose to is not its end',
      { to: new Date('2026-12-01T00:00:00Z') },
      'to',
      'the month from 2026-10-01T00:00:00.000Z in UTC ends at 2026-11-01T00:00:00.000Z; give that, or no to',
    ],
    ['a meter not defined', { meter: 'cpu.hourz' }, 'meter', 'meter "cpu.hourz" is not defined'],
    [
      'a project without usage',
      { project: 'nowhere' },
      'project',
      'project "nowhere" is not known: a project is known from its first usage report',
    ],
    [
      'a compute project without usage',
      { computeProject: 'no-hpc' },
      'computeProject',
      'compute project "no-hpc" is not known: it is known from its first usage report',
    ],
  ])('%s: a problem at its path', async (_, override, field, message) => {
    expect((await check({ ...MONTH, ...override })).problems).toEqual([{ path: ['input', field], message }]);
  });

  test.each<[string, Partial<SetContingentInput>, string, string]>([
    ['a CUSTOM period without to', { to: null }, 'to', 'is required for a CUSTOM period'],
    ['a CUSTOM period whose to is not after from', { to: CUSTOM.from }, 'to', 'must be after from'],
  ])('%s: a problem at its path', async (_, override, field, message) => {
    expect((await check({ ...CUSTOM, ...override })).problems).toEqual([{ path: ['input', field], message }]);
  });

  test('a calendar period of an unknown zone is not looked up', async () => {
    calendarAsked.length = 0;
    await check({ ...MONTH, timeZone: 'Mars/Olympus' });
    await check({ ...MONTH, timeZone: 'Europe/Berlin' });
    expect(calendarAsked).toEqual(['Europe/Berlin']);
  });

  test('every problem at once, in the order of the input', async () => {
    const { problems } = await check({
      ...CUSTOM,
      id: 'x1',
      project: 'nowhere',
      meter: 'cpu.hourz',
      computeProject: 'no-hpc',
      to: CUSTOM.from,
      amount: -1,
      timeZone: 'Mars/Olympus',
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'input.id',
      'input.amount',
      'input.timeZone',
      'input.to',
      'input.meter',
      'input.project',
      'input.computeProject',
    ]);
  });
});

describe('checkContingentsArgs', () => {
  const catalog = fakeCatalog();

  test('the meter becomes its id; none: null', async () => {
    expect(await checkContingentsArgs({ meter: 'gpu.hours' }, new Problems(), catalog)).toEqual({ meterId: 2 });
    expect(await checkContingentsArgs({}, new Problems(), catalog)).toEqual({ meterId: null });
  });

  test('[from, to) when both are given, and a defined meter, each at its path', async () => {
    const problems = new Problems();
    await checkContingentsArgs(
      { meter: 'cpu.hourz', from: new Date('2026-10-02T00:00:00Z'), to: new Date('2026-10-01T00:00:00Z') },
      problems,
      catalog,
    );
    expect(problemsOf(problems)).toEqual([
      { path: ['to'], message: 'must be after from' },
      { path: ['meter'], message: 'meter "cpu.hourz" is not defined' },
    ]);
    const open = new Problems();
    await checkContingentsArgs({ from: new Date('2026-10-02T00:00:00Z') }, open, catalog);
    expect(problemsOf(open)).toEqual([]);
  });
});

describe('checkContingentId', () => {
  test.each([
    ['1', 1],
    ['2147483647', 2147483647],
  ])('%s is the id %d', (id, expected) => {
    const problems = new Problems();
    expect(checkContingentId(id, problems, ['id'])).toBe(expected);
    expect(problemsOf(problems)).toEqual([]);
  });

  test.each(['-1', '0', '01', '1.5', '2147483648', '', ' 1'])('%j is not an id', (id) => {
    const problems = new Problems();
    expect(checkContingentId(id, problems, ['id'])).toBeUndefined();
    expect(problemsOf(problems)).toEqual([{ path: ['id'], message: 'is not a contingent id' }]);
  });
});
