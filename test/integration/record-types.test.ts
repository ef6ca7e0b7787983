import { RollupsRepository } from '../../src/modules/usage/rollups.repository';
import { DEFAULT_LIMITS } from '../../src/config';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { CatalogRepository } from '../../src/modules/catalog/catalog.repository';
import { CatalogService } from '../../src/modules/catalog/catalog.service';
import { IngestionRepository } from '../../src/modules/ingestion/ingestion.repository';
import { IngestionService } from '../../src/modules/ingestion/ingestion.service';
import type { ValidationError } from '../../src/errors/errors';
import type { TestDatabase } from '../helpers/database';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

const DEFINE = `mutation D($m: DefineMeterInput!) {
  defineMeter(input: $m) { name recordType { name fields { name type required description } } }
}`;
const REPORT = `mutation R($reports: [UsageReportInput!]!) {
  reportUsage(reports: $reports) { created updated unchanged superseded }
}`;

const JOB_TYPE = {
  name: 'JobUsageRecord',
  fields: [
    { name: 'jobId', type: 'STRING', description: "The scheduler's job id" },
    { name: 'nodes', type: 'INTEGER' },
    { name: 'queue', type: 'STRING', required: false },
  ],
};
/** JOB_TYPE as stored and shown: every key present, defaults filled in. */
const JOB_TYPE_SHOWN = {
  name: 'JobUsageRecord',
  fields: [
    { name: 'jobId', type: 'STRING', required: true, description: "The scheduler's job id" },
    { name: 'nodes', type: 'INTEGER', required: true, description: null },
    { name: 'queue', type: 'STRING', required: false, description: null },
  ],
};
const STORAGE_TYPE_SHOWN = {
  name: 'StorageUsageRecord',
  fields: [{ name: 'dataType', type: 'STRING', required: true, description: null }],
};

let t: TestDatabase;
let api: TestServer;

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  for (const name of ['batch', 'storage', 'compute']) await t.services.catalog.defineComponent({ name });
  expect(
    dataOf(await api.gql(DEFINE, { m: { name: 'hpc.jobs', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: JOB_TYPE } }))
      .defineMeter,
  ).toEqual({
    name: 'hpc.jobs',
    recordType: JOB_TYPE_SHOWN,
  });
  dataOf(
    await api.gql(DEFINE, {
      m: {
        name: 'volume.gib_hours',
        component: 'storage',
        unit: 'GiB-h',
        type: 'DELTA',
        recordType: { name: 'StorageUsageRecord', fields: [{ name: 'dataType', type: 'STRING' }] },
      },
    }),
  );
  dataOf(await api.gql(DEFINE, { m: { name: 'cpu.hours', component: 'compute', unit: 'h', type: 'DELTA' } }));
});
afterAll(() => closeTestApi({ t, api }));

const report = (overrides: Record<string, unknown> = {}) => ({
  project: 'p-jobs',
  meter: 'hpc.jobs',
  start: '2026-10-01T10:00:00Z',
  end: '2026-10-01T12:00:00Z',
  volume: 64,
  ...overrides,
});

/** Rows of every table a batch writes to. */
async function rowCounts() {
  const [row] = await t.sql(
    `SELECT (SELECT count(*) FROM usage_events)::int AS events, (SELECT count(*) FROM usage_metrics)::int AS metrics,
            (SELECT count(*) FROM projects)::int AS projects, (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM resources)::int AS resources, (SELECT count(*) FROM usage_rollup_dirty)::int AS dirty`,
  );
  return row;
}

function problemsOf(response: { errors?: { extensions?: Record<string, any> }[] }) {
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  return response.errors![0].extensions!.problems as { path: unknown[]; message: string }[];
}

