import net from 'node:net';
import { DEFAULT_LIMITS } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/database';
import { freePort } from '../../src/db/embedded';
import { readMigrations } from '../../src/db/migrate';
import { createServices } from '../../src/services';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { parseMetrics, sample } from '../helpers/prometheus';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestDatabase;
let api: TestServer;
const others: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
  api = await startTestServer(t.services);
});
afterAll(async () => {
  for (const other of others) await other.close();
  await api?.close();
  await t?.drop();
});

const get = (server: TestServer, path: string, headers: Record<string, string> = {}) => fetch(`${server.origin}${path}`, { headers });
const post = (server: TestServer, body: string, headers: Record<string, string> = {}) =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const scrape = async (server: TestServer) => parseMetrics(await (await get(server, '/metrics')).text());

const REPORT = 'mutation Report($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged superseded } }';
const report = (hour: number, volume = 1) => ({
  project: 'p',
  meter: 'cpu.hours',
  start: new Date(Date.UTC(2026, 0, 1, hour)).toISOString(),
  volume,
});

describe('health', () => {
  test('/healthz answers 200 while the process is up', async () => {
    const response = await get(api, '/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('/readyz answers 200 when the database answers and every migration is applied', async () => {
    const response = await get(api, '/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  test('/readyz answers 503 naming a migration that is not recorded as applied', async () => {
    const [last] = (await readMigrations()).slice(-1);
    const [row] = await t.sql('DELETE FROM _prisma_migrations WHERE migration_name = $1 RETURNING *', [last.name]);
    try {
      const response = await get(api, '/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', checks: { database: 'ok', migrations: `not applied: ${last.name}` } });
      const requestId = response.headers.get('x-request-id');
      expect(api.logs()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'not ready', requestId }));
    } finally {
      const columns = Object.keys(row);
      await t.sql(
        `INSERT INTO _prisma_migrations (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        Object.values(row),
      );
    }
    expect((await get(api, '/readyz')).status).toBe(200);
  });

  test('/readyz answers 503 when the database is unreachable, and /healthz still 200', async () => {
    const port = await freePort();
    const db = connectDatabase(`postgresql://postgres@127.0.0.1:${port}/meterql`, { max: 2 });
    const down = await startTestServer(createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: true }));
    others.push(down, db);
    const response = await get(down, '/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      checks: { database: 'unreachable (ECONNREFUSED)', migrations: 'not checked: no database' },
    });
    expect(down.logs()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'not ready',
        requestId: response.headers.get('x-request-id'),
        err: expect.objectContaining({ code: 'ECONNREFUSED' }),
      }),
    );
    expect((await get(down, '/healthz')).status).toBe(200);
  });

  test('/readyz answers 503 when the database does not answer in time', async () => {
    // Accepts connections and never answers: a server that hangs.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const db = connectDatabase(`postgresql://postgres@127.0.0.1:${port}/meterql`, { max: 2 });
    const hung = await startTestServer(createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: true, readyTimeoutMs: 100 }));
    others.push(hung, {
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
        await db.close().catch(() => undefined);
      },
    });
    const response = await get(hung, '/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      checks: { database: 'no answer within 100 ms', migrations: 'not checked: no database' },
    });
  });

  test('while draining, /healthz and /readyz answer 503 and GraphQL is still served', async () => {
    const draining = await startTestServer(t.services);
    others.push(draining);
    draining.startDraining();
    const health = await get(draining, '/healthz');
    expect([health.status, await health.json()]).toEqual([503, { status: 'draining' }]);
    const ready = await get(draining, '/readyz');
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }]);
    expect((await draining.gql('{ meters { name } }')).data).toEqual({ meters: [{ name: 'cpu.hours' }] });
  });
});

