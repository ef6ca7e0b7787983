import { DEFAULT_LIMITS } from '../../src/config';
import { hashSecret, parseToken } from '../../src/modules/auth/auth.keys';
import { createServices } from '../../src/services';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
const keys: Record<'admin' | 'readerA' | 'reporterA' | 'readerAll', string> = {} as never;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  ({ t, api } = await openTestApi({ anonymousAdmin: false }));
  keys.admin = (await t.services.auth.createKey({ role: 'admin', projects: [] })).token;
  keys.readerA = (await t.services.auth.createKey({ role: 'reader', projects: ['proj-a'] })).token;
  keys.reporterA = (await t.services.auth.createKey({ role: 'reporter', projects: ['proj-a'] })).token;
  keys.readerAll = (await t.services.auth.createKey({ role: 'reader', projects: [] })).token;
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
  const day = (d: number) => at(`2026-05-0${d}T00:00:00Z`);
  await t.services.ingestion.reportUsage(SYSTEM, [
    ...[1, 2, 3].map((d) => ({
      project: 'proj-a',
      user: 'user-a',
      source: 'src-a',
      computeProject: 'hpc-a',
      resource: 'vm-a',
      meter: 'cpu.hours',
      start: day(d),
      end: day(d + 1),
      volume: d,
      additionalMetrics: [{ metric: 'metric_a', volume: 1 }],
    })),
    ...[1, 2, 3].map((d) => ({
      project: 'proj-b',
      user: 'user-b',
      source: 'src-b',
      computeProject: 'hpc-b',
      resource: 'vm-b',
      meter: 'cpu.hours',
      start: day(d),
      end: day(d + 1),
      volume: 100 * d,
      additionalMetrics: [{ metric: 'metric_b', volume: 1 }],
    })),
  ]);
  await t.services.resources.setMetadata(SYSTEM, { resource: 'vm-a', validFrom: day(1), metadata: { owner: 'team-a' } });
  await t.services.resources.setMetadata(SYSTEM, { resource: 'vm-b', validFrom: day(1), metadata: { owner: 'team-b' } });
});
afterAll(() => closeTestApi({ t, api }));

const MAY = 'from: "2026-05-01T00:00:00Z", to: "2026-06-01T00:00:00Z"';
/** Every root field, asked by a key of project A about project B. */
const PROBES: Record<string, string> = {
  components: '{ components { name meters { name } } }',
  meters: '{ meters { name } }',
  users: '{ users { edges { node { name } } } b: users(filter: { project: "proj-b" }) { edges { node { name } } } }',
  projects: `{ projects { edges { node { name } } } w: projects(filter: { ${MAY} }) { edges { node { name } } } }`,
  computeProjects:
    '{ computeProjects { edges { node { name } } } b: computeProjects(filter: { project: "proj-b" }) { edges { node { name } } } }',
  sources: '{ sources { edges { node { name } } } }',
  resources:
    '{ resources { edges { node { id project user metadata } } } b: resources(filter: { project: "proj-b" }) { edges { node { id } } } }',
  resource: `{ resource(id: "vm-b") { id metadata metadataHistory { metadata } usage(${MAY}) { sum } } }`,
  resourceUsage: `{ resource(id: "vm-a") { usage(${MAY}) { meter sum } } }`,
  usageEvents: `{ usageEvents(filter: { ${MAY} }) { edges { node { project user source volume resource { id project } resourceMetadata } } }
                  b: usageEvents(filter: { ${MAY}, projects: ["proj-b"], users: ["user-b"] }) { edges { node { id } } } }`,
  usageStatistics: `{ usageStatistics(input: { meters: ["cpu.hours"], ${MAY}, groupBy: [PROJECT, USER, SOURCE, RESOURCE, COMPUTE_PROJECT], groupByMetadata: ["owner"] }) { rows { project user source resource computeProject metadata sum count } }
                      b: usageStatistics(input: { meters: ["cpu.hours"], ${MAY}, filter: { projects: ["proj-b"] } }) { rows { sum } } }`,
  metricsOfA: `{ usageStatistics(input: { metrics: ["metric_a"], ${MAY}, groupBy: [PROJECT] }) { rows { metric project sum } } }`,
};
const B_MARKERS = ['proj-b', 'user-b', 'src-b', 'hpc-b', 'vm-b', 'team-b', 'metric_b', '100', '200', '300', '600'];

