import { Client } from 'pg';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
const at = (iso: string) => new Date(iso);
const H = 3_600_000;

const EVENTS = `query E($filter: UsageEventFilter!, $first: Int, $after: String, $orderBy: UsageEventOrder) {
  usageEvents(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    edges { cursor node { id user volume start } } pageInfo { hasNextPage endCursor } } }`;
const MAY = { from: '2026-05-01T00:00:00Z', to: '2026-06-01T00:00:00Z' };

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [
    { name: 'cpu.hours' },
    { name: 'gpu.hours' },
    { name: 'instance.create', type: 'EVENT', unit: 'instance' },
    { name: 'volume.gib_hours', component: 'storage', unit: 'GiB-h' },
  ]);
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-1',
    validFrom: at('2026-05-01T00:00:00Z'),
    metadata: { flavor: 'small', zone: 'a' },
    type: 'vm',
  });
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-1',
    validFrom: at('2026-05-10T00:00:00Z'),
    metadata: { flavor: 'large', zone: 'a' },
  });
  await t.services.ingestion.reportUsage(SYSTEM, [
    {
      project: 'astro',
      user: 'alice',
      meter: 'cpu.hours',
      start: at('2026-05-01T00:00:00Z'),
      end: at('2026-05-01T01:00:00Z'),
      volume: 1,
      resource: 'vm-1',
      source: 'nova',
      additionalMetrics: [{ metric: 'util', volume: 0.5, contingentFactor: 2 }],
    },
    {
      project: 'astro',
      user: 'alice',
      meter: 'cpu.hours',
      start: at('2026-05-12T00:00:00Z'),
      end: at('2026-05-12T01:00:00Z'),
      volume: 2,
      resource: 'vm-1',
      source: 'nova',
    },
    {
      project: 'astro',
      user: 'bob',
      meter: 'gpu.hours',
      start: at('2026-05-02T00:00:00Z'),
      end: at('2026-05-02T02:00:00Z'),
      volume: 3,
      contingentFactor: 0.5,
      partition: 'gpu',
      priority: 'high',
      source: 'slurm',
      computeProject: 'astro-hpc',
    },
    { project: 'bio', user: 'carol', meter: 'instance.create', start: at('2026-05-03T00:00:00Z'), volume: 1, source: 'nova' },
    {
      project: 'bio',
      user: 'carol',
      meter: 'volume.gib_hours',
      start: at('2026-05-04T00:00:00Z'),
      end: at('2026-05-05T00:00:00Z'),
      volume: 2400,
      source: 'cinder',
    },
    // Exactly at `to` of the May window: outside it.
    { project: 'bio', user: 'carol', meter: 'instance.create', start: at('2026-06-01T00:00:00Z'), volume: 1, source: 'nova' },
  ]);
  // 25 events that all start at the same instant, for pagination.
  await t.services.ingestion.reportUsage(
    SYSTEM,
    Array.from({ length: 25 }, (_, i) => ({
      project: 'chem',
      user: `u${String(i).padStart(2, '0')}`,
      meter: 'cpu.hours',
      start: at('2026-05-20T00:00:00Z'),
      volume: i,
    })),
  );
});
afterAll(() => closeTestApi({ t, api }));

const volumes = async (filter: Record<string, unknown>) =>
  dataOf(await api.gql(EVENTS, { filter: { ...MAY, ...filter } })).usageEvents.edges.map(
    (e: { node: { volume: number } }) => e.node.volume,
  );