describe('record types', () => {
  test('are stored with the meter, defaults filled in, and defining again changes nothing', async () => {
    expect(await t.sql('SELECT name, record_type FROM meters ORDER BY name')).toEqual([
      { name: 'cpu.hours', record_type: null },
      { name: 'hpc.jobs', record_type: JOB_TYPE_SHOWN },
      { name: 'volume.gib_hours', record_type: STORAGE_TYPE_SHOWN },
    ]);
    const again = dataOf(
      await api.gql(DEFINE, { m: { name: 'hpc.jobs', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: JOB_TYPE } }),
    );
    expect(again.defineMeter.recordType).toEqual(JOB_TYPE_SHOWN);
    // Without recordType a definition leaves it as it is.
    const without = dataOf(await api.gql(DEFINE, { m: { name: 'hpc.jobs', component: 'batch', unit: 'core-h', type: 'DELTA' } }));
    expect(without.defineMeter.recordType).toEqual(JOB_TYPE_SHOWN);
    expect(await t.sql("SELECT count(*)::int AS n FROM meters WHERE name = 'hpc.jobs'")).toEqual([{ n: 1 }]);
  });

  test('are visible in discovery: null for a meter without one', async () => {
    const data = dataOf(await api.gql('{ meters { name recordType { name fields { name type required description } } } }'));
    expect(data.meters).toEqual([
      { name: 'cpu.hours', recordType: null },
      { name: 'hpc.jobs', recordType: JOB_TYPE_SHOWN },
      { name: 'volume.gib_hours', recordType: STORAGE_TYPE_SHOWN },
    ]);
    const viaComponent = dataOf(await api.gql('{ components { name meters { name recordType { name } } } }'));
    expect(viaComponent.components).toEqual([
      { name: 'batch', meters: [{ name: 'hpc.jobs', recordType: { name: 'JobUsageRecord' } }] },
      { name: 'compute', meters: [{ name: 'cpu.hours', recordType: null }] },
      { name: 'storage', meters: [{ name: 'volume.gib_hours', recordType: { name: 'StorageUsageRecord' } }] },
    ]);
  });

  test('a batch with a report missing a required field and one with a wrong type is refused whole, with exactly those problems', async () => {
    const before = await rowCounts();
    const response = await api.gql(REPORT, {
      reports: [
        report({ additionalData: { nodes: 2 } }),
        report({ start: '2026-10-01T13:00:00Z', end: '2026-10-01T14:00:00Z', additionalData: { jobId: 'j2', nodes: 2.5 } }),
        report({ start: '2026-10-01T15:00:00Z', end: '2026-10-01T16:00:00Z', additionalData: { jobId: 'j3', nodes: 4 } }),
      ],
    });
    expect(response.data).toBeNull();
    expect(problemsOf(response)).toEqual([
      { path: ['reports', 0, 'additionalData', 'jobId'], message: '"jobId" (STRING) is required by meter "hpc.jobs" (JobUsageRecord)' },
      {
        path: ['reports', 1, 'additionalData', 'nodes'],
        message: '"nodes" must be INTEGER, a whole number, for meter "hpc.jobs" (JobUsageRecord); got 2.5',
      },
    ]);
    expect(await rowCounts()).toEqual(before);
    expect(await t.sql("SELECT * FROM projects WHERE name = 'p-jobs'")).toEqual([]);
  });

  test('the good reports alone are accepted and stored with their data', async () => {
    const before = await rowCounts();
    const result = dataOf(
      await api.gql(REPORT, {
        reports: [
          report({ additionalData: { jobId: 'j1', nodes: 2 } }),
          report({
            start: '2026-10-01T13:00:00Z',
            end: '2026-10-01T14:00:00Z',
            additionalData: { jobId: 'j2', nodes: 3, queue: 'gpu', exitCode: 0 },
          }),
          report({ meter: 'volume.gib_hours', volume: 240, additionalData: { dataType: 'dataset' } }),
        ],
      }),
    );
    expect(result.reportUsage).toEqual({ created: 3, updated: 0, unchanged: 0, superseded: 0 });
    expect((await rowCounts()).events).toBe(before.events + 3);
    expect(
      await t.sql(
        "SELECT m.name AS meter, e.additional_data FROM usage_events e JOIN meters m ON m.id = e.meter_id JOIN projects p ON p.id = e.project_id WHERE p.name = 'p-jobs' ORDER BY e.start_time, m.name",
      ),
    ).toEqual([
      { meter: 'hpc.jobs', additional_data: { jobId: 'j1', nodes: 2 } },
      { meter: 'volume.gib_hours', additional_data: { dataType: 'dataset' } },
      { meter: 'hpc.jobs', additional_data: { jobId: 'j2', nodes: 3, queue: 'gpu', exitCode: 0 } },
    ]);
  });

  test('a meter without a record type accepts any data, or none', async () => {
    const result = dataOf(
      await api.gql(REPORT, {
        reports: [
          report({ project: 'p-free', meter: 'cpu.hours', volume: 1 }),
          report({
            project: 'p-free',
            meter: 'cpu.hours',
            volume: 1,
            user: 'ann',
            additionalData: { nodes: 2.5, jobId: 7, anything: [1, { a: null }] },
          }),
        ],
      }),
    );
    expect(result.reportUsage.created).toBe(2);
  });

  test("additional resources follow their own meter's record type, not their report's", async () => {
    const before = await rowCounts();
    const refused = await api.gql(REPORT, {
      reports: [
        report({
          project: 'p-extras',
          meter: 'cpu.hours',
          additionalResources: [{ meter: 'volume.gib_hours', volume: 10 }],
          additionalData: { jobId: 'x' },
        }),
      ],
    });
    expect(problemsOf(refused)).toEqual([
      {
        path: ['reports', 0, 'additionalData', 'dataType'],
        message: '"dataType" (STRING) is required by meter "volume.gib_hours" (StorageUsageRecord)',
      },
    ]);
    expect(await rowCounts()).toEqual(before);

    const accepted = await api.gql(REPORT, {
      reports: [
        report({
          project: 'p-extras',
          meter: 'cpu.hours',
          additionalResources: [{ meter: 'volume.gib_hours', volume: 10 }],
          additionalData: { dataType: 'scratch' },
        }),
      ],
    });
    expect(dataOf(accepted).reportUsage.created).toBe(1);
    expect((await rowCounts()).events).toBe(before.events + 2);
  });

  test('DATETIME, NUMBER and BOOLEAN fields: values of each type, and of other types with their paths', async () => {
    const fields = [
      { name: 'submitted', type: 'DATETIME' },
      { name: 'efficiency', type: 'NUMBER' },
      { name: 'preempted', type: 'BOOLEAN' },
    ];
    dataOf(await api.gql(DEFINE, { m: { name: 'hpc.typed', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: { fields } } }));
    const good = { submitted: '2026-10-01T09:58:00+02:00', efficiency: 0.75, preempted: false };
    const response = await api.gql(REPORT, {
      reports: [
        report({ project: 'p-typed', meter: 'hpc.typed', additionalData: good }),
        report({
          project: 'p-typed',
          meter: 'hpc.typed',
          user: 'b',
          additionalData: { submitted: '2026-10-01 09:58', efficiency: '0.75', preempted: 'no' },
        }),
      ],
    });
    expect(problemsOf(response)).toEqual([
      {
        path: ['reports', 1, 'additionalData', 'submitted'],
        message:
          '"submitted" must be DATETIME, a date-time string with a time zone offset (2026-10-01T00:00:00Z), for meter "hpc.typed"; got "2026-10-01 09:58"',
      },
      {
        path: ['reports', 1, 'additionalData', 'efficiency'],
        message: '"efficiency" must be NUMBER, a finite number, for meter "hpc.typed"; got "0.75"',
      },
      {
        path: ['reports', 1, 'additionalData', 'preempted'],
        message: '"preempted" must be BOOLEAN, true or false, for meter "hpc.typed"; got "no"',
      },
    ]);
    expect(
      dataOf(await api.gql(REPORT, { reports: [report({ project: 'p-typed', meter: 'hpc.typed', additionalData: good })] })).reportUsage
        .created,
    ).toBe(1);
  });

  test('invalid definitions are refused with the path of every problem, and change nothing', async () => {
    const response = await api.gql(DEFINE, {
      m: {
        name: 'hpc.bad',
        component: 'batch',
        unit: 'core-h',
        type: 'DELTA',
        recordType: {
          name: 'Job Record',
          fields: [
            { name: 'jobId', type: 'STRING' },
            { name: 'job-id', type: 'STRING' },
            { name: 'jobId', type: 'INTEGER' },
            { name: '', type: 'STRING' },
          ],
        },
      },
    });
    expect(problemsOf(response)).toEqual([
      {
        path: ['input', 'recordType', 'name'],
        message: 'must be a plain identifier: 1-64 letters, digits and _, not starting with a digit',
      },
      {
        path: ['input', 'recordType', 'fields', 1, 'name'],
        message: 'must be a plain identifier: 1-64 letters, digits and _, not starting with a digit',
      },
      { path: ['input', 'recordType', 'fields', 2, 'name'], message: 'field "jobId" appears twice' },
      {
        path: ['input', 'recordType', 'fields', 3, 'name'],
        message: 'must be a plain identifier: 1-64 letters, digits and _, not starting with a digit',
      },
    ]);
    expect(await t.sql("SELECT * FROM meters WHERE name = 'hpc.bad'")).toEqual([]);

    const empty = await api.gql(DEFINE, {
      m: { name: 'hpc.jobs', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: { fields: [] } },
    });
    expect(problemsOf(empty)).toEqual([{ path: ['input', 'recordType', 'fields'], message: 'must list at least one field' }]);
    expect(await t.sql("SELECT record_type FROM meters WHERE name = 'hpc.jobs'")).toEqual([{ record_type: JOB_TYPE_SHOWN }]);

    // An unknown type never reaches the service: GraphQL refuses the enum value.
    const unknownType = await api.gql(DEFINE, {
      m: { name: 'hpc.bad', component: 'batch', unit: 'h', type: 'DELTA', recordType: { fields: [{ name: 'a', type: 'FLOAT' }] } },
    });
    expect(unknownType.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknownType.errors?.[0].message).toContain('FLOAT');
  });

  test('only an admin may set a record type', async () => {
    const { token } = await t.services.auth.createKey({ role: 'reporter', projects: [] });
    const response = await api.gql(
      DEFINE,
      { m: { name: 'hpc.jobs', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: null } },
      { authorization: `Bearer ${token}` },
    );
    expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.sql("SELECT record_type FROM meters WHERE name = 'hpc.jobs'")).toEqual([{ record_type: JOB_TYPE_SHOWN }]);
  });

  test('a changed record type applies to reports from then on; stored records are not checked again', async () => {
    const define = (recordType: unknown) =>
      api.gql(DEFINE, { m: { name: 'hpc.change', component: 'batch', unit: 'core-h', type: 'DELTA', recordType } });
    dataOf(await define({ fields: [{ name: 'jobId', type: 'STRING' }] }));
    const at = (hour: number, data: Record<string, unknown>) =>
      report({
        project: 'p-change',
        meter: 'hpc.change',
        start: `2026-10-02T${String(hour).padStart(2, '0')}:00:00Z`,
        end: null,
        volume: 1,
        additionalData: data,
      });
    expect(dataOf(await api.gql(REPORT, { reports: [at(1, { jobId: 'a' })] })).reportUsage.created).toBe(1);

    // Now an account is required too: the same kind of report is refused, the stored one stays.
    const changed = dataOf(
      await define({
        fields: [
          { name: 'jobId', type: 'STRING' },
          { name: 'account', type: 'STRING' },
        ],
      }),
    );
    expect(changed.defineMeter.recordType.fields.map((f: { name: string }) => f.name)).toEqual(['jobId', 'account']);
    expect(problemsOf(await api.gql(REPORT, { reports: [at(2, { jobId: 'b' })] })).map((p) => p.path)).toEqual([
      ['reports', 0, 'additionalData', 'account'],
    ]);
    expect(dataOf(await api.gql(REPORT, { reports: [at(2, { jobId: 'b', account: 'x' })] })).reportUsage.created).toBe(1);

    // null removes it: anything is accepted again.
    expect(dataOf(await define(null)).defineMeter.recordType).toBeNull();
    expect(dataOf(await api.gql(REPORT, { reports: [at(3, {})] })).reportUsage.created).toBe(1);
    expect(
      await t.sql(
        "SELECT e.additional_data FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = 'p-change' ORDER BY e.start_time",
      ),
    ).toEqual([{ additional_data: { jobId: 'a' } }, { additional_data: { jobId: 'b', account: 'x' } }, { additional_data: {} }]);
  });

  test('a batch reads its meters at most once; another process sees a change within recordTypeCacheMs', async () => {
    // A second meterql process on the same database, with a clock the test moves.
    let now = 1_000_000;
    const repository = new CatalogRepository(t.db.prisma);
    let reads = 0;
    const meterKeys = repository.meterKeys.bind(repository);
    repository.meterKeys = (names) => {
      reads++;
      return meterKeys(names);
    };
    const other = new CatalogService(repository, { recordTypeCacheMs: 1000, now: () => now });
    const ingestion = new IngestionService(t.db, new IngestionRepository(), new RollupsRepository(), other, DEFAULT_LIMITS);
    const at = (hour: number, data: Record<string, unknown>) => ({
      project: 'p-other',
      meter: 'hpc.other',
      start: new Date(Date.UTC(2026, 9, 3, hour)),
      volume: 1,
      additionalData: data,
      additionalResources: [{ meter: 'cpu.hours', volume: 1 }],
    });
    const refusal = async (reports: ReturnType<typeof at>[]) => {
      try {
        await ingestion.reportUsage(SYSTEM, reports);
        return [];
      } catch (error) {
        return (error as ValidationError).problems.map((p) => p.path);
      }
    };

    dataOf(
      await api.gql(DEFINE, {
        m: {
          name: 'hpc.other',
          component: 'batch',
          unit: 'core-h',
          type: 'DELTA',
          recordType: { fields: [{ name: 'jobId', type: 'STRING' }] },
        },
      }),
    );
    const batch = Array.from({ length: 50 }, (_, i) => at(i % 24, { jobId: String(i) })).map((r, i) => ({ ...r, user: `u${i}` }));
    expect((await ingestion.reportUsage(SYSTEM, batch)).created).toBe(50);
    expect(reads).toBe(1);
    expect((await ingestion.reportUsage(SYSTEM, batch)).unchanged).toBe(50);
    expect(reads).toBe(1);

    // This process changes the record type; the other one keeps the one it read for up to a second.
    dataOf(
      await api.gql(DEFINE, {
        m: {
          name: 'hpc.other',
          component: 'batch',
          unit: 'core-h',
          type: 'DELTA',
          recordType: { fields: [{ name: 'jobId', type: 'INTEGER' }] },
        },
      }),
    );
    expect(await refusal([at(0, { jobId: 'a' })])).toEqual([]);
    now += 1000;
    expect(await refusal([at(1, { jobId: 'b' })])).toEqual([]);
    expect(reads).toBe(1);
    now += 1;
    expect(await refusal([at(2, { jobId: 'c' })])).toEqual([['reports', 0, 'additionalData', 'jobId']]);
    expect(reads).toBe(2);
    expect(await refusal([at(2, { jobId: 3 })])).toEqual([]);

    // A change made through the process itself applies at once.
    await other.defineMeter({ name: 'hpc.other', component: 'batch', unit: 'core-h', type: 'DELTA', recordType: null });
    expect(await refusal([at(4, { jobId: 'd' })])).toEqual([]);
    expect(reads).toBe(3);
  });
});
