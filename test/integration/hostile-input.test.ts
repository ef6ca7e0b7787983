import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

// Each input that once reached PostgreSQL and failed there, or was stored and broke every later
// query: now a BAD_USER_INPUT at its path, and nothing written.
let t: TestDatabase;
let api: TestServer;
beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
});
afterAll(() => closeTestApi({ t, api }));

const REPORT = 'mutation R($reports: [UsageReportInput!]!) { reportUsage(reports: $reports) { created } }';
const report = (overrides: Record<string, unknown>) => ({
  project: 'p-hostile',
  meter: 'cpu.hours',
  start: '2026-05-01T00:00:00Z',
  end: '2026-05-01T01:00:00Z',
  volume: 1,
  ...overrides,
});
const stored = async () =>
  (await t.sql("SELECT count(*)::int AS n FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = 'p-hostile'"))[0].n;

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('volumes and contingent factors have a documented range', () => {
  test.each([
    ['a negative volume', { volume: -1 }, ['reports', 0, 'volume'], 'must be a finite number from 0 to 1e+15'],
    ['a volume above 1e15', { volume: 1e15 + 2 }, ['reports', 0, 'volume'], 'must be a finite number from 0 to 1e+15'],
    ['a volume near the largest double', { volume: 1.7e308 }, ['reports', 0, 'volume'], 'must be a finite number from 0 to 1e+15'],
    [
      'a contingent factor above 1000',
      { contingentFactor: 1000.5 },
      ['reports', 0, 'contingentFactor'],
      'must be a finite number from 0 to 1000',
    ],
    [
      'an additional metric of -1e308',
      { additionalMetrics: [{ metric: 'm', volume: -1e308 }] },
      ['reports', 0, 'additionalMetrics', 0, 'volume'],
      'must be a finite number from 0 to 1e+15',
    ],
    [
      'an additional resource above 1e15',
      { additionalResources: [{ meter: 'cpu.hours', volume: 1e300 }] },
      ['reports', 0, 'additionalResources', 0, 'volume'],
      'must be a finite number from 0 to 1e+15',
    ],
  ])('%s is refused at its path', async (_, overrides, path, message) => {
    const response = await api.gql(REPORT, {
      reports: [report({}), report({ ...overrides, start: '2026-05-01T02:00:00Z', end: '2026-05-01T03:00:00Z' })].reverse(),
    });
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path, message }] });
    expect(await stored()).toBe(0);
  });

  test('the largest volume is stored, and its statistics and costs stay exact', async () => {
    const reports = [0, 1, 2].map((h) =>
      report({
        project: 'p-hostile-max',
        volume: 1e15,
        contingentFactor: 1000,
        start: `2026-05-02T0${h}:00:00Z`,
        end: `2026-05-02T0${h + 1}:00:00Z`,
      }),
    );
    expect(dataOf(await api.gql(REPORT, { reports })).reportUsage.created).toBe(3);
    await t.services.pricing.setPrice({
      meter: 'cpu.hours',
      unitPrice: '9'.repeat(30),
      currency: 'EUR',
      validFrom: new Date('2026-01-01T00:00:00Z'),
    });
    const { rows } = dataOf(
      await api.gql(`{ usageStatistics(input: { meters: ["cpu.hours"], from: "2026-05-02T00:00:00Z", to: "2026-05-03T00:00:00Z", filter: { projects: ["p-hostile-max"] }, prorate: true }) {
        rows { sum max weightedSum cost weightedCost } } }`),
    ).usageStatistics;
    // 3e15 x (1e30 - 1), and that again x 1000: exact decimals, longer than any input may be.
    expect(rows).toEqual([
      {
        sum: 3e15,
        max: 1e15,
        weightedSum: 3e18,
        cost: '2999999999999999999999999999997000000000000000',
        weightedCost: '2999999999999999999999999999997000000000000000000',
      },
    ]);
  });
});

