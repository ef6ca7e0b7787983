import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type GraphQLResponse, type TestServer } from '../helpers/server';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
const at = (iso: string) => new Date(iso);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const keys = { astro: '', optics: '' };

const CONTINGENT = 'id project meter { name unit } computeProject period timeZone from to amount description createdAt updatedAt';
const SET = `mutation S($i: SetContingentInput!) { setContingent(input: $i) { ${CONTINGENT} } }`;
const STATUS = `query Q($project: String!, $at: DateTime!) { contingentStatus(project: $project, at: $at) {
  contingent { id meter { name } computeProject from to amount } at used remaining shareUsed hoursLeft requiredRate averageRate projectedUse } }`;
const LIST = `query L($project: String, $meter: String, $from: DateTime, $to: DateTime) {
  contingents(project: $project, meter: $meter, from: $from, to: $to) { id project meter { name } computeProject from to amount } }`;

const set = async (input: Record<string, unknown>, headers?: Record<string, string>) => api.gql(SET, { i: input }, headers);
const status = async (project: string, when: string, headers?: Record<string, string>) =>
  dataOf(await api.gql(STATUS, { project, at: when }, headers)).contingentStatus;
const problemsOf = (response: GraphQLResponse) => {
  expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  return response.errors![0].extensions!.problems as { path: (string | number)[]; message: string }[];
};

/** The contingents every test reads; set in beforeAll through the API. */
const ids = { month: '', hpc: '', gpu: '' };
const MONTH = { project: 'astro', meter: 'cpu.hours', period: 'MONTH', from: '2026-10-01T00:00:00Z', amount: 100, description: 'October' };
const HPC = {
  project: 'astro',
  meter: 'cpu.hours',
  computeProject: 'astro-hpc',
  period: 'CUSTOM',
  from: '2026-10-10T00:00:00Z',
  to: '2026-10-20T00:00:00Z',
  amount: 20,
};
// October of Europe/Berlin: 2026-09-30T22:00Z to 2026-10-31T23:00Z, 745 hours (summer time ends on the 25th).
const GPU = {
  project: 'astro',
  meter: 'gpu.hours',
  period: 'MONTH',
  timeZone: 'Europe/Berlin',
  from: '2026-10-01T00:00:00+02:00',
  amount: 0,
};

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  keys.astro = (await t.services.auth.createKey({ role: 'reader', projects: ['astro'] })).token;
  keys.optics = (await t.services.auth.createKey({ role: 'reader', projects: ['optics'] })).token;
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }, { name: 'unused.meter' }]);
  const cpu = (start: string, volume: number, contingentFactor: number, extra: Record<string, unknown> = {}) => ({
    project: 'astro',
    meter: 'cpu.hours',
    start: at(start),
    volume,
    contingentFactor,
    ...extra,
  });
  const hpc = { computeProject: 'astro-hpc' };
  await t.services.ingestion.reportUsage(SYSTEM, [
    cpu('2026-09-30T23:00:00Z', 50, 1), // before October (UTC)
    cpu('2026-10-01T00:00:00Z', 10, 1, { additionalMetrics: [{ metric: 'energy_kwh', volume: 1000 }] }), // at the period's start: counts 10; a metric is no meter
    cpu('2026-10-05T00:00:00Z', 8, 0.5, { ...hpc, end: at('2026-10-05T02:00:00Z') }), // 4, before the hpc period
    cpu('2026-10-12T00:00:00Z', 6, 0.5, hpc), // 3
    cpu('2026-10-12T06:00:00Z', 100, 0, hpc), // factor 0: counts nothing
    cpu('2026-10-13T00:00:00Z', 5, 1, { computeProject: 'astro-gpu' }), // 5, not astro-hpc
    cpu('2026-10-14T23:00:00Z', 26, 1, { ...hpc, end: at('2026-10-16T01:00:00Z') }), // 26: counts wholly by its start
    cpu('2026-10-15T00:00:00Z', 7, 1, hpc), // 7, starts at the status instant: not yet
    cpu('2026-10-31T23:30:00Z', 9, 2), // 18
    cpu('2026-11-01T00:00:00Z', 1000, 1), // after October
    { project: 'optics', meter: 'cpu.hours', start: at('2026-10-12T00:00:00Z'), volume: 1000 },
    // gpu.hours 4, with an additional resource of 2 cpu.hours at factor 1.5: 3 weighted cpu hours.
    {
      project: 'astro',
      meter: 'gpu.hours',
      start: at('2026-10-11T00:00:00Z'),
      volume: 4,
      additionalResources: [{ meter: 'cpu.hours', volume: 2, contingentFactor: 1.5 }],
    },
    { project: 'astro', meter: 'gpu.hours', start: at('2026-09-30T22:30:00Z'), volume: 2 }, // October in Berlin, September in UTC
  ]);
  ids.month = dataOf(await set(MONTH)).setContingent.id;
  ids.hpc = dataOf(await set(HPC)).setContingent.id;
  ids.gpu = dataOf(await set(GPU)).setContingent.id;
  await t.services.contingents.set({
    project: 'optics',
    meter: 'cpu.hours',
    period: 'MONTH' as never,
    from: at('2026-10-01T00:00:00Z'),
    amount: 500,
  });
});
afterAll(() => closeTestApi({ t, api }));

