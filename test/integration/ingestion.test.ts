import { Client } from 'pg';
import { ApiRole, SYSTEM } from '../../src/modules/auth/auth.types';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

const REPORT = `mutation Report($reports: [UsageReportInput!]!) {
  reportUsage(reports: $reports) { created updated unchanged superseded }
}`;

let t: TestDatabase;
let api: TestServer;

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }, { name: 'memory.gib_hours', unit: 'GiB-h' }]);
});
afterAll(() => closeTestApi({ t, api }));

const job = (overrides: Record<string, unknown> = {}) => ({
  project: 'p-overwrite',
  meter: 'cpu.hours',
  start: '2026-03-01T10:00:00Z',
  end: '2026-03-01T12:00:00Z',
  volume: 8,
  user: 'alice',
  ...overrides,
});

async function eventsOf(project: string) {
  return t.sql(
    `SELECT e.id, m.name AS meter, e.volume, e.contingent_factor, e.operation_count, e.duration, e.parent_id,
            e.additional_data, u.name AS "user"
     FROM usage_events e JOIN meters m ON m.id = e.meter_id JOIN projects p ON p.id = e.project_id
     LEFT JOIN users u ON u.id = e.user_id WHERE p.name = $1 ORDER BY e.parent_id NULLS FIRST, m.name`,
    [project],
  );
}

