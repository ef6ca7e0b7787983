import { Client } from 'pg';
import { DEFAULT_LIMITS } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { infrastructureError } from '../../src/errors/errors';
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
const send = (b: number) =>
  api.gql('mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged } }', { r: batch(b) });

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
    expect(answers.get(b)!.errors!.map((e) => e.extensions)).toEqual([
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true }),
    ]);
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
    const { rows } = await check.query(
      'SELECT count(*)::int AS n, sum(volume)::numeric AS total, (SELECT count(*)::int FROM usage_metrics) AS metrics FROM usage_events',
    );
    const n = BATCHES * SIZE;
    expect(rows[0]).toEqual({ n, total: String((n * (n - 1)) / 2), metrics: n });
  } finally {
    await check.end();
  }
}, 120_000);

describe('a connection lost in a transaction', () => {
  const NOTHING_WRITTEN = 'The database is unavailable; nothing was written. Retry the request.';
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let admin: Client;
  const connectAdmin = async () => {
    admin = new Client({ connectionString: cluster.url('meterql') });
    admin.on('error', () => undefined);
    await admin.connect();
  };
  /** The backend of meterql's that waits as described, once it does. */
  const backendWaiting = async (condition: string): Promise<number> => {
    for (let i = 0; i < 500; i++) {
      const { rows } = await admin.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = 'meterql' AND pid <> pg_backend_pid() AND ${condition}`,
      );
      if (rows.length === 1) return rows[0].pid;
      await sleep(20);
    }
    throw new Error(`no backend waits with ${condition}`);
  };
  const stored = async (b: number) =>
    (
      await admin.query('SELECT count(*)::int AS n FROM usage_events WHERE start_time BETWEEN $1 AND $2', [
        batch(b)[0].start,
        batch(b)[SIZE - 1].start,
      ])
    ).rows[0].n;

  beforeEach(connectAdmin);
  afterEach(() => admin.end().catch(() => undefined));

  test('before COMMIT was sent, the answer says nothing was written, and nothing was', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE usage_events IN ACCESS EXCLUSIVE MODE');
    const answer = send(100);
    await admin.query('SELECT pg_terminate_backend($1)', [await backendWaiting("wait_event_type = 'Lock'")]);
    await admin.query('ROLLBACK');
    expect((await answer).errors).toEqual([
      expect.objectContaining({
        message: NOTHING_WRITTEN,
        path: ['reportUsage'],
        extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true }),
      }),
    ]);
    expect(await stored(100)).toBe(0);
  });

  test('a COMMIT pg never sent, its connection already lost, wrote nothing', async () => {
    await admin.query('CREATE TABLE IF NOT EXISTS commit_probe (x int)');
    const error = await db
      .transaction(async (client) => {
        const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
        await client.query('INSERT INTO commit_probe VALUES (1)');
        const ended = new Promise((resolve) => client.once('end', resolve));
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await ended;
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not queryable/);
    expect(infrastructureError(error)?.message).toBe(NOTHING_WRITTEN);
    expect((await admin.query('SELECT count(*)::int AS n FROM commit_probe')).rows[0].n).toBe(0);
  });

  test('with COMMIT in flight, the batch may have been written: the answer says so, and resending it is safe', async () => {
    // A synchronous standby that never comes: COMMIT writes the commit record, then waits for it,
    // so the connection is lost after the server committed, as when it fails at that moment.
    await admin.query("ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
    await admin.end();
    // A restart puts the setting in force for every backend at once; a reload would reach them in turn.
    cluster.stop();
    cluster.start();
    await connectAdmin();
    try {
      const answer = send(101);
      await admin.query('SELECT pg_terminate_backend($1)', [await backendWaiting("wait_event = 'SyncRep'")]);
      expect((await answer).errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(
            /while the changes were being committed: they may or may not have been written\. Resending a usage report is safe \(reports are idempotent\)/,
          ),
          path: ['reportUsage'],
          extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', retryable: true }),
        }),
      ]);
    } finally {
      await admin.query('ALTER SYSTEM RESET synchronous_standby_names');
      await admin.query('SELECT pg_reload_conf()');
    }
    expect(await stored(101)).toBe(SIZE);
    expect(await send(101)).toEqual({ data: { reportUsage: { created: 0, updated: 0, unchanged: SIZE } } });
  });
});

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
      errors: [
        {
          message: 'The database is unavailable; nothing was written. Retry the request.',
          extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, requestId },
        },
      ],
    });
    expect(server.logs()).toContainEqual(
      expect.objectContaining({ requestId, msg: 'graphql request', status: 503, errors: ['SERVICE_UNAVAILABLE'] }),
    );
    expect(server.logs().filter((l) => l.level === 'error')).toEqual([]);
  });

  test('a field read through Prisma is SERVICE_UNAVAILABLE, retryable', async () => {
    const server = await serve(true);
    const answer = await server.gql('{ meters { name } }');
    expect(answer.errors).toEqual([
      {
        message: 'The database is unavailable; nothing was written. Retry the request.',
        path: ['meters'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, requestId: expect.any(String) },
      },
    ]);
  });
});