describe('setContingent', () => {
  test('a calendar month gets its end computed, in its time zone', async () => {
    const [month, hpc, gpu] = dataOf(await api.gql(LIST, { project: 'astro' })).contingents;
    expect(month).toEqual({
      id: ids.month,
      project: 'astro',
      meter: { name: 'cpu.hours' },
      computeProject: null,
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      amount: 100,
    });
    expect(hpc).toEqual({
      id: ids.hpc,
      project: 'astro',
      meter: { name: 'cpu.hours' },
      computeProject: 'astro-hpc',
      from: '2026-10-10T00:00:00.000Z',
      to: '2026-10-20T00:00:00.000Z',
      amount: 20,
    });
    expect(gpu).toMatchObject({
      id: ids.gpu,
      meter: { name: 'gpu.hours' },
      from: '2026-09-30T22:00:00.000Z',
      to: '2026-10-31T23:00:00.000Z',
      amount: 0,
    });
  });

  test('quarters and years: [from, to) of the calendar of the time zone', async () => {
    const q = dataOf(
      await set({ project: 'astro', meter: 'unused.meter', period: 'QUARTER', from: '2026-10-01T00:00:00Z', amount: 1 }),
    ).setContingent;
    expect(q).toMatchObject({ period: 'QUARTER', timeZone: 'UTC', from: '2026-10-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    const y = dataOf(
      await set({
        project: 'astro',
        meter: 'unused.meter',
        computeProject: 'astro-hpc',
        period: 'YEAR',
        timeZone: 'America/New_York',
        from: '2027-01-01T05:00:00Z',
        to: '2028-01-01T05:00:00Z',
        amount: 1,
      }),
    ).setContingent;
    expect(y).toMatchObject({
      period: 'YEAR',
      timeZone: 'America/New_York',
      from: '2027-01-01T05:00:00.000Z',
      to: '2028-01-01T05:00:00.000Z',
    });
    expect(dataOf(await api.gql('mutation { a: deleteContingent(id: "' + q.id + '") b: deleteContingent(id: "' + y.id + '") }'))).toEqual({
      a: true,
      b: true,
    });
  });

  test('setting the same contingent again changes nothing; a new amount updates it in place', async () => {
    const before = (await t.sql('SELECT id, amount::text, updated_at FROM contingents WHERE id = $1', [ids.month]))[0];
    const again = dataOf(await set(MONTH)).setContingent;
    expect(again).toMatchObject({ id: ids.month, amount: 100, description: 'October' });
    expect(again.updatedAt).toBe(before.updated_at.toISOString());
    expect(await t.sql('SELECT count(*)::int AS n FROM contingents')).toEqual([{ n: 4 }]);

    // Without an id, by its project, meter, compute project and period; the description is kept when not given.
    const { description: _, ...withoutDescription } = MONTH;
    const raised = dataOf(await set({ ...withoutDescription, amount: 120.5 })).setContingent;
    expect(raised).toMatchObject({ id: ids.month, amount: 120.5, description: 'October' });
    expect(Date.parse(raised.updatedAt)).toBeGreaterThan(before.updated_at.getTime());
    // By its id.
    expect(dataOf(await set({ ...MONTH, id: ids.month, amount: 100 })).setContingent).toMatchObject({ id: ids.month, amount: 100 });
    expect(await t.sql('SELECT amount::text FROM contingents WHERE id = $1', [ids.month])).toEqual([{ amount: '100' }]);
    expect(await t.sql('SELECT count(*)::int AS n FROM contingents')).toEqual([{ n: 4 }]);
  });

  test('concurrent identical settings make one contingent, and every one of them answers it', async () => {
    const input = { project: 'astro', meter: 'unused.meter', period: 'MONTH', from: '2027-03-01T00:00:00Z', amount: 7 };
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => set(input)));
      const made = answers.map((a) => dataOf(a).setContingent.id);
      expect(new Set(made).size).toBe(1);
      expect(await t.sql("SELECT count(*)::int AS n FROM contingents WHERE valid_from = '2027-03-01T00:00:00Z'")).toEqual([{ n: 1 }]);
      expect(dataOf(await api.gql(`mutation { deleteContingent(id: "${made[0]}") }`)).deleteContingent).toBe(true);
    }
  });

  test('an overlapping contingent of the same project, meter and compute project is refused with the one it overlaps', async () => {
    const whole = await set({
      project: 'astro',
      meter: 'cpu.hours',
      period: 'CUSTOM',
      from: '2026-10-31T00:00:00Z',
      to: '2026-11-05T00:00:00Z',
      amount: 5,
    });
    const [problem] = problemsOf(whole);
    expect(problem.path).toEqual(['input', 'from']);
    expect(problem.message).toContain(
      `contingent ${ids.month} (project "astro", meter "cpu.hours", the whole project) over [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z)`,
    );
    expect(whole.errors![0].message).toMatch(/^Invalid input \(1 problem\): input\.from: \[from, to\) overlaps contingent/);
    const hpc = await set({ ...HPC, from: '2026-10-19T00:00:00Z', to: '2026-10-25T00:00:00Z' });
    expect(problemsOf(hpc)[0].message).toContain(
      `contingent ${ids.hpc} (project "astro", meter "cpu.hours", compute project "astro-hpc") over [2026-10-10T00:00:00.000Z, 2026-10-20T00:00:00.000Z)`,
    );
    // Changing a contingent by id into an overlap is refused too.
    expect(problemsOf(await set({ ...HPC, id: ids.hpc, computeProject: null, period: 'CUSTOM' }))[0].message).toContain(
      `contingent ${ids.month} `,
    );
    expect(await t.sql('SELECT count(*)::int AS n FROM contingents')).toEqual([{ n: 4 }]);
  });

  test('other compute projects, other meters and adjacent periods do not overlap', async () => {
    const made = [
      { ...HPC, computeProject: 'astro-gpu' }, // another compute project, overlapping both astro's cpu contingents
      { ...HPC, meter: 'unused.meter' }, // another meter
      { ...MONTH, from: '2026-11-01T00:00:00Z' }, // November: begins where October ends
      { ...HPC, from: '2026-10-20T00:00:00Z', to: '2026-10-21T00:00:00Z' },
    ].map(async (input) => dataOf(await set(input)).setContingent.id as string);
    const created = await Promise.all(made);
    expect(new Set(created).size).toBe(4);
    for (const id of created) expect(dataOf(await api.gql(`mutation { deleteContingent(id: "${id}") }`)).deleteContingent).toBe(true);
  });

  test('PostgreSQL itself refuses overlaps, a missing compute project being the whole project', async () => {
    const insert = (computeProject: string) =>
      t.sql(
        `INSERT INTO contingents (project_id, meter_id, compute_project_id, period, valid_from, valid_to, amount)
         SELECT p.id, m.id, ${computeProject}, 'CUSTOM', '2026-10-30T00:00:00Z', '2026-12-01T00:00:00Z', 1
         FROM projects p, meters m WHERE p.name = 'astro' AND m.name = 'cpu.hours'`,
      );
    await expect(insert('NULL')).rejects.toMatchObject({ code: '23P01', constraint: 'contingents_no_overlap' });
    await expect(insert("(SELECT id FROM compute_projects WHERE name = 'astro-hpc')")).resolves.toEqual([]);
    await t.sql("DELETE FROM contingents WHERE valid_to = '2026-12-01T00:00:00Z'");
    await expect(t.sql('UPDATE contingents SET amount = -1 WHERE id = $1', [ids.month])).rejects.toMatchObject({
      constraint: 'contingents_amount_check',
    });
    await expect(t.sql("UPDATE contingents SET amount = 'NaN' WHERE id = $1", [ids.month])).rejects.toMatchObject({
      constraint: 'contingents_amount_check',
    });
  });

  test('bad input: every problem at once, each with its path', async () => {
    const all = await set({
      id: 'x1',
      project: 'nowhere',
      meter: 'cpu.hourz',
      computeProject: 'no-hpc',
      period: 'CUSTOM',
      from: '2026-10-10T00:00:00Z',
      to: '2026-10-10T00:00:00Z',
      amount: -1,
      timeZone: 'Mars/Olympus',
    });
    expect(problemsOf(all)).toEqual([
      { path: ['input', 'id'], message: 'is not a contingent id' },
      { path: ['input', 'amount'], message: 'must be a finite number >= 0' },
      {
        path: ['input', 'timeZone'],
        message: '"Mars/Olympus" is not a time zone that both meterql and its database know (an IANA name such as Europe/Berlin)',
      },
      { path: ['input', 'to'], message: 'must be after from' },
      { path: ['input', 'meter'], message: 'meter "cpu.hourz" is not defined' },
      { path: ['input', 'project'], message: 'project "nowhere" is not known: a project is known from its first usage report' },
      { path: ['input', 'computeProject'], message: 'compute project "no-hpc" is not known: it is known from its first usage report' },
    ]);
    expect(problemsOf(await set({ ...MONTH, from: '2026-10-02T00:00:00Z' }))).toEqual([
      {
        path: ['input', 'from'],
        message: 'must be the start of a month in UTC; the month that holds it starts at 2026-10-01T00:00:00.000Z',
      },
    ]);
    // The start of October in UTC is not the start of a month in Berlin.
    expect(problemsOf(await set({ ...GPU, from: '2026-10-01T00:00:00Z' }))[0]).toEqual({
      path: ['input', 'from'],
      message: 'must be the start of a month in Europe/Berlin; the month that holds it starts at 2026-09-30T22:00:00.000Z',
    });
    expect(problemsOf(await set({ ...MONTH, to: '2026-12-01T00:00:00Z' }))).toEqual([
      {
        path: ['input', 'to'],
        message: 'the month from 2026-10-01T00:00:00.000Z in UTC ends at 2026-11-01T00:00:00.000Z; give that, or no to',
      },
    ]);
    expect(problemsOf(await set({ ...HPC, to: null }))).toEqual([{ path: ['input', 'to'], message: 'is required for a CUSTOM period' }]);
    expect(problemsOf(await set({ ...HPC, id: '999999' }))).toEqual([
      { path: ['input', 'id'], message: 'no contingent has the id 999999' },
    ]);
    expect(problemsOf(await api.gql('mutation { deleteContingent(id: "-1") }'))).toEqual([
      { path: ['id'], message: 'is not a contingent id' },
    ]);
    expect(problemsOf(await api.gql(LIST, { meter: 'cpu.hourz', from: '2026-10-02T00:00:00Z', to: '2026-10-01T00:00:00Z' }))).toEqual([
      { path: ['to'], message: 'must be after from' },
      { path: ['meter'], message: 'meter "cpu.hourz" is not defined' },
    ]);
    expect(await t.sql('SELECT count(*)::int AS n FROM contingents')).toEqual([{ n: 4 }]);
  });

  test('deleteContingent is true once, then false', async () => {
    const id = dataOf(await set({ ...HPC, meter: 'unused.meter' })).setContingent.id;
    expect(dataOf(await api.gql(`mutation { a: deleteContingent(id: "${id}") b: deleteContingent(id: "${id}") }`))).toEqual({
      a: true,
      b: false,
    });
  });
});