describe('a key scoped to project A', () => {
  test.each(Object.entries(PROBES))('%s shows nothing of project B', async (_, query) => {
    const response = await api.gql(query, {}, bearer(keys.readerA));
    expect(response.errors).toBeUndefined();
    const body = JSON.stringify(response.data);
    for (const marker of B_MARKERS) expect(body.includes(marker) ? `${marker} in ${body}` : '').toBe('');
    // The same questions asked with an unscoped key do reach B: the probes are real.
    if (!['components', 'meters', 'resourceUsage', 'metricsOfA'].includes(_)) {
      const unscoped = JSON.stringify((await api.gql(query, {}, bearer(keys.readerAll))).data);
      expect(B_MARKERS.some((m) => unscoped.includes(m))).toBe(true);
    }
  });

  test('sees its own project whole', async () => {
    const data = dataOf(await api.gql(PROBES.usageStatistics, {}, bearer(keys.readerA)));
    expect(data.usageStatistics.rows).toEqual([
      {
        project: 'proj-a',
        user: 'user-a',
        source: 'src-a',
        resource: 'vm-a',
        computeProject: 'hpc-a',
        metadata: { owner: 'team-a' },
        sum: 6,
        count: 3,
      },
    ]);
    expect(dataOf(await api.gql(PROBES.resourceUsage, {}, bearer(keys.readerA))).resource.usage).toEqual([{ meter: 'cpu.hours', sum: 6 }]);
  });

  test('a metric only B has is answered as one that does not exist', async () => {
    const ask = async (metric: string) => {
      const response = await api.gql(
        `{ usageStatistics(input: { metrics: ["${metric}"], ${MAY} }) { rows { sum } } }`,
        {},
        bearer(keys.readerA),
      );
      return JSON.stringify({ ...response.errors?.[0], extensions: { ...response.errors?.[0].extensions, requestId: 'x' } }).replaceAll(
        metric,
        'M',
      );
    };
    expect(await ask('metric_b')).toBe(await ask('metric_nowhere'));
  });

  test("a cursor taken from B's events leads only to A's", async () => {
    const q = `query P($after: String) { usageEvents(filter: { ${MAY} }, first: 1, after: $after) { edges { cursor node { project volume } } } }`;
    const all = [];
    let after: string | null = null;
    for (let i = 0; i < 6; i++) {
      const edge: any = dataOf(await api.gql(q, { after }, bearer(keys.readerAll))).usageEvents.edges[0];
      all.push(edge);
      after = edge.cursor;
    }
    const cursorOfB = all.find((e) => e.node.project === 'proj-b')!.cursor;
    const scoped = dataOf(await api.gql(q.replace('first: 1', 'first: 10'), { after: cursorOfB }, bearer(keys.readerA))).usageEvents.edges;
    expect(scoped.every((e: { node: { project: string } }) => e.node.project === 'proj-a')).toBe(true);
  });

  test('a reporter of A reports for A only: a batch naming B is refused whole', async () => {
    const report = { project: 'proj-a', meter: 'cpu.hours', start: '2026-05-10T00:00:00Z', volume: 1 };
    const MUTATION = 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created } }';
    const refused = await api.gql(MUTATION, { r: [report, { ...report, project: 'proj-b' }] }, bearer(keys.reporterA));
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0].message).toContain('reports[1]');
    expect(await t.sql("SELECT 1 FROM usage_events WHERE start_time = '2026-05-10T00:00:00Z'")).toEqual([]);
    expect(dataOf(await api.gql(MUTATION, { r: [report] }, bearer(keys.reporterA))).reportUsage.created).toBe(1);

    const SET = 'mutation S($i: SetResourceMetadataInput!) { setResourceMetadata(input: $i) { resource { id project } } }';
    // B's resource: refused as another project's (test/integration/tenancy.test.ts), saying nothing more.
    const other = await api.gql(
      SET,
      { i: { resource: 'vm-b', validFrom: '2026-05-20T00:00:00Z', metadata: { x: 1 } } },
      bearer(keys.reporterA),
    );
    expect(other.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0].message).toBe('Invalid input (1 problem): input.resource: resource "vm-b" belongs to another project');
    // Naming project B outright is a project this key may not write for.
    const named = await api.gql(
      SET,
      { i: { resource: 'vm-b2', project: 'proj-b', validFrom: '2026-05-20T00:00:00Z', metadata: { x: 1 } } },
      bearer(keys.reporterA),
    );
    expect(named.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unnamed = await api.gql(
      SET,
      { i: { resource: 'vm-new', validFrom: '2026-05-20T00:00:00Z', metadata: { x: 1 } } },
      bearer(keys.reporterA),
    );
    expect(unnamed.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const own = await api.gql(
      SET,
      { i: { resource: 'vm-new', project: 'proj-a', validFrom: '2026-05-20T00:00:00Z', metadata: { x: 1 } } },
      bearer(keys.reporterA),
    );
    expect(dataOf(own).setResourceMetadata.resource).toEqual({ id: 'vm-new', project: 'proj-a' });
  });
});

