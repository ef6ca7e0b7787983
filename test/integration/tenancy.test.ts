import { SYSTEM } from '../../src/modules/auth/auth.types';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

// A resource belongs to one project. Project B owns vm-b; project A's reporters try to attach
// usage or metadata to it, and A's readers try to learn anything of it through A's records.
let t: TestDatabase;
let api: TestServer;
const keys: Record<'admin' | 'reporterA' | 'readerA', string> = {} as never;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const REPORT = 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated } }';
const SET = 'mutation S($i: SetResourceMetadataInput!) { setResourceMetadata(input: $i) { resource { id project } } }';
const MAY = 'from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z"';
const usage = (project: string, resource: string, day: number, volume = 1) => ({
  project,
  meter: 'cpu.hours',
  resource,
  user: `user-${project.slice(-1)}`,
  start: `2026-05-0${day}T00:00:00Z`,
  end: `2026-05-0${day}T06:00:00Z`,
  volume,
});

beforeAll(async () => {
  ({ t, api } = await openTestApi({ anonymousAdmin: false }));
  keys.admin = (await t.services.auth.createKey({ role: 'admin', projects: [] })).token;
  keys.reporterA = (await t.services.auth.createKey({ role: 'reporter', projects: ['proj-a'] })).token;
  keys.readerA = (await t.services.auth.createKey({ role: 'reader', projects: ['proj-a'] })).token;
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
  const asDates = (r: ReturnType<typeof usage>) => ({ ...r, start: new Date(r.start), end: new Date(r.end) });
  await t.services.ingestion.reportUsage(SYSTEM, [usage('proj-b', 'vm-b', 1, 100), usage('proj-a', 'vm-a', 1, 1)].map(asDates));
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-b',
    type: 'secret-flavor',
    validFrom: new Date('2026-05-01T00:00:00Z'),
    metadata: { owner: 'team-b', flavor: 'huge' },
  });
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-a',
    validFrom: new Date('2026-05-01T00:00:00Z'),
    metadata: { owner: 'team-a', flavor: 'small' },
  });
});
afterAll(() => closeTestApi({ t, api }));

const countOf = async (sql: string) => (await t.sql(sql))[0].n;
const eventsAt = (day: number) => countOf(`SELECT count(*)::int AS n FROM usage_events WHERE start_time = '2026-05-0${day}T00:00:00Z'`);

describe("a report naming another project's resource", () => {
  test.each(['reporterA', 'admin'] as const)(
    'is refused for a %s key, at its path, saying only that it is taken; nothing of the batch is written',
    async (key) => {
      const response = await api.gql(
        REPORT,
        { r: [usage('proj-a', 'vm-a', 2), usage('proj-a', 'vm-b', 2), usage('proj-a', 'vm-new', 2)] },
        bearer(keys[key]),
      );
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ path: ['reports', 1, 'resource'], message: 'resource "vm-b" belongs to another project' }],
      });
      expect(JSON.stringify(response)).not.toMatch(/proj-b|team-b|user-b|huge/);
      expect(await eventsAt(2)).toBe(0);
      // The new resource of the refused batch was not kept either.
      expect(await countOf("SELECT count(*)::int AS n FROM resources WHERE external_id = 'vm-new'")).toBe(0);
    },
  );

  test('two projects naming one new resource in one batch: the batch is refused', async () => {
    const response = await api.gql(REPORT, { r: [usage('proj-a', 'vm-both', 3), usage('proj-c', 'vm-both', 3)] }, bearer(keys.admin));
    expect(response.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0].extensions!.problems).toHaveLength(1);
    expect(await eventsAt(3)).toBe(0);
  });

  test('the import rejects that line and writes the others', async () => {
    const result = await t.services.ingestion.reportEach(
      SYSTEM,
      [usage('proj-a', 'vm-a', 4), usage('proj-a', 'vm-b', 4), usage('proj-c', 'vm-c', 4)].map((r) => ({
        ...r,
        start: new Date(r.start),
        end: new Date(r.end),
      })),
    );
    expect(result.rejected).toEqual([
      { index: 1, problems: [{ path: ['resource'], message: 'resource "vm-b" belongs to another project' }] },
    ]);
    expect(result.created).toBe(2);
    expect(await eventsAt(4)).toBe(2);
  });

  test('concurrent batches of two projects claiming one new resource: exactly one project gets it', async () => {
    const results = await Promise.all(
      ['proj-a', 'proj-c', 'proj-a', 'proj-c'].map((project, i) =>
        api.gql(REPORT, { r: [{ ...usage(project, 'vm-race', 5), user: `u${i}` }] }, bearer(keys.admin)),
      ),
    );
    const owners = await t.sql("SELECT p.name FROM resources r JOIN projects p ON p.id = r.project_id WHERE r.external_id = 'vm-race'");
    expect(owners).toHaveLength(1);
    const winner = owners[0].name;
    // Only the owner's reports were written; the other project's were refused.
    expect(results.map((r) => (r.errors ? 'refused' : 'written'))).toEqual(
      ['proj-a', 'proj-c', 'proj-a', 'proj-c'].map((p) => (p === winner ? 'written' : 'refused')),
    );
    expect(
      await t.sql(
        "SELECT DISTINCT p.name FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE e.start_time = '2026-05-05T00:00:00Z'",
      ),
    ).toEqual([{ name: winner }]);
  });
});

