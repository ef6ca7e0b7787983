import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { DEFAULT_LIMITS } from '../../src/config';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestDatabase;
const servers: TestServer[] = [];
const serve = async (options: Parameters<typeof startTestServer>[1] = {}) => {
  const server = await startTestServer(t.services, options);
  servers.push(server);
  return server;
};

beforeAll(async () => {
  t = await createTestDatabase({ limits: { maxBatchSize: 3 } });
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
  await t.services.ingestion.reportUsage(SYSTEM, [
    { project: 'p', meter: 'cpu.hours', start: new Date('2026-01-01T00:00:00Z'), volume: 1 },
  ]);
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await t?.drop();
});

describe('limits, each with a clear error', () => {
  test('query depth', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, maxDepth: 4 } });
    const deep = await api.gql('{ components { meters { component { meters { component { name } } } } } }');
    expect(deep.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/depth limit of 4/i),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect((await api.gql('{ components { meters { name } } }')).errors).toBeUndefined();
  });

  test('aliases', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, maxAliases: 3 } });
    const many = await api.gql(`{ ${Array.from({ length: 5 }, (_, i) => `a${i}: meters { name }`).join(' ')} }`);
    expect(many.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/aliases limit of 3/i),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  test('cost', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, maxCost: 50 } });
    const costly = await api.gql(
      '{ usageEvents(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { edges { node { id volume meter { name unit component { name } } } } } }',
    );
    expect(costly.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/cost limit of 50/i),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  test("a syntax error and a document of too many tokens are the client's fault: 400 GRAPHQL_PARSE_FAILED", async () => {
    const api = await serve();
    const post = (query: string) =>
      fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const broken = await post('{ meters { name ');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
      message: expect.stringMatching(/^Syntax Error/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    const long = await post(`{ meters { ${'name '.repeat(1000)}} }`);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
      message: expect.stringMatching(/Document contains more th[ae][nt] 1000 tokens/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    const fine = await post(`{ meters { ${'name '.repeat(300)}} }`);
    expect(await fine.json()).toMatchObject({ data: { meters: [{ name: 'cpu.hours' }] } });
  });

  test('page size', async () => {
    const small = await createTestDatabase({ limits: { maxPageSize: 10 } });
    try {
      const api = await startTestServer(small.services);
      servers.push(api);
      const response = await api.gql('{ users(first: 11) { edges { cursor } } }');
      expect(response.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ path: ['first'], message: 'must be between 1 and 10' }],
      });
    } finally {
      await small.drop();
    }
  });

  test('reports per batch', async () => {
    const api = await serve();
    const report = { project: 'p', meter: 'cpu.hours', start: '2026-01-02T00:00:00Z', volume: 1 };
    const response = await api.gql('mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created } }', {
      r: [report, report, report, report],
    });
    expect(response.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: ['reports'], message: 'at most 3 reports per batch, got 4' }],
    });
  });

  test('request body size', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, maxBodyBytes: 2048 } });
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ meters { name } } # ${'x'.repeat(4096)}` }),
    });
    expect(response.status).toBe(413);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is larger than 2048 bytes', extensions: { code: 'PAYLOAD_TOO_LARGE', requestId } }],
    });
  });

  test('a compressed body: gzip, deflate and br are read, and the limit holds for what they inflate to', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, maxBodyBytes: 2048 } });
    const send = (encoding: string, body: Buffer, type = 'application/json') =>
      fetch(api.url, { method: 'POST', headers: { 'content-type': type, 'content-encoding': encoding }, body });
    const query = Buffer.from(JSON.stringify({ query: '{ meters { name } }' }));
    for (const [encoding, compress] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      const response = await send(encoding, compress(query));
      expect([encoding, response.status, await response.json()]).toEqual([encoding, 200, { data: { meters: [{ name: 'cpu.hours' }] } }]);
    }
    // 4 KiB of spaces inflated from a few dozen bytes: refused as if sent as they are.
    const bomb = gzipSync(Buffer.from(`{"query":"{ meters { name } }"${' '.repeat(4096)}}`));
    expect(bomb.length).toBeLessThan(2048);
    const inflated = await send('gzip', bomb);
    expect([inflated.status, ((await inflated.json()) as any).errors[0].extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    const unknown = await send('zstd', query);
    expect([unknown.status, await unknown.json()]).toEqual([
      415,
      {
        errors: [
          {
            message: 'Content-Encoding zstd is not supported (gzip, deflate, br or identity)',
            extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', requestId: unknown.headers.get('x-request-id') },
          },
        ],
      },
    ]);
    // A name that is a member of every JavaScript object is no encoding either.
    for (const name of ['constructor', '__proto__', 'toString']) {
      const member = await send(name, query);
      expect([name, member.status]).toEqual([name, 415]);
    }
    const corrupt = await send('gzip', Buffer.from('not gzip at all'));
    expect([corrupt.status, ((await corrupt.json()) as any).errors[0]]).toEqual([
      400,
      { message: 'The request body could not be read as gzip', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } },
    ]);
    const latin1 = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: query });
    expect([latin1.status, ((await latin1.json()) as any).errors[0].message]).toEqual([415, 'The request body must be UTF-8, not latin1']);
    // A JSON body that is not an object or a list is not a request; an empty one is Apollo's to explain.
    const scalar = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"{ meters { name } }"' });
    expect([scalar.status, ((await scalar.json()) as any).errors[0].extensions.code]).toEqual([400, 'BAD_REQUEST']);
    const empty = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' });
    expect([empty.status, ((await empty.json()) as any).errors[0].extensions]).toEqual([
      400,
      { code: 'BAD_REQUEST', requestId: empty.headers.get('x-request-id') },
    ]);
  });

  test('statement timeout', async () => {
    const slow = await createTestDatabase({ limits: { statementTimeoutMs: 20 } });
    try {
      // Defined outside the pool, whose statements may take 20 ms at most.
      const admin = new Client({ connectionString: slow.url });
      await admin.connect();
      await admin.query(`INSERT INTO components (name) VALUES ('c');
        INSERT INTO meters (name, component_id, unit, type) SELECT 'm', id, 'h', 'DELTA' FROM components;
        INSERT INTO projects (name) VALUES ('p'); INSERT INTO sources (name) VALUES ('s');
        INSERT INTO usage_events (meter_id, project_id, source_id, start_time, volume, content_hash)
          SELECT m.id, p.id, s.id, '2026-01-05T00:00:00Z', 1, 'x' FROM meters m, projects p, sources s`);
      await admin.end();
      const api = await startTestServer(slow.services);
      servers.push(api);
      // 86,400 minute periods: computing their boundaries alone takes far longer than 20 ms.
      const response = await api.gql(
        '{ usageStatistics(input: { meters: ["m"], from: "2026-01-01T00:00:00Z", to: "2026-03-02T00:00:00Z", period: { unit: MINUTE } }) { rows { sum } } }',
      );
      expect(response.errors?.[0].extensions).toEqual({ code: 'TIMEOUT', requestId: expect.any(String) });
      expect(response.errors?.[0].message).toMatch(/statement timeout/);
    } finally {
      await slow.drop();
    }
  });

  test('request deadline', async () => {
    const api = await serve({ limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1 } });
    const reports = Array.from({ length: 3 }, (_, i) => ({
      project: 'p',
      meter: 'cpu.hours',
      start: new Date(Date.UTC(2026, 2, 1, i)).toISOString(),
      volume: 1,
    }));
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created } }',
        variables: { r: reports },
      }),
    });
    expect(response.status).toBe(503);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request was not answered within 1 ms', extensions: { code: 'TIMEOUT', requestId } }],
    });
  });

  test('introspection and the landing page can be turned off', async () => {
    const api = await serve({ introspection: false, landingPage: false });
    const response = await api.gql('{ __schema { types { name } } }');
    expect(response.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0].message).toMatch(/introspection/i);
    // Field suggestions would reveal the schema too.
    const typo = await api.gql('{ meterz { name } }');
    expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
    const page = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html/i);

    const open = await serve({ introspection: true, landingPage: true });
    expect((await open.gql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect(await (await fetch(open.url, { headers: { accept: 'text/html' } })).text()).toMatch(/<html/i);
  });

  test('an unexpected error shows no SQL or internals, and its request id is logged', async () => {
    const api = await serve();
    await t.sql('ALTER TABLE usage_metrics RENAME TO usage_metrics_moved');
    try {
      const response = await api.gql(
        '{ usageStatistics(input: { metrics: ["m"], from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { rows { sum } } }',
      );
      const [error] = response.errors!;
      expect(error.message).toBe('Internal server error');
      expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(JSON.stringify(response)).not.toMatch(/usage_metrics|relation|SELECT|at .*\.ts/);
      expect(api.logs()).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'unexpected error',
          requestId: error.extensions!.requestId,
          err: expect.objectContaining({ message: expect.stringContaining('usage_metrics') }),
        }),
      );
    } finally {
      await t.sql('ALTER TABLE usage_metrics_moved RENAME TO usage_metrics');
    }
  });
});
