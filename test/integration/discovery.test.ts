import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'instance.create', type: 'EVENT', unit: 'instance' }]);
  await t.services.ingestion.reportUsage(SYSTEM, [
    // alice: a job of astro that runs from March 31st into April 1st.
    {
      project: 'astro',
      user: 'alice',
      computeProject: 'astro-hpc',
      meter: 'cpu.hours',
      start: at('2026-03-31T22:00:00Z'),
      end: at('2026-04-01T02:00:00Z'),
      volume: 4,
      source: 'slurm',
    },
    // bob: an event of bio exactly at the end of the April window: outside it.
    { project: 'bio', user: 'bob', meter: 'instance.create', start: at('2026-05-01T00:00:00Z'), volume: 1, source: 'openstack' },
    // carol: usage of astro inside April.
    {
      project: 'astro',
      user: 'carol',
      meter: 'cpu.hours',
      start: at('2026-04-10T00:00:00Z'),
      end: at('2026-04-10T01:00:00Z'),
      volume: 1,
      source: 'openstack',
    },
    // dave: a job of bio that ends exactly at the start of April: outside it.
    {
      project: 'bio',
      user: 'dave',
      computeProject: 'bio-hpc',
      meter: 'cpu.hours',
      start: at('2026-03-30T00:00:00Z'),
      end: at('2026-04-01T00:00:00Z'),
      volume: 2,
      source: 'slurm',
    },
    // erin: a discrete event at the very start of April: inside it.
    { project: 'chem', user: 'erin', meter: 'instance.create', start: at('2026-04-01T00:00:00Z'), volume: 1 },
  ]);
});
afterAll(() => closeTestApi({ t, api }));

const names = (connection: { edges: { node: { name: string } }[] }) => connection.edges.map((e) => e.node.name);
const APRIL = { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };

describe('discovery', () => {
  test('components and meters', async () => {
    const data = dataOf(
      await api.gql('{ components { name meters { name type } } meters(component: "compute") { name unit component { name } } }'),
    );
    expect(data.components).toEqual([
      {
        name: 'compute',
        meters: [
          { name: 'cpu.hours', type: 'DELTA' },
          { name: 'instance.create', type: 'EVENT' },
        ],
      },
    ]);
    expect(data.meters).toEqual([
      { name: 'cpu.hours', unit: 'h', component: { name: 'compute' } },
      { name: 'instance.create', unit: 'instance', component: { name: 'compute' } },
    ]);
  });

  test('without a filter every dimension lists all it holds, by name', async () => {
    const data = dataOf(
      await api.gql(`{ users { edges { node { name } } } projects { edges { node { name } } }
        computeProjects { edges { node { name } } } sources { edges { node { name firstSeen } } } }`),
    );
    expect(names(data.users)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(names(data.projects)).toEqual(['astro', 'bio', 'chem']);
    expect(names(data.computeProjects)).toEqual(['astro-hpc', 'bio-hpc']);
    expect(names(data.sources)).toEqual(['default', 'openstack', 'slurm']);
    expect(Date.parse(data.sources.edges[0].node.firstSeen)).toBeGreaterThan(Date.now() - 600_000);
  });

  test('a window keeps what has usage starting in [from, to): an event at `to` is out, one at `from` in', async () => {
    const q = `query W($filter: DiscoveryFilter) {
      users(filter: $filter) { edges { node { name } } } projects(filter: $filter) { edges { node { name } } }
      computeProjects(filter: $filter) { edges { node { name } } } sources(filter: $filter) { edges { node { name } } } }`;
    const april = dataOf(await api.gql(q, { filter: APRIL }));
    // alice's job started on March 31st: it is usage of March, as in usageEvents.
    expect(names(april.users)).toEqual(['carol', 'erin']);
    expect(names(april.projects)).toEqual(['astro', 'chem']);
    expect(names(april.computeProjects)).toEqual([]);
    expect(names(april.sources)).toEqual(['default', 'openstack']);
    const march = dataOf(await api.gql(q, { filter: { from: '2026-03-01T00:00:00Z', to: APRIL.from } }));
    expect(names(march.users)).toEqual(['alice', 'dave']);
    expect(names(march.computeProjects)).toEqual(['astro-hpc', 'bio-hpc']);

    const aprilAstro = dataOf(await api.gql(q, { filter: { ...APRIL, project: 'astro' } }));
    expect(names(aprilAstro.users)).toEqual(['carol']);
    expect(names(aprilAstro.projects)).toEqual(['astro']);
    expect(names(aprilAstro.sources)).toEqual(['openstack']);

    const bio = dataOf(await api.gql(q, { filter: { project: 'bio' } }));
    expect(names(bio.users)).toEqual(['bob', 'dave']);
    const none = dataOf(await api.gql(q, { filter: { project: 'no-such-project' } }));
    expect(names(none.users)).toEqual([]);
  });

  test('pages follow each other without gaps or repeats', async () => {
    const q = `query P($after: String) { users(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const page: any = dataOf(await api.gql(q, { after })).users;
      seen.push(...names(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  });

  test('a window with from but no to, or to not after from, is a BAD_USER_INPUT naming the field', async () => {
    const half = await api.gql('{ users(filter: { from: "2026-04-01T00:00:00Z" }) { edges { cursor } } }');
    expect(half.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: ['filter', 'to'] }] });
    const backwards = await api.gql(
      '{ projects(filter: { from: "2026-04-01T00:00:00Z", to: "2026-04-01T00:00:00Z" }) { edges { cursor } } }',
    );
    expect(backwards.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: ['filter', 'to'], message: 'must be after from' }],
    });
  });

  test('a forged cursor is refused at after: a name with a NUL character, or a name and more', async () => {
    const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [['u\u0000'], ['u', 1]]) {
      for (const field of ['users', 'projects', 'computeProjects', 'sources']) {
        const response = await api.gql(`query P($after: String) { ${field}(after: $after) { edges { cursor } } }`, { after: forged(key) });
        expect(response.errors?.[0].extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          problems: [{ path: ['after'], message: 'is not a cursor returned by this query' }],
        });
      }
      const resources = await api.gql('query R($after: String) { resources(after: $after) { edges { cursor } } }', { after: forged(key) });
      expect(resources.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: ['after'] }] });
    }
  });
});