describe('metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(t.services);
    others.push(server);
  });

  test('requests and latency per operation, errors by code, reports by outcome', async () => {
    for (let i = 0; i < 3; i++) expect((await server.gql('query Meters { meters { name } }')).errors).toBeUndefined();
    await server.gql('{ components { name } }');
    expect((await server.gql(REPORT, { r: [report(0), report(1)] })).data.reportUsage).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      superseded: 0,
    });
    expect((await server.gql(REPORT, { r: [report(0), report(1, 5)] })).data.reportUsage).toEqual({
      created: 0,
      updated: 1,
      unchanged: 1,
      superseded: 0,
    });
    expect((await server.gql(REPORT, { r: [report(2), report(2, 3)] })).data.reportUsage).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      superseded: 1,
    });
    const bad = await server.gql(REPORT, { r: [report(3), { ...report(4), meter: 'nope' }, { ...report(5), contingentFactor: -1 }] });
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const invalid = await post(server, '{"query":"{ nope }"}');
    expect(invalid.status).toBe(400);

    const samples = await scrape(server);
    expect(sample(samples, 'meterql_graphql_requests_total', { operation: 'Meters', type: 'query', status: '200' })).toBe(3);
    expect(sample(samples, 'meterql_graphql_request_duration_seconds_count', { operation: 'Meters', type: 'query' })).toBe(3);
    expect(sample(samples, 'meterql_graphql_request_duration_seconds_bucket', { operation: 'Meters', type: 'query', le: '+Inf' })).toBe(3);
    expect(sample(samples, 'meterql_graphql_request_duration_seconds_sum', { operation: 'Meters', type: 'query' })).toBeGreaterThan(0);
    expect(sample(samples, 'meterql_graphql_requests_total', { operation: '(anonymous)', type: 'query', status: '200' })).toBe(1);
    expect(sample(samples, 'meterql_graphql_requests_total', { operation: 'Report', type: 'mutation', status: '200' })).toBe(4);
    expect(sample(samples, 'meterql_graphql_requests_total', { operation: '(none)', type: '(none)', status: '400' })).toBe(1);
    expect(sample(samples, 'meterql_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(samples, 'meterql_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    const outcomes = Object.fromEntries(
      ['created', 'updated', 'unchanged', 'superseded', 'rejected', 'failed'].map((outcome) => [
        outcome,
        sample(samples, 'meterql_reports_ingested_total', { outcome }),
      ]),
    );
    expect(outcomes).toEqual({ created: 3, updated: 1, unchanged: 1, superseded: 1, rejected: 3, failed: 0 });
    // Node's process metrics, in this server's registry.
    expect(sample(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  test('each server counts its own requests, and ingestion while it runs', async () => {
    const fresh = await startTestServer(t.services);
    others.push(fresh);
    const samples = await scrape(fresh);
    expect(sample(samples, 'meterql_graphql_requests_total', { operation: 'Meters', type: 'query', status: '200' })).toBeUndefined();
    expect(sample(samples, 'meterql_reports_ingested_total', { outcome: 'created' })).toBe(0);
    await fresh.gql(REPORT, { r: [report(10)] });
    expect(sample(await scrape(fresh), 'meterql_reports_ingested_total', { outcome: 'created' })).toBe(1);
  });

  test('the database pool: open, idle and waiting connections, and the maximum', async () => {
    const pool = t.db.pool;
    const held = await Promise.all(Array.from({ length: 8 }, () => pool.connect()));
    const waiting = pool.query('SELECT 1');
    try {
      const samples = await scrape(server);
      expect({
        total: sample(samples, 'meterql_db_pool_connections'),
        idle: sample(samples, 'meterql_db_pool_idle_connections'),
        waiting: sample(samples, 'meterql_db_pool_waiting_clients'),
        max: sample(samples, 'meterql_db_pool_max_connections'),
      }).toEqual({ total: 8, idle: 0, waiting: 1, max: 8 });
    } finally {
      for (const client of held) client.release();
    }
    await waiting;
    const after = await scrape(server);
    expect(sample(after, 'meterql_db_pool_waiting_clients')).toBe(0);
    expect(sample(after, 'meterql_db_pool_idle_connections')).toBe(pool.idleCount);
    expect(sample(after, 'meterql_db_pool_connections')).toBe(pool.totalCount);
  });

  test('a batch that cannot be written counts as failed', async () => {
    const port = await freePort();
    const db: Database = connectDatabase(`postgresql://postgres@127.0.0.1:${port}/meterql`, { max: 1 });
    const services = createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: true });
    const down = await startTestServer(services);
    others.push(down, db);
    const answer = await down.gql(REPORT, { r: [report(0), report(1)] });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    const samples = await scrape(down);
    expect(sample(samples, 'meterql_reports_ingested_total', { outcome: 'failed' })).toBe(2);
    expect(sample(samples, 'meterql_graphql_errors_total', { code: 'SERVICE_UNAVAILABLE' })).toBe(1);
  });

  test('a metrics token, when configured, is required', async () => {
    const guarded = await startTestServer(t.services, { metricsToken: 'scrape-token-0123456789' });
    others.push(guarded);
    const refused = await get(guarded, '/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await get(guarded, '/metrics', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const allowed = await get(guarded, '/metrics', { authorization: 'Bearer scrape-token-0123456789' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await allowed.text()).toMatch(/^# HELP meterql_graphql_requests_total /m);
  });
});

describe('logs', () => {
  test('every line is JSON with the id of its request, which the answer carries too', async () => {
    const logging = await startTestServer(t.services);
    others.push(logging);
    const ok = await post(logging, JSON.stringify({ query: 'query Meters { meters { name } }' }));
    const okId = ok.headers.get('x-request-id');
    const bad = await post(logging, JSON.stringify({ query: REPORT, variables: { r: [{ ...report(0), meter: 'nope' }] } }));
    const badBody = (await bad.json()) as { errors: { extensions: { requestId: string } }[] };
    const badId = bad.headers.get('x-request-id');
    expect(badBody.errors[0].extensions.requestId).toBe(badId);

    expect(logging.logLines.length).toBeGreaterThanOrEqual(2);
    const lines = logging.logLines.map((line) => JSON.parse(line));
    for (const line of lines)
      expect(line).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          time: expect.any(String),
          requestId: expect.any(String),
          msg: expect.any(String),
        }),
      );
    expect(lines.filter((l) => l.requestId === okId)).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'graphql request',
        operation: 'Meters',
        operationType: 'query',
        status: 200,
        errors: [],
        durationMs: expect.any(Number),
      }),
    ]);
    expect(lines.filter((l) => l.requestId === badId)).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'graphql request',
        operation: 'Report',
        operationType: 'mutation',
        status: 200,
        errors: ['BAD_USER_INPUT'],
        keyId: null,
      }),
    ]);
  });

  test('a sane incoming x-request-id is kept; anything else is replaced', async () => {
    const traced = await post(api, '{"query":"{ nope }"}', { 'x-request-id': 'edge-7f3a.42:1' });
    expect(traced.headers.get('x-request-id')).toBe('edge-7f3a.42:1');
    expect(((await traced.json()) as { errors: { extensions: { requestId: string } }[] }).errors[0].extensions.requestId).toBe(
      'edge-7f3a.42:1',
    );
    expect(api.logs()).toContainEqual(
      expect.objectContaining({ requestId: 'edge-7f3a.42:1', msg: 'graphql request', status: 400, errors: ['GRAPHQL_VALIDATION_FAILED'] }),
    );

    for (const insane of ['has space', 'x'.repeat(200), '"quoted"', '-leading-dash']) {
      const response = await get(api, '/healthz', { 'x-request-id': insane });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test('errors answered before GraphQL runs carry the request id too', async () => {
    for (const body of ['{}', '{"query": 1}', '{not json']) {
      const response = await post(api, body);
      expect(response.status).toBe(400);
      const requestId = response.headers.get('x-request-id');
      const answer = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST', requestId }) })]);
      expect(api.logs()).toContainEqual(
        expect.objectContaining({ requestId, msg: 'graphql request', status: 400, errors: ['BAD_REQUEST'] }),
      );
    }
  });
});