describe('a NUL character is refused wherever it stands, before it reaches the database', () => {
  test('in a variable: BAD_USER_INPUT at the variable path, HTTP 400, nothing written', async () => {
    const { status, json } = await post({ query: REPORT, variables: { reports: [report({}), report({ user: 'ann\u0000' })] } });
    expect(status).toBe(400);
    expect(json.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: ['$reports', 1, 'user'], message: 'must not contain the NUL character (U+0000)' }],
    });
    expect(await stored()).toBe(0);
  });

  test('in a JSON key or value, and in every kind of field', async () => {
    const cases: [string, Record<string, unknown>, (string | number)[]][] = [
      [
        'mutation S($i: SetResourceMetadataInput!) { setResourceMetadata(input: $i) { version { validFrom } } }',
        { i: { resource: 'vm', validFrom: '2026-05-01T00:00:00Z', metadata: { 'k\u0000': 1 } } },
        ['$i', 'metadata'],
      ],
      [
        'mutation D($i: DefineMeterInput!) { defineMeter(input: $i) { name } }',
        { i: { name: 'x\u0000', component: 'c', unit: 'h', type: 'DELTA' } },
        ['$i', 'name'],
      ],
      [
        'query Q($f: UsageEventFilter!) { usageEvents(filter: $f) { edges { cursor } } }',
        { f: { from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z', metadata: { a: ['ok', 'no\u0000'] } } },
        ['$f', 'metadata', 'a', 1],
      ],
    ];
    for (const [query, variables, path] of cases) {
      const { status, json } = await post({ query, variables });
      expect({ status, code: json.errors[0].extensions.code, path: json.errors[0].extensions.problems[0].path }).toEqual({
        status: 400,
        code: 'BAD_USER_INPUT',
        path,
      });
    }
  });

  test('in a literal of the document', async () => {
    const { status, json } = await post({
      query:
        'mutation { reportUsage(reports: [{ project: "p-hostile", meter: "cpu.hours", start: "2026-05-01T00:00:00Z", volume: 1, user: "a\\u0000" }]) { created } }',
    });
    expect(status).toBe(400);
    expect(json.errors[0].extensions.problems).toEqual([
      { path: ['reportUsage', 'reports', 0, 'user'], message: 'must not contain the NUL character (U+0000)' },
    ]);
    expect(await stored()).toBe(0);
  });
});

test('JSON nested 5,000 deep is refused at the depth limit, not by a stack overflow', async () => {
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const body = `{"query":"query Q($f: UsageEventFilter!) { usageEvents(filter: $f) { edges { cursor } } }","variables":{"f":{"from":"2026-05-01T00:00:00Z","to":"2026-05-02T00:00:00Z","metadata":${deep}}}}`;
  const { status, json } = await post(body);
  expect(status).toBe(400);
  expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  expect(json.errors[0].extensions.problems).toEqual([
    { path: ['$f', 'metadata', ...Array(31).fill('a')], message: 'is nested more than 32 levels deep' },
  ]);
});

describe('dates and time zones are those PostgreSQL can use', () => {
  test.each(['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '10000-01-01T00:00:00Z'])(
    '%s is refused by the DateTime scalar',
    async (start) => {
      const response = await api.gql(REPORT, { reports: [report({ start, end: null })] });
      expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toContain('from year 0001 to 9999');
    },
  );

  test('year 1 and year 9999 are stored and read back', async () => {
    const edges = [report({ project: 'p-hostile-edge', start: '0001-01-01T00:00:00Z', end: '9999-12-31T23:59:59.999Z' })];
    expect(dataOf(await api.gql(REPORT, { reports: edges })).reportUsage.created).toBe(1);
    // The longest record there can be no longer makes prorated queries reach before year 1.
    const q = `{ usageStatistics(input: { meters: ["cpu.hours"], from: "2026-05-01T00:00:00Z", to: "2026-05-02T00:00:00Z", filter: { projects: ["p-hostile-edge"] }, prorate: true }) { rows { count } } }`;
    expect(dataOf(await api.gql(q)).usageStatistics.rows).toEqual([{ count: 1 }]);
  });

  test('a zone the runtime knows but the database does not (US/Pacific-New) is refused at its path', async () => {
    expect(() => new Intl.DateTimeFormat('en', { timeZone: 'US/Pacific-New' })).not.toThrow();
    const response = await api.gql(
      '{ usageStatistics(input: { meters: ["cpu.hours"], from: "2026-05-01T00:00:00Z", to: "2026-05-02T00:00:00Z", timeZone: "US/Pacific-New" }) { rows { count } } }',
    );
    expect(response.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [
        {
          path: ['input', 'timeZone'],
          message: '"US/Pacific-New" is not a time zone that both meterql and its database know (an IANA name such as Europe/Berlin)',
        },
      ],
    });
  });
});
