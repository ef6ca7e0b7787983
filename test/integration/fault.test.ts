import { Client } from 'pg';
import { DEFAULT_LIMITS } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { generateKey } from '../../src/modules/auth/auth.keys';
import { createServices } from '../../src/services';
import { defineMeters } from '../helpers/fixtures';
import { PgCluster } from '../helpers/pg-cluster';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

let cluster: PgCluster;
let db: Database;
let api: TestServer;

beforeAll(async () => {
  cluster = await PgCluster.create();
  cluster.start();
  const admin = new Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE meterql');
  await admin.end();
  await migrate(cluster.url('meterql'));
  db = connectDatabase(cluster.url('meterql'), { max: 4 });
  const services = createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: true });
  api = await startTestServer(services);
  await defineMeters(services, [{ name: 'cpu.hours' }]);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.close();
  cluster?.destroy();
});

const BATCHES = 40;
const SIZE = 200;
const batch = (b: number) =>
  Array.from({ length: SIZE }, (_, i) => ({
    project: `p${b % 3}`,
    meter: 'cpu.hours',
    start: new Date(Date.UTC(2026, 0, 1) + (b * SIZE + i) * 60_000).toISOString(),
    volume: b * SIZE + i,
    additionalMetrics: [{ metric: 'm', volume: 1 }],
  }));
const send = (b: number) => api.gql('mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged } }', { r: batch(b) });

test('PostgreSQL stopped and started during a stream of batches: each batch is whole or retryable, and resending makes the totals exact', async () => {
  const answers = new Map<number, GraphQLResponse>();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let next = 0;
  let outage: Promise<void> | undefined;
  let restarted = false;
  const worker = async () => {
    while (next < BATCHES) {
      // The last batches are kept for after the restart.
      if (outage && !restarted && next >= BATCHES - 5) {
        await sleep(50);
        continue;
      }
      const b = next++;
      answers.set(b, await send(b));
      if (answers.size === 10 && !outage) {
        outage = (async () => {
          cluster.stop();
          await sleep(1500);
          cluster.start();
          restarted = true;
        })();
      }
      if (outage && !restarted) await sleep(50);
    }
  };
  await Promise.all([worker(), worker()]);
  await outage;

  const failed = [...answers].filter(([, a]) => a.errors).map(([b]) => b);
  expect(failed.length).toBeGreaterThan(0);
  for (const b of failed) {
    expect(answers.get(b)!.errors!.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true })]);
  }
  // meterql came back by itself: batches after the restart went through.
  expect([...answers].filter(([b, a]) => b > Math.max(...failed) && !a.errors).length).toBeGreaterThan(0);

  const check = new Client({ connectionString: cluster.url('meterql') });
  await check.connect();
  try {
    // A failed batch is wholly absent, or (its answer lost with the connection) wholly there.
    for (const b of failed) {
      const first = batch(b)[0].start;
      const last = batch(b)[SIZE - 1].start;
      const { rows } = await check.query('SELECT count(*)::int AS n FROM usage_events WHERE start_time BETWEEN $1 AND $2', [first, last]);
      expect([0, SIZE]).toContain(rows[0].n);
    }
    for (const b of failed) {
      const again = await send(b);
      expect(again.errors).toBeUndefined();
    }
    const { rows } = await check.query('SELECT count(*)::int AS n, sum(volume)::numeric AS total, (SELECT count(*)::int FROM usage_metrics) AS metrics FROM usage_events');
    const n = BATCHES * SIZE;
    expect(rows[0]).toEqual({ n, total: String((n * (n - 1)) / 2), metrics: n });
  } finally {
    await check.end();
  }
}, 120_000);

describe('PostgreSQL refusing connections (57P03, as while it starts up)', () => {
  let refusing: PgCluster;
  let refusingDb: Database;
  const servers: TestServer[] = [];
  const serve = async (anonymousAdmin: boolean) => {
    const server = await startTestServer(createServices(refusingDb, { limits: DEFAULT_LIMITS, anonymousAdmin }));
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    refusing = await PgCluster.create();
    refusing.startRefusingConnections();
    refusingDb = connectDatabase(refusing.url('postgres'), { max: 2 });
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.close();
    await refusingDb?.close();
    refusing?.destroy();
  });

  test('a request whose API key cannot be looked up is answered 503 SERVICE_UNAVAILABLE, retryable', async () => {
    const server = await serve(false);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${generateKey().token}` },
      body: JSON.stringify({ query: '{ meters { name } }' }),
    });
    const requestId = response.headers.get('x-request-id');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The database is unavailable; nothing was written. Retry the request.', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, requestId } }],
    });
    expect(server.logs()).toContainEqual(expect.objectContaining({ requestId, msg: 'graphql request', status: 503, errors: ['SERVICE_UNAVAILABLE'] }));
    expect(server.logs().filter((l) => l.level === 'error')).toEqual([]);
  });

  test('a field read through Prisma is SERVICE_UNAVAILABLE, retryable', async () => {
    const server = await serve(true);
    const answer = await server.gql('{ meters { name } }');
    expect(answer.errors).toEqual([
      { message: 'The database is unavailable; nothing was written. Retry the request.', path: ['meters'], locations: [{ line: 1, column: 3 }], extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, requestId: expect.any(String) } },
    ]);
  });
});