describe('contingentStatus', () => {
  test('used, remaining, share and rates at an instant, computed by hand', async () => {
    const rows = await status('astro', '2026-10-15T00:00:00Z');
    expect(rows.map((r: { contingent: { id: string } }) => r.contingent.id)).toEqual([ids.month, ids.hpc, ids.gpu]);
    const [month, hpc, gpu] = rows;

    // The whole project's cpu.hours that started in [Oct 1st, Oct 15th): 10 + 4 + 3 + 0 + 5 + 26 + 3 (the additional
    // resource) = 51 of 100. 408 hours remain (17 days), 336 have passed (14 days) of October's 744.
    expect(month).toMatchObject({ at: '2026-10-15T00:00:00.000Z', used: 51, remaining: 49, shareUsed: 0.51, hoursLeft: 408 });
    expect(month.requiredRate).toBeCloseTo(49 / 408, 12);
    expect(month.averageRate).toBeCloseTo(51 / 336, 12);
    expect(month.projectedUse).toBeCloseTo((51 * 744) / 336, 10);

    // astro-hpc in [Oct 10th, Oct 15th): 3 + 0 (factor 0) + 26 = 29 of 20: exceeded, nothing more is needed.
    expect(hpc).toMatchObject({
      contingent: { computeProject: 'astro-hpc', amount: 20 },
      used: 29,
      remaining: -9,
      shareUsed: 1.45,
      hoursLeft: 120,
      requiredRate: 0,
    });
    expect(hpc.averageRate).toBeCloseTo(29 / 120, 12);
    expect(hpc.projectedUse).toBeCloseTo(58, 10);

    // gpu.hours in Berlin's October up to Oct 15th: 2 (Sept 30th 22:30 UTC) + 4 = 6 of a contingent of 0: no share.
    // Berlin's October ends on Oct 31st 23:00 UTC: 407 hours left; 338 passed of 745.
    expect(gpu).toMatchObject({
      contingent: { meter: { name: 'gpu.hours' }, amount: 0 },
      used: 6,
      remaining: -6,
      shareUsed: null,
      hoursLeft: 407,
      requiredRate: 0,
    });
    expect(gpu.averageRate).toBeCloseTo(6 / 338, 12);
    expect(gpu.projectedUse).toBeCloseTo((6 * 745) / 338, 10);
  });

  test('only contingents whose period holds the instant; records count from the start of the period up to it', async () => {
    // The last minute of October: 51 + 7 (Oct 15th) + 18 (9 at factor 2) = 76; not the 50 before nor the 1000 after.
    const late = await status('astro', '2026-10-31T23:59:00Z');
    expect(late.map((r: { contingent: { id: string } }) => r.contingent.id)).toEqual([ids.month]);
    expect(late[0]).toMatchObject({ used: 76, remaining: 24, shareUsed: 0.76 });
    expect(late[0].hoursLeft).toBeCloseTo(1 / 60, 12);
    expect(late[0].requiredRate).toBeCloseTo(24 * 60, 9);

    // At the very start nothing is used and there is no average yet.
    const [start] = await status('astro', '2026-10-01T00:00:00Z');
    expect(start).toMatchObject({
      contingent: { id: ids.month },
      used: 0,
      remaining: 100,
      shareUsed: 0,
      hoursLeft: 744,
      averageRate: null,
      projectedUse: null,
    });
    expect(start.requiredRate).toBeCloseTo(100 / 744, 12);

    expect(await status('astro', '2026-11-01T00:00:00Z')).toEqual([]);
    expect(await status('astro', '2026-09-15T00:00:00Z')).toEqual([]);
    expect(await status('nowhere', '2026-10-15T00:00:00Z')).toEqual([]);
  });

  test('a contingent factor of 0 counts nothing', async () => {
    await t.services.ingestion.reportUsage(SYSTEM, [
      {
        project: 'optics',
        meter: 'cpu.hours',
        computeProject: 'optics-hpc',
        start: at('2026-10-13T00:00:00Z'),
        volume: 250,
        contingentFactor: 0,
      },
    ]);
    const [optics] = await status('optics', '2026-10-20T00:00:00Z');
    expect(optics).toMatchObject({ contingent: { amount: 500 }, used: 1000, remaining: -500, shareUsed: 2 });
  });
});

