import type { TestDatabase } from '../helpers/database';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;

beforeAll(async () => {
  ({ t, api } = await openTestApi());
});
afterAll(() => closeTestApi({ t, api }));

const DEFINE = `mutation D($c: DefineComponentInput!, $m: DefineMeterInput!) {
  defineComponent(input: $c) { name description }
  defineMeter(input: $m) { name unit type description component { name } }
}`;

describe('defineComponent and defineMeter', () => {
  test('are idempotent: defining again returns the same and stores one row', async () => {
    const vars = {
      c: { name: 'storage', description: 'Block storage' },
      m: { name: 'volume.gib_hours', component: 'storage', unit: 'GiB-h', type: 'DELTA', description: 'Allocated' },
    };
    const first = dataOf(await api.gql(DEFINE, vars));
    const again = dataOf(await api.gql(DEFINE, vars));
    expect(again).toEqual(first);
    expect(first.defineMeter).toEqual({
      name: 'volume.gib_hours',
      unit: 'GiB-h',
      type: 'DELTA',
      description: 'Allocated',
      component: { name: 'storage' },
    });
    expect(await t.sql("SELECT count(*)::int AS n FROM meters WHERE name = 'volume.gib_hours'")).toEqual([{ n: 1 }]);
  });

  test('a description may change; a unit, type or component may not', async () => {
    const base = { name: 'net.egress', component: 'network', unit: 'GiB', type: 'DELTA' };
    dataOf(await api.gql(DEFINE, { c: { name: 'network' }, m: base }));
    const described = dataOf(await api.gql(DEFINE, { c: { name: 'network' }, m: { ...base, description: 'Egress' } }));
    expect(described.defineMeter.description).toBe('Egress');

    const changed = await api.gql(DEFINE, { c: { name: 'network' }, m: { ...base, unit: 'byte', type: 'CUMULATIVE' } });
    expect(changed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(changed.errors?.[0].extensions?.problems.map((p: { path: string[] }) => p.path)).toEqual([
      ['input', 'unit'],
      ['input', 'type'],
    ]);
    expect(await t.sql("SELECT unit, type::text FROM meters WHERE name = 'net.egress'")).toEqual([{ unit: 'GiB', type: 'DELTA' }]);
  });

  test('a meter of an undefined component, or with a bad name, is refused', async () => {
    const response = await api.gql(
      'mutation { defineMeter(input: { name: " bad name", component: "ghost", unit: "h", type: EVENT }) { name } }',
    );
    expect(response.errors?.[0].extensions?.problems).toEqual([
      { path: ['input', 'name'], message: expect.stringContaining('must be 1-128 characters') },
      { path: ['input', 'component'], message: 'component "ghost" is not defined' },
    ]);
  });
});