describe('reportUsage', () => {
  test('a resent report overwrites its match, and identical content changes nothing', async () => {
    expect(dataOf(await api.gql(REPORT, { reports: [job()] })).reportUsage).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      superseded: 0,
    });
    expect(dataOf(await api.gql(REPORT, { reports: [job()] })).reportUsage).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
      superseded: 0,
    });
    const [before] = await eventsOf('p-overwrite');

    const changed = job({ volume: 10, contingentFactor: 0.5, operationCount: 3, additionalData: { jobId: '42' } });
    expect(dataOf(await api.gql(REPORT, { reports: [changed] })).reportUsage).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      superseded: 0,
    });

    const rows = await eventsOf('p-overwrite');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: before.id,
      volume: 10,
      contingent_factor: 0.5,
      operation_count: 3,
      duration: 7200,
      additional_data: { jobId: '42' },
    });
    // The same start and end written with another offset is the same instant, so the same key.
    const sameInstant = { ...changed, start: '2026-03-01T11:00:00+01:00', end: '2026-03-01T07:00:00-05:00' };
    expect(dataOf(await api.gql(REPORT, { reports: [sameInstant] })).reportUsage.unchanged).toBe(1);
  });

  test('an absent optional value matches an absent value, and only that', async () => {
    const anonymous = job({ project: 'p-absent', user: null, partition: undefined });
    expect(dataOf(await api.gql(REPORT, { reports: [anonymous] })).reportUsage.created).toBe(1);
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...anonymous, volume: 9 }] })).reportUsage.updated).toBe(1);
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...anonymous, user: 'bob' }] })).reportUsage.created).toBe(1);
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...anonymous, partition: 'gpu' }] })).reportUsage.created).toBe(1);
    // A discrete event (no end) is another key than the interval.
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...anonymous, end: null }] })).reportUsage.created).toBe(1);
    // An explicit source "default" is the default source.
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...anonymous, volume: 9, source: 'default' }] })).reportUsage.unchanged).toBe(1);

    const rows = await eventsOf('p-absent');
    expect(rows.map((r) => [r.user, r.volume]).sort()).toEqual(
      [
        ['bob', 8],
        [null, 8],
        [null, 8],
        [null, 9],
      ].sort(),
    );
  });

  test('instances of one user, meter and hour are usages of their own: the resource is in the match key', async () => {
    const vm = (resource: string, volume = 1) => ({
      project: 'p-instances',
      user: 'alice',
      meter: 'cpu.hours',
      start: '2026-03-02T10:00:00Z',
      end: '2026-03-02T11:00:00Z',
      volume,
      resource,
    });
    expect(dataOf(await api.gql(REPORT, { reports: [vm('vm-1'), vm('vm-2')] })).reportUsage).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      superseded: 0,
    });
    expect(dataOf(await api.gql(REPORT, { reports: [vm('vm-3')] })).reportUsage).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      superseded: 0,
    });
    const stored = () =>
      t.sql(`SELECT r.external_id AS resource, e.volume FROM usage_events e JOIN resources r ON r.id = e.resource_id
             WHERE e.project_id = (SELECT id FROM projects WHERE name = 'p-instances') ORDER BY 1`);
    expect(await stored()).toEqual([
      { resource: 'vm-1', volume: 1 },
      { resource: 'vm-2', volume: 1 },
      { resource: 'vm-3', volume: 1 },
    ]);
    const EVENTS = `{ usageEvents(filter: { from: "2026-03-02T00:00:00Z", to: "2026-03-03T00:00:00Z", projects: ["p-instances"] }) { edges { node { resource { id } } } } }`;
    expect(
      dataOf(await api.gql(EVENTS))
        .usageEvents.edges.map((e: any) => e.node.resource.id)
        .sort(),
    ).toEqual(['vm-1', 'vm-2', 'vm-3']);

    // Resending each updates only itself.
    for (const [i, resource] of ['vm-1', 'vm-2', 'vm-3'].entries()) {
      expect(dataOf(await api.gql(REPORT, { reports: [vm(resource, 10 + i)] })).reportUsage).toEqual({
        created: 0,
        updated: 1,
        unchanged: 0,
        superseded: 0,
      });
    }
    expect(await stored()).toEqual([
      { resource: 'vm-1', volume: 10 },
      { resource: 'vm-2', volume: 11 },
      { resource: 'vm-3', volume: 12 },
    ]);
    // In one batch, only the same resource supersedes.
    expect(dataOf(await api.gql(REPORT, { reports: [vm('vm-1', 20), vm('vm-2', 21), vm('vm-1', 22)] })).reportUsage).toEqual({
      created: 0,
      updated: 2,
      unchanged: 0,
      superseded: 1,
    });
    expect(await stored()).toEqual([
      { resource: 'vm-1', volume: 22 },
      { resource: 'vm-2', volume: 21 },
      { resource: 'vm-3', volume: 12 },
    ]);

    // Without a resource (the meter names the kind of resource) a resent report overwrites as before.
    const perseus = { ...vm('unused', 5), resource: undefined };
    expect(dataOf(await api.gql(REPORT, { reports: [perseus] })).reportUsage.created).toBe(1);
    expect(dataOf(await api.gql(REPORT, { reports: [{ ...perseus, volume: 6 }] })).reportUsage.updated).toBe(1);
    expect(
      await t.sql(
        "SELECT volume FROM usage_events WHERE resource_id IS NULL AND project_id = (SELECT id FROM projects WHERE name = 'p-instances')",
      ),
    ).toEqual([{ volume: 6 }]);
  });

  test('overwriting replaces additional metrics and resources: nothing stale stays, nothing doubles', async () => {
    const first = job({
      project: 'p-extras',
      additionalMetrics: [
        { metric: 'energy_kwh', volume: 1.5 },
        { metric: 'io_gib', volume: 3 },
      ],
      additionalResources: [{ meter: 'gpu.hours', volume: 2, contingentFactor: 2 }],
    });
    expect(dataOf(await api.gql(REPORT, { reports: [first] })).reportUsage.created).toBe(1);
    let rows = await eventsOf('p-extras');
    expect(rows.map((r) => [r.meter, r.volume, r.contingent_factor, r.parent_id === null])).toEqual([
      ['cpu.hours', 8, 1, true],
      ['gpu.hours', 2, 2, false],
    ]);
    // An additional resource is usage of its meter over the same interval and key dimensions.
    expect(rows[1]).toMatchObject({ parent_id: rows[0].id, duration: 7200, user: 'alice' });

    const second = job({
      project: 'p-extras',
      additionalMetrics: [{ metric: 'energy_kwh', volume: 1.75 }],
      additionalResources: [{ meter: 'memory.gib_hours', volume: 16 }],
    });
    expect(dataOf(await api.gql(REPORT, { reports: [second] })).reportUsage.updated).toBe(1);
    rows = await eventsOf('p-extras');
    expect(rows.map((r) => [r.meter, r.volume])).toEqual([
      ['cpu.hours', 8],
      ['memory.gib_hours', 16],
    ]);
    const metrics = await t.sql('SELECT metric, volume FROM usage_metrics WHERE event_id = $1 ORDER BY metric', [rows[0].id]);
    expect(metrics).toEqual([{ metric: 'energy_kwh', volume: 1.75 }]);

    // Resending the same report leaves the additional items as they are.
    expect(dataOf(await api.gql(REPORT, { reports: [second] })).reportUsage.unchanged).toBe(1);
    expect(await eventsOf('p-extras')).toEqual(rows);
  });

  test('a batch with invalid reports writes nothing and lists every problem with its path', async () => {
    const [{ count: before }] = await t.sql('SELECT count(*)::int AS count FROM usage_events');
    const response = await api.gql(REPORT, {
      reports: [
        job({ project: 'p-rejected' }),
        job({ project: 'p-rejected', meter: 'no.such.meter' }),
        job({ project: 'p-rejected', start: '2026-03-02T00:00:00Z', end: '2026-03-01T00:00:00Z' }),
        job({ project: 'p-rejected', contingentFactor: -1, operationCount: 0 }),
        job({
          project: '',
          additionalResources: [{ meter: 'nope', volume: 1 }],
          additionalMetrics: [
            { metric: 'a', volume: 1 },
            { metric: 'a', volume: 2 },
          ],
        }),
      ],
    });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems.map((p: { path: unknown[] }) => p.path)).toEqual([
      ['reports', 1, 'meter'],
      ['reports', 2, 'end'],
      ['reports', 3, 'contingentFactor'],
      ['reports', 3, 'operationCount'],
      ['reports', 4, 'project'],
      ['reports', 4, 'additionalMetrics', 1, 'metric'],
      ['reports', 4, 'additionalResources', 0, 'meter'],
    ]);
    expect(error.message).toContain('reports[1].meter: meter "no.such.meter" is not defined');
    const [{ count: after }] = await t.sql('SELECT count(*)::int AS count FROM usage_events');
    expect(after).toBe(before);
    expect(await t.sql("SELECT * FROM projects WHERE name = 'p-rejected'")).toEqual([]);
  });

  test('a date without a time zone offset, NaN and infinity are refused with the report index and field', async () => {
    const noOffset = await api.gql(REPORT, {
      reports: [job({ project: 'p-dates' }), job({ project: 'p-dates', start: '2026-03-01T10:00:00' })],
    });
    expect(noOffset.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(noOffset.errors?.[0].message).toMatch(/reports\[1\]\.start/);
    expect(noOffset.errors?.[0].message).toMatch(/time zone offset/);

    // JSON has no NaN or Infinity: they arrive as null or as strings, and are refused.
    const notFinite = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query": ${JSON.stringify(REPORT)}, "variables": {"reports": [{"project": "p-dates", "meter": "cpu.hours", "start": "2026-03-01T10:00:00Z", "volume": "Infinity"}]}}`,
    }).then((r) => r.json() as Promise<any>);
    expect(notFinite.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(notFinite.errors[0].message).toMatch(/reports\[0\]\.volume/);
    expect(await t.sql("SELECT * FROM projects WHERE name = 'p-dates'")).toEqual([]);
  });

  test('within a batch the last report with a key wins', async () => {
    const result = dataOf(
      await api.gql(REPORT, {
        reports: [job({ project: 'p-dup', volume: 1 }), job({ project: 'p-dup', volume: 2 }), job({ project: 'p-dup', user: 'bob' })],
      }),
    ).reportUsage;
    expect(result).toEqual({ created: 2, updated: 0, unchanged: 0, superseded: 1 });
    expect((await eventsOf('p-dup')).map((r) => [r.user, r.volume])).toEqual([
      ['alice', 2],
      ['bob', 8],
    ]);
  });

  test('5,000 reports are written set-based, in a constant number of statements', async () => {
    const reports = Array.from({ length: 5000 }, (_, i) => ({
      project: `p-bulk-${i % 7}`,
      user: `u-${i % 50}`,
      meter: 'cpu.hours',
      start: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      end: new Date(Date.UTC(2026, 0, 1) + (i + 1) * 3_600_000).toISOString(),
      volume: (i % 13) + 0.25,
      resource: `vm-${i % 7}-${i % 100}`,
      additionalMetrics: [{ metric: 'utilisation', volume: 0.5 }],
      additionalResources: [{ meter: 'memory.gib_hours', volume: 4 }],
    }));
    const statements = jest.spyOn(Client.prototype, 'query');
    const result = dataOf(await api.gql(REPORT, { reports })).reportUsage;
    const count = statements.mock.calls.length;
    statements.mockRestore();
    expect(result).toEqual({ created: 5000, updated: 0, unchanged: 0, superseded: 0 });
    // meters, BEGIN, 4 dimensions, resources, events, additional resources, metrics, COMMIT
    expect(count).toBeLessThanOrEqual(12);
    const [stored] = await t.sql(
      `SELECT count(*)::int AS events, sum(volume) AS volume FROM usage_events e JOIN projects p ON p.id = e.project_id
       WHERE p.name LIKE 'p-bulk-%' AND e.parent_id IS NULL`,
    );
    expect(stored).toEqual({ events: 5000, volume: reports.reduce((s, r) => s + r.volume, 0) });
    const [{ metrics }] = await t.sql('SELECT count(*)::int AS metrics FROM usage_metrics WHERE metric = $1', ['utilisation']);
    expect(metrics).toBe(5000);
    // Resent as a whole: unchanged, nothing written.
    expect(dataOf(await api.gql(REPORT, { reports })).reportUsage.unchanged).toBe(5000);
  });

  test('concurrent retries of one batch end with one row per key', async () => {
    const reports = Array.from({ length: 200 }, (_, i) =>
      job({
        project: 'p-race',
        start: new Date(Date.UTC(2026, 4, 1, i)).toISOString(),
        end: new Date(Date.UTC(2026, 4, 1, i + 1)).toISOString(),
        additionalMetrics: [{ metric: 'm', volume: i }],
      }),
    );
    const results = await Promise.all(Array.from({ length: 4 }, () => api.gql(REPORT, { reports })));
    const payloads = results.map((r) => dataOf(r).reportUsage);
    expect(payloads.reduce((s, p) => s + p.created, 0)).toBe(200);
    expect(payloads.reduce((s, p) => s + p.created + p.updated + p.unchanged, 0)).toBe(800);
    const [{ events, keys }] = await t.sql(
      `SELECT count(*)::int AS events, count(DISTINCT start_time)::int AS keys FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = 'p-race'`,
    );
    expect({ events, keys }).toEqual({ events: 200, keys: 200 });
    const [{ metrics }] = await t.sql(
      `SELECT count(*)::int AS metrics FROM usage_metrics m JOIN usage_events e ON e.id = m.event_id JOIN projects p ON p.id = e.project_id WHERE p.name = 'p-race'`,
    );
    expect(metrics).toBe(200);
  });
});