describe("a metadata write naming another project's resource", () => {
  test.each([
    ['reporterA', { project: undefined }],
    ['reporterA', { project: 'proj-a' }],
    ['admin', { project: 'proj-a' }],
  ] as const)('is refused for a %s key (%j), at input.resource, and changes nothing', async (key, extra) => {
    const response = await api.gql(
      SET,
      { i: { resource: 'vm-b', validFrom: '2026-05-20T00:00:00Z', metadata: { owner: 'mallory' }, ...extra } },
      bearer(keys[key]),
    );
    expect(response.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: ['input', 'resource'], message: 'resource "vm-b" belongs to another project' }],
    });
    expect(JSON.stringify(response)).not.toMatch(/proj-b|team-b|huge/);
    expect(
      await t.sql("SELECT metadata FROM resource_metadata m JOIN resources r ON r.id = m.resource_id WHERE r.external_id = 'vm-b'"),
    ).toEqual([{ metadata: { owner: 'team-b', flavor: 'huge' } }]);
  });

  test('an admin may still version any resource without naming a project; the owner stays', async () => {
    const done = dataOf(
      await api.gql(
        SET,
        { i: { resource: 'vm-b', validFrom: '2026-05-25T00:00:00Z', metadata: { owner: 'team-b', flavor: 'huge' } } },
        bearer(keys.admin),
      ),
    );
    expect(done.setResourceMetadata.resource).toEqual({ id: 'vm-b', project: 'proj-b' });
  });
});

describe("records that name another project's resource, stored before ownership was enforced", () => {
  beforeAll(async () => {
    // Written as an older meterql could have: an event of A pointing at B's resource.
    await t.sql(
      `INSERT INTO usage_events (meter_id, project_id, user_id, source_id, resource_id, start_time, end_time, volume, content_hash)
       SELECT m.id, pa.id, NULL, s.id, r.id, '2026-05-09T00:00:00Z', '2026-05-09T01:00:00Z', 7, 'legacy'
       FROM meters m, projects pa, sources s, resources r
       WHERE m.name = 'cpu.hours' AND pa.name = 'proj-a' AND s.name = 'default' AND r.external_id = 'vm-b'`,
    );
  });

  const PROBES: Record<string, string> = {
    eventResource: `{ usageEvents(filter: { ${MAY} }) { edges { node { volume resource { id project user type metadata metadataHistory { metadata } } resourceMetadata } } } }`,
    groupByMetadata: `{ usageStatistics(input: { meters: ["cpu.hours"], ${MAY}, groupByMetadata: ["owner", "flavor"] }) { rows { metadata sum } } }`,
    metadataFilter: `{ usageStatistics(input: { meters: ["cpu.hours"], ${MAY}, filter: { metadata: { flavor: "huge" } } }) { rows { sum } }
                       usageEvents(filter: { ${MAY}, metadata: { owner: "team-b" } }) { edges { node { volume } } } }`,
    resource: '{ resource(id: "vm-b") { id metadata } resources { edges { node { id metadata } } } }',
  };

  test.each(Object.entries(PROBES))("%s: A's reader learns nothing of B's resource", async (_, query) => {
    const response = await api.gql(query, {}, bearer(keys.readerA));
    expect(response.errors).toBeUndefined();
    expect(JSON.stringify(response.data)).not.toMatch(/proj-b|team-b|user-b|huge|secret-flavor/);
    // The same question from an admin does reach B: the probe is real.
    expect(JSON.stringify((await api.gql(query, {}, bearer(keys.admin))).data)).toMatch(/team-b|huge|"sum":100/);
  });

  test("filtering by B's metadata finds none of A's records, the legacy one included", async () => {
    expect(dataOf(await api.gql(PROBES.metadataFilter, {}, bearer(keys.readerA)))).toEqual({
      usageStatistics: { rows: [] },
      usageEvents: { edges: [] },
    });
  });

  test("A's own record shows its resource and metadata; the legacy record shows none", async () => {
    const edges = dataOf(await api.gql(PROBES.eventResource, {}, bearer(keys.readerA))).usageEvents.edges.map((e: any) => e.node);
    expect(edges.find((n: any) => n.volume === 7)).toMatchObject({ resource: null, resourceMetadata: null });
    expect(edges.find((n: any) => n.resource?.id === 'vm-a')).toMatchObject({ resourceMetadata: { owner: 'team-a', flavor: 'small' } });
    const day = PROBES.groupByMetadata.replace(MAY, 'from: "2026-05-09T00:00:00Z", to: "2026-05-10T00:00:00Z"');
    // The legacy record counts in A's usage, under no metadata.
    expect(dataOf(await api.gql(day, {}, bearer(keys.readerA))).usageStatistics.rows).toEqual([
      { metadata: { owner: null, flavor: null }, sum: 7 },
    ]);
  });
});