describe('usageEvents', () => {
  test('events are in the window when from <= start < to', async () => {
    expect(await volumes({ projects: ['bio'] })).toEqual([1, 2400]);
    expect(await volumes({ projects: ['bio'], from: '2026-05-03T00:00:00Z', to: '2026-06-01T00:00:00.001Z' })).toEqual([1, 2400, 1]);
    expect(await volumes({ projects: ['bio'], from: '2026-05-03T00:00:00.001Z' })).toEqual([2400]);
  });

  test('every filter narrows, and they hold together', async () => {
    expect(await volumes({ meters: ['cpu.hours'], projects: ['astro'] })).toEqual([1, 2]);
    expect(await volumes({ components: ['storage'] })).toEqual([2400]);
    expect(await volumes({ users: ['bob', 'carol'] })).toEqual([3, 1, 2400]);
    expect(await volumes({ sources: ['slurm'] })).toEqual([3]);
    expect(await volumes({ computeProjects: ['astro-hpc'] })).toEqual([3]);
    expect(await volumes({ resources: ['vm-1'] })).toEqual([1, 2]);
    expect(await volumes({ partitions: ['gpu'], priorities: ['high'] })).toEqual([3]);
    expect(await volumes({ partitions: ['gpu'], priorities: ['low'] })).toEqual([]);
    expect(await volumes({ discrete: true, projects: ['bio'] })).toEqual([1]);
    expect(await volumes({ discrete: false, projects: ['bio', 'astro'] })).toEqual([1, 3, 2400, 2]);
    // The metadata valid at each event's start: vm-1 was small on May 1st and large on May 12th.
    expect(await volumes({ metadata: { flavor: 'small' } })).toEqual([1]);
    expect(await volumes({ metadata: { flavor: 'large' } })).toEqual([2]);
    expect(await volumes({ metadata: { zone: 'a' } })).toEqual([1, 2]);
  });

  test('a node carries its meter, resource, metadata then, metrics and derived values', async () => {
    const q = `query { usageEvents(filter: { from: "2026-05-01T00:00:00Z", to: "2026-05-03T00:00:00Z" }) { edges { node {
      meter { name unit type component { name } } project computeProject user source resource { id type }
      start end duration volume contingentFactor weightedVolume operationCount partition priority additionalData
      additionalMetrics { metric volume contingentFactor weightedVolume } resourceMetadata parentId } } } }`;
    const nodes = dataOf(await api.gql(q)).usageEvents.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toEqual([
      {
        meter: { name: 'cpu.hours', unit: 'h', type: 'DELTA', component: { name: 'compute' } },
        project: 'astro',
        computeProject: null,
        user: 'alice',
        source: 'nova',
        resource: { id: 'vm-1', type: 'vm' },
        start: '2026-05-01T00:00:00.000Z',
        end: '2026-05-01T01:00:00.000Z',
        duration: 3600,
        volume: 1,
        contingentFactor: 1,
        weightedVolume: 1,
        operationCount: 1,
        partition: null,
        priority: null,
        additionalData: null,
        additionalMetrics: [{ metric: 'util', volume: 0.5, contingentFactor: 2, weightedVolume: 1 }],
        resourceMetadata: { flavor: 'small', zone: 'a' },
        parentId: null,
      },
      {
        meter: { name: 'gpu.hours', unit: 'h', type: 'DELTA', component: { name: 'compute' } },
        project: 'astro',
        computeProject: 'astro-hpc',
        user: 'bob',
        source: 'slurm',
        resource: null,
        start: '2026-05-02T00:00:00.000Z',
        end: '2026-05-02T02:00:00.000Z',
        duration: 7200,
        volume: 3,
        contingentFactor: 0.5,
        weightedVolume: 1.5,
        operationCount: 1,
        partition: 'gpu',
        priority: 'high',
        additionalData: null,
        additionalMetrics: [],
        resourceMetadata: null,
        parentId: null,
      },
    ]);
    const discrete = dataOf(
      await api.gql(
        `{ usageEvents(filter: { from: "2026-05-03T00:00:00Z", to: "2026-05-04T00:00:00Z" }) { edges { node { end duration } } } }`,
      ),
    );
    expect(discrete.usageEvents.edges).toEqual([{ node: { end: null, duration: null } }]);
  });

  test('a query reads only what it selects, and each field asked alone, or in a fragment, answers as when all are asked', async () => {
    const fields = {
      id: 'id',
      parentId: 'parentId',
      meter: 'meter { name }',
      project: 'project',
      computeProject: 'computeProject',
      user: 'user',
      source: 'source',
      resource: 'resource { id type }',
      start: 'start',
      end: 'end',
      duration: 'duration',
      volume: 'volume',
      contingentFactor: 'contingentFactor',
      weightedVolume: 'weightedVolume',
      operationCount: 'operationCount',
      partition: 'partition',
      priority: 'priority',
      additionalData: 'additionalData',
      additionalMetrics: 'additionalMetrics { metric weightedVolume }',
      resourceMetadata: 'resourceMetadata',
    };
    const filter = '{ from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z" }';
    const all = dataOf(await api.gql(`{ usageEvents(filter: ${filter}) { edges { node { ${Object.values(fields).join(' ')} } } } }`));
    const nodes: Record<string, unknown>[] = all.usageEvents.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(nodes.length).toBeGreaterThan(3);
    for (const [i, [name, selection]] of Object.entries(fields).entries()) {
      // Alone, in a named fragment, or in an inline one.
      const query = [
        `{ usageEvents(filter: ${filter}) { edges { node { ${selection} } } } }`,
        `{ usageEvents(filter: ${filter}) { ...Page } } fragment Page on UsageEventConnection { edges { node { ...F } } } fragment F on UsageEvent { ${selection} }`,
        `{ usageEvents(filter: ${filter}) { edges { ... on UsageEventEdge { node { ... on UsageEvent { ${selection} } } } } } }`,
      ][i % 3];
      const alone = dataOf(await api.gql(query)).usageEvents.edges.map((e: { node: unknown }) => e.node);
      expect([name, alone]).toEqual([name, nodes.map((n) => ({ [name]: n[name] }))]);
    }
    // A page asking for nodes' volumes only still pages: its end cursor leads to the next page.
    const first = dataOf(
      await api.gql(`{ usageEvents(filter: ${filter}, first: 2) { edges { node { volume } } pageInfo { endCursor } } }`),
    );
    const next = dataOf(
      await api.gql(`query N($after: String) { usageEvents(filter: ${filter}, first: 2, after: $after) { edges { node { volume } } } }`, {
        after: first.usageEvents.pageInfo.endCursor,
      }),
    );
    expect([...first.usageEvents.edges, ...next.usageEvents.edges].map((e: { node: { volume: number } }) => e.node.volume)).toEqual(
      nodes.slice(0, 4).map((n) => n.volume),
    );
  });

  test('pages over events with equal starts have no gaps or repeats, in either order', async () => {
    for (const orderBy of ['START_ASC', 'START_DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: any = dataOf(await api.gql(EVENTS, { filter: { ...MAY, projects: ['chem'] }, first: 7, after, orderBy })).usageEvents;
        seen.push(...page.edges.map((e: { node: { user: string } }) => e.node.user));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        pages++;
      } while (after);
      expect(pages).toBe(4);
      const users = Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      expect(seen).toEqual(orderBy === 'START_ASC' ? users : users.reverse());
    }
    const all = dataOf(await api.gql(EVENTS, { filter: MAY })).usageEvents.edges.map(
      (e: { node: { start: string; id: string } }) => e.node,
    );
    const sorted = [...all].sort((a, b) => a.start.localeCompare(b.start) || Number(a.id) - Number(b.id));
    expect(all).toEqual(sorted);
  });

  test('first defaults to 100 and may not pass 1,000; a foreign cursor is refused', async () => {
    const tooMany = await api.gql(EVENTS, { filter: MAY, first: 1001, after: 'WyJub3QiXQ' });
    expect(tooMany.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: ['first'] }, { path: ['after'], message: 'is not a cursor returned by this query' }],
    });
    const backwards = await api.gql(EVENTS, { filter: { from: MAY.to, to: MAY.from, meters: ['no.such'] } });
    expect(backwards.errors?.[0].extensions?.problems).toEqual([
      { path: ['filter', 'to'], message: 'must be after from' },
      { path: ['filter', 'meters', 0], message: 'meter "no.such" is not defined' },
    ]);
  });

  test('a forged cursor whose values the statement could not take is refused at after', async () => {
    const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [
      ['-271821-04-20T00:00:00.000Z', '1'],
      ['2026-05-20T00:00:00.000Z', '9999999999999999999'],
      ['2026-05-20', '1'],
      ['2026-05-20T00:00:00.000Z', 1],
    ]) {
      const response = await api.gql(EVENTS, { filter: MAY, after: forged(key) });
      expect(response.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ path: ['after'], message: 'is not a cursor returned by this query' }],
      });
    }
  });

  test('a page of 1,000 events selecting every nested object runs a constant number of statements', async () => {
    await t.services.ingestion.reportUsage(
      SYSTEM,
      Array.from({ length: 1000 }, (_, i) => ({
        project: `bulk-${i % 5}`,
        user: `bulk-user-${i % 40}`,
        meter: i % 2 ? 'cpu.hours' : 'gpu.hours',
        start: new Date(Date.parse('2026-07-01T00:00:00Z') + i * H),
        end: new Date(Date.parse('2026-07-01T01:00:00Z') + i * H),
        volume: i,
        resource: `bulk-vm-${i % 50}`,
        additionalMetrics: [{ metric: 'util', volume: 0.1 }],
      })),
    );
    for (let i = 0; i < 50; i += 1) {
      await t.services.resources.setMetadata(SYSTEM, { resource: `bulk-vm-${i}`, validFrom: at('2026-06-01T00:00:00Z'), metadata: { i } });
      await t.services.resources.setMetadata(SYSTEM, {
        resource: `bulk-vm-${i}`,
        validFrom: at('2026-07-20T00:00:00Z'),
        metadata: { i, resized: true },
      });
    }
    const q = `query E($first: Int) { usageEvents(filter: { from: "2026-07-01T00:00:00Z", to: "2026-09-01T00:00:00Z" }, first: $first) {
      edges { node { id meter { name unit type component { name meters { name } } } resource { id type project metadata metadataHistory { validFrom } }
      resourceMetadata additionalMetrics { metric volume } } } } }`;
    const count = async (first: number) => {
      const spy = jest.spyOn(Client.prototype, 'query');
      const data = dataOf(await api.gql(q, { first }));
      const statements = spy.mock.calls.length;
      spy.mockRestore();
      return { statements, data };
    };
    const small = await count(10);
    const large = await count(1000);
    expect(large.data.usageEvents.edges).toHaveLength(1000);
    expect(large.statements).toBe(small.statements);
    // The page, resources, metadata now, metadata at each start, histories, metrics, and meters
    // with their components twice (Prisma reads an include in a second statement).
    expect(large.statements).toBeLessThanOrEqual(10);
    const node = large.data.usageEvents.edges[500].node;
    expect(node.resourceMetadata).toEqual({ i: 0, resized: true });
    expect(node.resource.metadataHistory).toHaveLength(2);
    expect(node.additionalMetrics).toEqual([{ metric: 'util', volume: 0.1 }]);
  });
});