describe('reportEach (the import)', () => {
  const at = (hour: number) => new Date(Date.UTC(2026, 5, 1, hour));
  const report = (overrides: Record<string, unknown> = {}) => ({
    project: 'p-each',
    meter: 'cpu.hours',
    start: at(0),
    end: at(1),
    volume: 1,
    ...overrides,
  });

  test('writes the valid reports of a batch and returns each invalid one with its problems, paths relative to the report', async () => {
    const result = await t.services.ingestion.reportEach(SYSTEM, [
      report({ volume: 2 }),
      report({ meter: 'cpu.hourz', start: at(2), end: at(1) }),
      report({
        start: at(3),
        end: at(4),
        volume: 3,
        additionalResources: [
          { meter: 'gpu.hours', volume: 1 },
          { meter: 'tpu.hours', volume: 1 },
        ],
      }),
      report({ start: at(5), end: at(6), volume: 4, additionalMetrics: [{ metric: 'energy', volume: Number.NaN }] }),
      report({ volume: 5 }),
    ]);
    expect(result).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      superseded: 1,
      rejected: [
        {
          index: 1,
          problems: [
            { path: ['meter'], message: 'meter "cpu.hourz" is not defined' },
            { path: ['end'], message: 'must not be before start' },
          ],
        },
        { index: 2, problems: [{ path: ['additionalResources', 1, 'meter'], message: 'meter "tpu.hours" is not defined' }] },
        { index: 3, problems: [{ path: ['additionalMetrics', 0, 'volume'], message: 'must be a finite number from 0 to 1e+15' }] },
      ],
    });
    expect((await eventsOf('p-each')).map((e) => [e.meter, e.volume])).toEqual([['cpu.hours', 5]]);
    const [{ dirty }] = await t.sql(
      `SELECT count(*)::int AS dirty FROM usage_rollup_dirty d JOIN projects p ON p.id = d.project_id WHERE p.name = 'p-each' AND d.hour = $1`,
      [at(0)],
    );
    expect(dirty).toBe(1);
  });

  test('a key limited to projects has the reports of other projects rejected, not the batch', async () => {
    const caller = { role: ApiRole.REPORTER, projects: ['p-each-mine'], keyId: 'k' };
    const result = await t.services.ingestion.reportEach(caller, [
      report({ project: 'p-each-mine' }),
      report({ project: 'p-each-theirs' }),
    ]);
    expect(result).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      superseded: 0,
      rejected: [{ index: 1, problems: [{ path: ['project'], message: 'this key may not report for project "p-each-theirs"' }] }],
    });
    expect(await eventsOf('p-each-theirs')).toEqual([]);
  });
});