describe('contingentStatus reads whole hours from rollups', () => {
  test('the same statuses once rollups hold the hours, at whole and partial hours; a late report counts at once', async () => {
    const instants = ['2026-10-15T00:00:00Z', '2026-10-12T06:30:00Z', '2026-10-31T23:59:00Z', '2026-10-01T00:00:00Z'];
    const before = await Promise.all(instants.map((when) => status('astro', when)));
    await t.services.rollups.refresh();
    expect(await t.sql('SELECT 1 FROM usage_rollup_dirty')).toHaveLength(0);
    expect(await Promise.all(instants.map((when) => status('astro', when)))).toEqual(before);
    // A late report in an hour the rollups hold: dirty, so read from events until the next refresh, and after it.
    await t.services.ingestion.reportUsage(SYSTEM, [
      { project: 'astro', meter: 'cpu.hours', start: at('2026-10-03T10:15:00Z'), volume: 4, contingentFactor: 0.25 },
    ]);
    const [late] = await status('astro', '2026-10-15T00:00:00Z');
    expect(late.used).toBe(before[0][0].used + 1);
    await t.services.rollups.refresh();
    expect((await status('astro', '2026-10-15T00:00:00Z'))[0].used).toBe(before[0][0].used + 1);
  });
});

describe('contingentStatus over a year reads months, days and hours of the rollups', () => {
  test('the used volume equals the records at every instant, with a month, a day and an hour dirty and after refresh', async () => {
    const cpu = (start: string, volume: number, contingentFactor = 1) => ({
      project: 'yearly',
      meter: 'cpu.hours',
      start: at(start),
      volume,
      contingentFactor,
    });
    await t.services.ingestion.reportUsage(SYSTEM, [
      cpu('2026-01-01T00:00:00Z', 1.5),
      cpu('2026-01-31T23:59:59.500Z', 0.25, 2),
      cpu('2026-02-15T12:30:00Z', 3.3),
      cpu('2026-03-01T00:00:00Z', 2),
      cpu('2026-03-31T23:00:00Z', 1.1, 0.5),
      cpu('2026-06-10T05:45:00Z', 7),
      cpu('2026-12-01T11:59:00Z', 4),
      cpu('2026-12-01T12:10:00Z', 0.5),
      cpu('2026-12-01T12:40:00Z', 100),
    ]);
    dataOf(await set({ project: 'yearly', meter: 'cpu.hours', period: 'YEAR', from: '2026-01-01T00:00:00Z', amount: 1000 }));
    const instants = [
      '2026-12-01T12:34:00Z',
      '2026-12-01T00:00:00Z',
      '2026-03-31T23:30:00Z',
      '2026-04-01T00:00:00Z',
      '2026-06-10T06:00:00Z',
      '2026-02-01T00:00:00Z',
      '2026-01-01T00:00:00.500Z',
    ];
    const scan = async (when: string) => {
      const [row] = await t.sql<{ used: string | null }>(
        `SELECT sum(e.volume::numeric * e.contingent_factor::numeric)::text AS used FROM usage_events e JOIN projects p ON p.id = e.project_id
         WHERE p.name = 'yearly' AND e.start_time >= '2026-01-01T00:00:00Z' AND e.start_time < $1`,
        [when],
      );
      return Number(row.used ?? 0);
    };
    const used = async () => Promise.all(instants.map(async (when) => (await status('yearly', when))[0].used));
    const expected = async () => Promise.all(instants.map(scan));
    await t.services.rollups.ensureZones();
    await t.services.rollups.refresh();
    expect(await t.sql(`SELECT 1 FROM usage_rollup_zones WHERE time_zone = 'UTC'`)).toHaveLength(1);
    expect(await used()).toEqual(await expected());
    // A late report in June: its hour, day and month are dirty until the next refresh.
    await t.services.ingestion.reportUsage(SYSTEM, [cpu('2026-06-20T10:15:00Z', 2.5, 3)]);
    expect(await used()).toEqual(await expected());
    await t.services.rollups.refresh();
    expect(await t.sql('SELECT 1 FROM usage_rollup_dirty')).toHaveLength(0);
    expect(await used()).toEqual(await expected());
  });
});

