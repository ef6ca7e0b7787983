import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

const SET = `mutation Set($input: SetResourceMetadataInput!) {
  setResourceMetadata(input: $input) { resource { id type } version { validFrom validTo metadata } }
}`;
const READ = `query Read($id: String!, $at: DateTime) {
  resource(id: $id) { id type metadata(at: $at) metadataHistory { validFrom validTo metadata } }
}`;

let t: TestDatabase;
let api: TestServer;

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
});
afterAll(() => closeTestApi({ t, api }));

const set = (resource: string, validFrom: string, metadata: Record<string, unknown>, type?: string) =>
  api.gql(SET, { input: { resource, validFrom, metadata, type } });

describe('resource metadata versions', () => {
  test('a new version closes the open one at its validFrom; each reads back at its time', async () => {
    const first = dataOf(await set('vm-1', '2026-01-01T00:00:00Z', { flavor: 'm1.small' }, 'vm')).setResourceMetadata;
    expect(first).toEqual({
      resource: { id: 'vm-1', type: 'vm' },
      version: { validFrom: '2026-01-01T00:00:00.000Z', validTo: null, metadata: { flavor: 'm1.small' } },
    });
    dataOf(await set('vm-1', '2026-02-01T00:00:00+01:00', { flavor: 'm1.large' }));

    const read = async (at?: string) => dataOf(await api.gql(READ, { id: 'vm-1', at })).resource;
    expect((await read('2026-01-31T22:59:59.999Z')).metadata).toEqual({ flavor: 'm1.small' });
    expect((await read('2026-01-31T23:00:00Z')).metadata).toEqual({ flavor: 'm1.large' });
    expect((await read()).metadata).toEqual({ flavor: 'm1.large' });
    expect((await read('2025-12-31T23:59:59Z')).metadata).toBeNull();
    expect((await read()).metadataHistory).toEqual([
      { validFrom: '2026-01-01T00:00:00.000Z', validTo: '2026-01-31T23:00:00.000Z', metadata: { flavor: 'm1.small' } },
      { validFrom: '2026-01-31T23:00:00.000Z', validTo: null, metadata: { flavor: 'm1.large' } },
    ]);
    expect((await read()).type).toBe('vm');
  });

  test('a version before all others ends where the next begins; the same validFrom replaces', async () => {
    dataOf(await set('vm-2', '2026-03-01T00:00:00Z', { owner: 'b' }));
    const backfill = dataOf(await set('vm-2', '2026-01-01T00:00:00Z', { owner: 'a' })).setResourceMetadata.version;
    expect(backfill).toEqual({ validFrom: '2026-01-01T00:00:00.000Z', validTo: '2026-03-01T00:00:00.000Z', metadata: { owner: 'a' } });
    dataOf(await set('vm-2', '2026-03-01T00:00:00Z', { owner: 'c' }));
    const history = dataOf(await api.gql(READ, { id: 'vm-2' })).resource.metadataHistory;
    expect(history.map((v: { metadata: { owner: string } }) => v.metadata.owner)).toEqual(['a', 'c']);
  });

  test('a version overlapping a closed one is refused by the database, and nothing changes', async () => {
    dataOf(await set('vm-3', '2026-01-01T00:00:00Z', { v: 1 }));
    dataOf(await set('vm-3', '2026-02-01T00:00:00Z', { v: 2 }));
    const before = dataOf(await api.gql(READ, { id: 'vm-3' })).resource.metadataHistory;

    const refused = await set('vm-3', '2026-01-15T00:00:00Z', { v: 99 });
    expect(refused.errors?.[0].extensions).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      code: 'BAD_USER_INPUT',
      problems: [
        {
          path: ['input', 'validFrom'],
          message:
            'falls inside the closed metadata version [2026-01-01T00:00:00.000Z, 2026-02-01T00:00:00.000Z) of resource "vm-3"; versions never overlap',
        },
      ],
    });
    expect(dataOf(await api.gql(READ, { id: 'vm-3' })).resource.metadataHistory).toEqual(before);

    // The exclusion constraint holds against any writer, not only meterql's code.
    await expect(
      t.sql(
        `INSERT INTO resource_metadata (resource_id, valid_from, valid_to, metadata)
         SELECT id, '2026-01-20T00:00:00Z', '2026-01-25T00:00:00Z', '{}' FROM resources WHERE external_id = 'vm-3'`,
      ),
    ).rejects.toMatchObject({ code: '23P01', constraint: 'resource_metadata_no_overlap' });
  });

  test('resources are filtered by project, user, type and metadata as of an instant, and paginated', async () => {
    const reports = ['vm-a', 'vm-b', 'vm-c'].map((resource, i) => ({
      project: i < 2 ? 'astro' : 'bio',
      user: i === 0 ? 'alice' : 'bob',
      meter: 'cpu.hours',
      start: new Date('2026-04-01T00:00:00Z'),
      volume: 1,
      resource,
    }));
    await t.services.ingestion.reportUsage(SYSTEM, reports);
    await t.services.resources.setMetadata(SYSTEM, {
      resource: 'vm-a',
      validFrom: new Date('2026-04-01T00:00:00Z'),
      metadata: { zone: 'a', flavor: { name: 'big' } },
      type: 'vm',
    });
    await t.services.resources.setMetadata(SYSTEM, {
      resource: 'vm-a',
      validFrom: new Date('2026-05-01T00:00:00Z'),
      metadata: { zone: 'b', flavor: { name: 'big' } },
    });
    await t.services.resources.setMetadata(SYSTEM, {
      resource: 'vm-b',
      validFrom: new Date('2026-04-01T00:00:00Z'),
      metadata: { zone: 'a' },
      type: 'vm',
    });

    const LIST = `query List($filter: ResourceFilter, $first: Int, $after: String) {
      resources(filter: $filter, first: $first, after: $after) { edges { cursor node { id project user } } pageInfo { hasNextPage endCursor } }
    }`;
    const ids = async (filter: Record<string, unknown>) =>
      dataOf(await api.gql(LIST, { filter })).resources.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids({ project: 'astro' })).toEqual(['vm-a', 'vm-b']);
    expect(await ids({ user: 'bob' })).toEqual(['vm-b', 'vm-c']);
    expect(await ids({ project: 'astro', type: 'vm', user: 'alice' })).toEqual(['vm-a']);
    expect(await ids({ metadata: { zone: 'a' }, at: '2026-04-15T00:00:00Z' })).toEqual(['vm-a', 'vm-b']);
    expect(await ids({ metadata: { zone: 'a' } })).toEqual(['vm-b']);
    expect(await ids({ metadata: { flavor: { name: 'big' } } })).toEqual(['vm-a']);

    const page1 = dataOf(await api.gql(LIST, { filter: { project: 'astro' }, first: 1 })).resources;
    expect(page1.edges.map((e: { node: { id: string } }) => e.node)).toEqual([{ id: 'vm-a', project: 'astro', user: 'alice' }]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = dataOf(await api.gql(LIST, { filter: { project: 'astro' }, first: 1, after: page1.pageInfo.endCursor })).resources;
    expect(page2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['vm-b']);
    expect(page2.pageInfo).toEqual({ hasNextPage: false, endCursor: page2.edges[0].cursor });
  });

  test('a resource known only from its metadata takes its project and user from the first report naming it', async () => {
    await t.services.resources.setMetadata(SYSTEM, {
      resource: 'vm-early',
      validFrom: new Date('2026-04-01T00:00:00Z'),
      metadata: { zone: 'c' },
    });
    expect(await t.services.resources.resource(SYSTEM, 'vm-early')).toMatchObject({ project: null, user: null });
    const report = {
      project: 'chem',
      user: 'erin',
      meter: 'cpu.hours',
      start: new Date('2026-04-02T00:00:00Z'),
      volume: 1,
      resource: 'vm-early',
    };
    await t.services.ingestion.reportUsage(SYSTEM, [report]);
    expect(await t.services.resources.resource(SYSTEM, 'vm-early')).toMatchObject({ project: 'chem', user: 'erin' });
    // Later reports of other projects are refused and do not move it.
    await expect(t.services.ingestion.reportUsage(SYSTEM, [{ ...report, project: 'bio', user: 'bob' }])).rejects.toThrow(
      'reports[0].resource: resource "vm-early" belongs to another project',
    );
    expect(await t.services.resources.resource(SYSTEM, 'vm-early')).toMatchObject({ project: 'chem', user: 'erin' });
  });

  test('an unknown resource is null; a bad cursor or page size is a BAD_USER_INPUT naming the argument', async () => {
    expect(dataOf(await api.gql(READ, { id: 'nothing-here' })).resource).toBeNull();
    const bad = await api.gql('{ resources(first: 1001, after: "not-a-cursor") { edges { cursor } } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions?.problems.map((p: { path: string[] }) => p.path)).toEqual([['first'], ['after']]);
  });
});