describe('roles and keys', () => {
  test('without a key every root field is UNAUTHENTICATED', async () => {
    for (const query of [...Object.values(PROBES), 'mutation { defineComponent(input: { name: "x" }) { name } }']) {
      const response = await api.gql(query);
      expect(Object.values(response.data ?? {}).every((value) => value === null)).toBe(true);
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(expect.arrayContaining(['UNAUTHENTICATED']));
      expect(response.errors?.every((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    }
  });

  const KEY = `mql_000000000000_${'A'.repeat(43)}`;
  test.each([
    ['a header of another scheme', 'Basic abc', 'The Authorization header must be "Bearer <API key>"'],
    ['a key without the word Bearer', KEY, 'The Authorization header must be "Bearer <API key>": it holds a key without the word Bearer'],
    [
      'a key cut short',
      `Bearer ${KEY.slice(0, -3)}`,
      'The API key is malformed: a key is mql_<12 hex digits>_<43 characters>, 60 characters in all, as npm run keys -- create prints it; this one has 57 (cut short when copied?)',
    ],
    [
      'a token of another shape',
      'Bearer abc_def-ghi',
      'The API key is malformed: a key is mql_<12 hex digits>_<43 characters>, 60 characters in all, as npm run keys -- create prints it; this one has 11 (cut short when copied?)',
    ],
    [
      'a key with a character too many',
      `Bearer ${KEY}x`,
      'The API key is malformed: a key is mql_<12 hex digits>_<43 characters>, 60 characters in all, as npm run keys -- create prints it; this one has 61',
    ],
    ['an unknown key', `Bearer ${KEY}`, 'The API key is not valid'],
  ])('%s is UNAUTHENTICATED, never anonymous, and the message says what is wrong without echoing it', async (_, header, message) => {
    const response = await api.gql('{ meters { name } }', {}, { authorization: header });
    expect(response.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['UNAUTHENTICATED', message]]);
    expect(JSON.stringify(response)).not.toContain('AAAAAAAAAA');
  });

  test('a wrong secret for a real key id, or a revoked key, is UNAUTHENTICATED', async () => {
    const { token, key } = await t.services.auth.createKey({ role: 'reader', projects: [] });
    const wrong = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await api.gql('{ meters { name } }', {}, bearer(wrong))).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(dataOf(await api.gql('{ meters { name } }', {}, bearer(token))).meters).toEqual([{ name: 'cpu.hours' }]);
    expect(await t.services.auth.revokeKey(key.id)).toBe(true);
    expect((await api.gql('{ meters { name } }', {}, bearer(token))).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test.each([
    ['reader', 'mutation { defineMeter(input: { name: "x", component: "compute", unit: "h", type: DELTA }) { name } }', 'FORBIDDEN'],
    ['reader', 'mutation { reportUsage(reports: []) { created } }', 'FORBIDDEN'],
    ['reporter', `{ usageEvents(filter: { ${MAY} }) { edges { cursor } } }`, 'FORBIDDEN'],
    ['reporter', '{ users { edges { cursor } } }', 'FORBIDDEN'],
    ['reporter', 'mutation { defineComponent(input: { name: "x" }) { name } }', 'FORBIDDEN'],
    ['reporter', '{ meters { name } }', null],
    ['admin', 'mutation { defineComponent(input: { name: "storage" }) { name } }', null],
    ['admin', `{ usageEvents(filter: { ${MAY} }) { edges { cursor } } }`, null],
  ])('a %s key: %s -> %s', async (role, query, code) => {
    const token = role === 'admin' ? keys.admin : role === 'reader' ? keys.readerA : keys.reporterA;
    const response = await api.gql(query, {}, bearer(token));
    expect(response.errors?.[0]?.extensions?.code ?? null).toBe(code);
  });

  test('keys are stored as the SHA-256 of their secret only', async () => {
    const { token, key } = await t.services.auth.createKey({ role: 'reader', projects: ['p1', 'p1', 'p2'], description: 'dashboard' });
    expect(token).toMatch(/^mql_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const { secret } = parseToken(token)!;
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const [row] = await t.sql('SELECT * FROM api_keys WHERE id = $1', [key.id]);
    expect(row).toMatchObject({ role: 'READER', projects: ['p1', 'p2'], description: 'dashboard', revoked_at: null });
    expect(Buffer.compare(row.secret_hash, hashSecret(secret))).toBe(0);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(await t.services.auth.listKeys())).not.toMatch(/secret/i);
  });

  test('an admin key is never limited to projects; roles are checked', async () => {
    await expect(t.services.auth.createKey({ role: 'admin', projects: ['p'] })).rejects.toThrow(/not limited to projects/);
    await expect(t.services.auth.createKey({ role: 'owner', projects: [] })).rejects.toThrow(/admin, reporter or reader/);
  });
});

describe('the verified-key cache', () => {
  test('trusts a verified key for its TTL, never a wrong secret; a revocation here ends it at once', async () => {
    const cached = createServices(t.db, { limits: DEFAULT_LIMITS, anonymousAdmin: false, keyCacheMs: 60_000 });
    const { token, key } = await cached.auth.createKey({ role: 'reader', projects: ['proj-a'] });
    expect(await cached.auth.authenticate(`Bearer ${token}`)).toEqual({ role: 'READER', projects: ['proj-a'], keyId: key.id });
    const wrong = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(cached.auth.authenticate(`Bearer ${wrong}`)).rejects.toThrow('The API key is not valid');
    // Revoked elsewhere (another instance): trusted until the TTL ends.
    await t.sql('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [key.id]);
    expect(await cached.auth.authenticate(`Bearer ${token}`)).toMatchObject({ keyId: key.id });
    // Revoked through this instance: at once.
    await cached.auth.revokeKey(key.id);
    await expect(cached.auth.authenticate(`Bearer ${token}`)).rejects.toThrow('The API key is not valid');
  });
});

describe('a key lookup that fails for an unexpected reason', () => {
  test('is answered 500 INTERNAL_SERVER_ERROR without internals, and logged with the request id', async () => {
    await t.sql('ALTER TABLE api_keys RENAME TO api_keys_moved');
    try {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(keys.admin) },
        body: '{"query":"{ meters { name } }"}',
      });
      const requestId = response.headers.get('x-request-id');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
      });
      expect(api.logs()).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'unexpected error',
          requestId,
          err: expect.objectContaining({ message: expect.stringContaining('api_keys') }),
        }),
      );
    } finally {
      await t.sql('ALTER TABLE api_keys_moved RENAME TO api_keys');
    }
  });
});