describe('readers see the contingents of their projects only', () => {
  test('a reader of optics sees nothing of astro', async () => {
    const listed = dataOf(await api.gql(LIST, {}, bearer(keys.optics))).contingents;
    expect(listed.map((c: { project: string }) => c.project)).toEqual(['optics']);
    expect(dataOf(await api.gql(LIST, { project: 'astro' }, bearer(keys.optics))).contingents).toEqual([]);
    expect(await status('astro', '2026-10-15T00:00:00Z', bearer(keys.optics))).toEqual([]);
    expect(await status('optics', '2026-10-15T00:00:00Z', bearer(keys.optics))).toHaveLength(1);
  });

  test('a reader of astro sees astro, filtered by meter and period', async () => {
    const all = dataOf(await api.gql(LIST, {}, bearer(keys.astro))).contingents;
    expect(all.map((c: { id: string }) => c.id)).toEqual([ids.month, ids.hpc, ids.gpu]);
    const gpu = dataOf(await api.gql(LIST, { meter: 'gpu.hours' }, bearer(keys.astro))).contingents;
    expect(gpu.map((c: { id: string }) => c.id)).toEqual([ids.gpu]);
    // [Oct 20th, Nov 1st) overlaps October's two, not the hpc one, which ends on Oct 20th.
    const late = dataOf(await api.gql(LIST, { from: '2026-10-20T00:00:00Z', to: '2026-11-01T00:00:00Z' }, bearer(keys.astro))).contingents;
    expect(late.map((c: { id: string }) => c.id)).toEqual([ids.month, ids.gpu]);
    const before = dataOf(await api.gql(LIST, { to: '2026-10-01T00:00:00Z' }, bearer(keys.astro))).contingents;
    expect(before.map((c: { id: string }) => c.id)).toEqual([ids.gpu]);
  });

  test('only admins set and delete contingents', async () => {
    const response = await set({ ...MONTH, amount: 1e6 }, bearer(keys.astro));
    expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const deletion = await api.gql(`mutation { deleteContingent(id: "${ids.month}") }`, {}, bearer(keys.astro));
    expect(deletion.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.sql('SELECT amount::text FROM contingents WHERE id = $1', [ids.month])).toEqual([{ amount: '100' }]);
  });
});
