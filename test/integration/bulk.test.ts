import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/config';
import { closeTestApi, openTestApi, type TestApi } from '../helpers/setup';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, startTestServer } from '../helpers/server';

// POST /api/v1/reports: a bulk upload is one batch of reportUsage, in NDJSON.

let env: TestApi;
const keys: Record<string, string> = {};
const LIMITS = { ...DEFAULT_LIMITS, maxBulkReports: 50 };

beforeAll(async () => {
  env = await openTestApi({ anonymousAdmin: false, server: { limits: LIMITS } });
  await defineMeters(env.t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }]);
  keys.admin = (await env.t.services.auth.createKey({ role: 'admin', projects: [] })).token;
  keys.reporterA = (await env.t.services.auth.createKey({ role: 'reporter', projects: ['a'] })).token;
  keys.readerA = (await env.t.services.auth.createKey({ role: 'reader', projects: ['a'] })).token;
});
afterAll(() => closeTestApi(env));

interface Upload {
  status: number;
  body: any;
  headers: Headers;
}

async function upload(body: string | Buffer, key: string | null = keys.admin, headers: Record<string, string> = {}): Promise<Upload> {
  const response = await fetch(`${env.api.origin}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body,
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const ndjson = (reports: unknown[]) => reports.map((r) => JSON.stringify(r)).join('\n') + '\n';
const count = async (project: string) =>
  (await env.t.sql('SELECT count(*)::int AS n FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = $1', [project]))[0]
    .n;
const REPORT = 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged superseded } }';

const job = (i: number, extra: Record<string, unknown> = {}) => ({
  project: 'a',
  user: 'ann',
  meter: 'cpu.hours',
  source: 'slurm',
  resource: `node-${i % 3}`,
  start: `2026-10-0${1 + (i % 5)}T0${i % 10}:00:00+02:00`,
  end: `2026-10-0${1 + (i % 5)}T0${i % 10}:30:00+02:00`,
  volume: i + 0.5,
  partition: i % 2 ? 'gpu' : null,
  additionalMetrics: [{ metric: 'energy_kwh', volume: i / 10 }],
  additionalResources: i % 4 === 0 ? [{ meter: 'gpu.hours', volume: 1 }] : undefined,
  additionalData: { jobId: String(i), tags: ['x', { deep: i }] },
  ...extra,
});

test('an upload stores what the same reports sent to reportUsage store: resent either way, they are unchanged', async () => {
  const reports = Array.from({ length: 20 }, (_, i) => job(i));
  const first = await upload(ndjson(reports));
  expect(first).toMatchObject({ status: 200, body: { created: 20, updated: 0, unchanged: 0, superseded: 0 } });
  expect(first.headers.get('x-request-id')).toMatch(/\S/);
  // 20 records and 5 additional resources.
  expect(await count('a')).toBe(25);
  const viaGraphql = await env.api.gql(REPORT, { r: reports }, { authorization: `Bearer ${keys.admin}` });
  expect(dataOf(viaGraphql).reportUsage).toEqual({ created: 0, updated: 0, unchanged: 20, superseded: 0 });
  expect((await upload(ndjson(reports))).body).toEqual({ created: 0, updated: 0, unchanged: 20, superseded: 0 });

  // Changed in one field, a report overwrites its match; its key sends it to the same row.
  const changed = [job(3, { volume: 99 }), job(4, { additionalData: { jobId: '4', tags: [] } })];
  expect((await upload(ndjson(changed))).body).toEqual({ created: 0, updated: 2, unchanged: 0, superseded: 0 });
  const [row] = await env.t.sql(
    `SELECT e.volume, e.additional_data FROM usage_events e JOIN resources r ON r.id = e.resource_id
     WHERE r.external_id = 'node-1' AND e.start_time = '2026-10-05T04:00:00+02:00' AND e.parent_id IS NULL`,
  );
  expect(row).toEqual({ volume: 4.5, additional_data: { jobId: '4', tags: [] } });
  expect(await count('a')).toBe(25);
});

test('within an upload the last report with a key wins, as within a batch', async () => {
  const body = ndjson([job(30, { project: 'b', resource: 'b-1' }), job(30, { project: 'b', resource: 'b-1', volume: 7 })]);
  expect((await upload(body)).body).toEqual({ created: 1, updated: 0, unchanged: 0, superseded: 1 });
  expect((await env.t.sql("SELECT volume FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = 'b'"))[0]).toEqual({
    volume: 7,
  });
});

test('CRLF line ends, a last line without one, and a gzip body', async () => {
  const lines = [job(40, { project: 'c', resource: 'c-1' }), job(41, { project: 'c', resource: 'c-1' })].map((r) => JSON.stringify(r));
  expect((await upload(lines.join('\r\n'))).body).toEqual({ created: 2, updated: 0, unchanged: 0, superseded: 0 });
  const gzipped = await upload(gzipSync(Buffer.from(`${lines.join('\n')}\n`)), keys.admin, { 'content-encoding': 'gzip' });
  expect(gzipped.body).toEqual({ created: 0, updated: 0, unchanged: 2, superseded: 0 });
});

describe('a bad upload writes nothing and lists every problem with its path', () => {
  test('lines that are not reports: every one, by its place among the reports (blank lines skipped)', async () => {
    const before = await count('a');
    const body = [
      JSON.stringify(job(50)),
      '{"project": "a", "meter": ',
      '',
      JSON.stringify({ ...job(51), projct: 'a' }),
      JSON.stringify({ ...job(52), start: '0000-06-01T00:00:00Z', volume: '1' }),
      // JSON's 1e309 is Infinity; a NUL in a name and in additionalData; nesting past the limit.
      '{"project":"a","meter":"cpu.hours","start":"2026-10-01T00:00:00Z","volume":1e309,"user":"x\\u0000y"}',
      JSON.stringify({ ...job(53), additionalData: { ['k\0']: 1 } }),
      '[1, 2]',
    ].join('\n');
    const { status, body: answer } = await upload(body);
    expect(status).toBe(400);
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: expect.any(String) });
    expect(answer.errors[0].extensions.problems.map((p: { path: unknown[] }) => p.path)).toEqual([
      ['reports', 1],
      ['reports', 2, 'projct'],
      ['reports', 3, 'start'],
      ['reports', 3, 'volume'],
      ['reports', 4, 'user'],
      ['reports', 5, 'additionalData'],
      ['reports', 6],
    ]);
    expect(answer.errors[0].extensions.problems[0].message).toMatch(/^is not valid JSON/);
    expect(answer.errors[0].message).toMatch(/^Invalid input \(7 problems\): reports\[1\]: is not valid JSON/);
    expect(await count('a')).toBe(before);
  });

  test("reports that break a rule: the same rules, paths and words as reportUsage's", async () => {
    const before = await count('a');
    const reports = [
      job(60),
      { ...job(61), meter: 'tpu.hours', end: '2026-09-01T00:00:00Z' },
      { ...job(62), volume: 1e16, contingentFactor: -1 },
    ];
    const viaBulk = await upload(ndjson(reports));
    const viaGraphql = await env.api.gql(REPORT, { r: reports }, { authorization: `Bearer ${keys.admin}` });
    expect(viaBulk.status).toBe(400);
    expect(viaBulk.body.errors[0].extensions.problems).toEqual(viaGraphql.errors![0].extensions!.problems);
    expect(viaBulk.body.errors[0].extensions.problems.map((p: { path: unknown[] }) => p.path)).toEqual([
      ['reports', 1, 'meter'],
      ['reports', 1, 'end'],
      ['reports', 2, 'volume'],
      ['reports', 2, 'contingentFactor'],
    ]);
    expect(await count('a')).toBe(before);
  });

  test("another project's resource refuses the whole upload", async () => {
    const before = await count('d');
    const body = ndjson([job(70, { project: 'd', resource: 'd-1' }), job(71, { project: 'd', resource: 'node-1' })]);
    const { status, body: answer } = await upload(body);
    expect(status).toBe(400);
    expect(answer.errors[0].extensions.problems).toEqual([
      { path: ['reports', 1, 'resource'], message: 'resource "node-1" belongs to another project' },
    ]);
    expect(await count('d')).toBe(before);
    expect(await env.t.sql("SELECT 1 FROM resources WHERE external_id = 'd-1'")).toEqual([]);
  });

  test('more reports than MQL_MAX_BULK_REPORTS, and an empty upload', async () => {
    const many = await upload(ndjson(Array.from({ length: 51 }, (_, i) => job(i))));
    expect(many.status).toBe(400);
    expect(many.body.errors[0].extensions.problems).toEqual([{ path: ['reports'], message: 'at most 50 reports per request, got 51' }]);
    const none = await upload('\n  \n');
    expect(none.status).toBe(400);
    expect(none.body.errors[0].extensions.problems[0].path).toEqual(['reports']);
  });
});

describe('the keys and roles of reportUsage', () => {
  test('no key is 401, a reader is 403, a reporter may report only for its projects', async () => {
    const body = ndjson([job(80)]);
    expect(await upload(body, null)).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await upload(body, 'mql_nokey_nosecret')).toMatchObject({ status: 401 });
    expect(await upload(body, keys.readerA)).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
    expect(await upload(body, keys.reporterA)).toMatchObject({ status: 200, body: { created: 1 } });
    const before = await count('a');
    const mixed = await upload(ndjson([job(81), job(82, { project: 'other', resource: 'o-1' })]), keys.reporterA);
    expect(mixed).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
    expect(mixed.body.errors[0].message).toMatch(/reports\[1\]/);
    expect(await count('a')).toBe(before);
  });
});

describe('what the HTTP layer refuses', () => {
  test('another content type is 415; a body over the limit is 413', async () => {
    const json = await upload(JSON.stringify(job(90)), keys.admin, { 'content-type': 'application/json' });
    expect(json).toMatchObject({ status: 415, body: { errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] } });
    const latin1 = await upload(JSON.stringify(job(90)), keys.admin, { 'content-type': 'application/x-ndjson; charset=latin1' });
    expect(latin1).toMatchObject({ status: 415, body: { errors: [{ message: 'The request body must be UTF-8, not latin1' }] } });
    const encoded = await upload(JSON.stringify(job(90)), keys.admin, { 'content-encoding': 'constructor' });
    expect(encoded).toMatchObject({ status: 415, body: { errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] } });
    const small = await startTestServer(env.t.services, { limits: { ...LIMITS, maxBodyBytes: 1024 } });
    try {
      const response = await fetch(`${small.origin}/api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${keys.admin}` },
        body: ndjson(Array.from({ length: 10 }, (_, i) => job(i))),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  test('each upload has its access-log line and its metrics', async () => {
    await upload(ndjson([job(95, { project: 'e', resource: 'e-1' })]));
    await upload('not json');
    const lines = env.api.logs().filter((l) => l.msg === 'bulk request');
    expect(lines.slice(-2).map((l) => [l.status, l.operation, l.errors])).toEqual([
      [200, '/api/v1/reports', []],
      [400, '/api/v1/reports', ['BAD_USER_INPUT']],
    ]);
    const metrics = await env.api.metrics.text();
    expect(metrics).toMatch(/meterql_graphql_requests_total\{operation="\/api\/v1\/reports",type="mutation",status="200"\} \d+/);
    expect(metrics).toMatch(/meterql_reports_ingested_total\{outcome="created"\} [1-9]/);
  });
});

describe('generated uploads, hostile ones included', () => {
  // Whatever an upload holds, it is answered 200 or 400, never 5xx; a refused one writes nothing;
  // and reportUsage, sent the same reports, takes or refuses them alike, and finds an accepted
  // upload already stored (each report unchanged, but those a later one superseded).
  const value = fc.oneof(
    fc.constantFrom(null, '', 'a\u0000b', 1e308, -1, 0, 2 ** 31, 1.5, 'Infinity', [], {}, '2026-10-01T00:00:00', '0000-01-01T00:00:00Z'),
    fc.string({ maxLength: 4 }),
  );
  const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: value });
  const report = (project: string) =>
    fc.record(
      {
        project: field(fc.constant(project)),
        meter: field(fc.constantFrom('cpu.hours', 'gpu.hours')),
        resource: field(fc.constantFrom(`${project}-vm-1`, `${project}-vm-2`, 'node-1')),
        user: field(fc.constantFrom('ann', 'bob')),
        start: field(fc.constantFrom('2026-11-01T00:00:00Z', '2026-11-01T01:00:00+01:00', '2026-11-02T00:00:00Z')),
        end: field(fc.constantFrom('2026-11-01T02:00:00Z', '2026-11-03T00:00:00Z')),
        volume: field(fc.double({ min: 0, max: 1e15, noNaN: true })),
        additionalMetrics: field(fc.constant([{ metric: 'energy', volume: 1 }])),
        additionalData: field(fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })),
      },
      { requiredKeys: ['project', 'meter', 'start', 'volume'] },
    );
  let run = 0;

  test('are answered 200 or 400, atomically, as reportUsage answers them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 0, max: 1e9 })
          .chain((n) =>
            fc.array(
              fc.oneof(
                { weight: 20, arbitrary: report(`fz${n}`).map((r) => JSON.stringify(r)) },
                { weight: 1, arbitrary: fc.constantFrom('{"project":', 'null', '[]', '"x"', '{"project":"a","project":"b"}') },
              ),
              { minLength: 1, maxLength: 6 },
            ),
          ),
        async (lines) => {
          run++;
          const total = async () => (await env.t.sql('SELECT count(*)::int AS n FROM usage_events'))[0].n;
          const before = await total();
          const { status, body } = await upload(lines.join('\n'));
          expect([200, 400]).toContain(status);
          const after = await total();
          const values = lines.map((line) => {
            try {
              return JSON.parse(line) as unknown;
            } catch {
              return undefined;
            }
          });
          if (status === 400) {
            expect(after).toBe(before);
            expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
            for (const p of body.errors[0].extensions.problems) expect(p.path[0]).toBe('reports');
          } else {
            expect(body.created + body.updated + body.unchanged + body.superseded).toBe(lines.length);
            expect(after).toBeGreaterThanOrEqual(before + body.created);
          }
          if (values.some((v) => v === undefined)) return;
          const viaGraphql = await env.api.gql(REPORT, { r: values }, { authorization: `Bearer ${keys.admin}` });
          if (status === 400) expect(viaGraphql.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
          else
            expect(dataOf(viaGraphql).reportUsage).toEqual({
              created: 0,
              updated: 0,
              unchanged: lines.length - body.superseded,
              superseded: body.superseded,
            });
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
    expect(run).toBe(60);
  });
});
