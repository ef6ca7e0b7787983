import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import http from 'node:http';
import { createSchema } from '../../src/schema';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// A schema-driven fuzzer: every root field of the schema, asked with arguments built from their
// input types out of careless and hostile values. No answer may be an internal error, a 5xx, or a
// message that shows SQL or a stack; and what the mutations store must never break a later query.
// Each run sends 2,000 requests from a fixed seed; a longer hunt sets both, e.g.
//   MQL_FUZZ_REQUESTS=100000 MQL_FUZZ_SEED=7 npx jest test/integration/fuzz
// and a failure is replayed with the seed and count it names.
const REQUESTS = Number(process.env.MQL_FUZZ_REQUESTS ?? 2000);
const SEED = Number(process.env.MQL_FUZZ_SEED ?? 20261201);

let t: TestDatabase;
let api: TestServer;
let roots: { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[];

beforeAll(async () => {
  t = await createTestDatabase();
  // Only errors are logged: the unexpected ones are what this test looks for, and access lines cost time.
  api = await startTestServer(t.services, { logLevel: 'error' });
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'storage.gib_hours', type: 'GAUGE' }]);
  const at = (iso: string) => new Date(iso);
  await t.services.ingestion.reportUsage(SYSTEM, [
    {
      project: 'p1',
      user: 'ann',
      meter: 'cpu.hours',
      resource: 'vm-1',
      start: at('2026-05-01T10:00:00Z'),
      end: at('2026-05-02T10:00:00Z'),
      volume: 24,
    },
    { project: 'p2', meter: 'storage.gib_hours', start: at('2026-05-03T00:00:00Z'), volume: 5 },
  ]);
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-1',
    validFrom: at('2026-05-01T00:00:00Z'),
    metadata: { flavor: 'small' },
  });
  const schema = await createSchema();
  roots = [
    ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ operation: 'query' as const, field })),
    ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ operation: 'mutation' as const, field })),
  ];
});
afterAll(async () => {
  agent.destroy();
  await api?.close();
  await t?.drop();
});

/** One POST over a kept-alive connection (node's fetch costs several times as much CPU a request). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A seeded generator, so that a failure is the same on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  return { next, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

function nested(depth: number): unknown {
  let value: unknown = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
/** JSON nested 5,000 deep: written into the body as text, since JSON.stringify itself would overflow the stack. */
const DEEP = '<deep json>';
const DEEP_TEXT = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

const HOSTILE_STRINGS = ['', '   ', 'x'.repeat(300), 'nul\u0000byte', "'; DROP TABLE usage_events; --", '%_\\', '𝔲𝔫𝔦𝔠𝔬𝔡𝔢', 'a"b', '\n'];
const ALL: Record<string, readonly unknown[]> = {
  name: ['p1', 'p2', 'p3', 'ann', 'vm-1', 'vm-2', 'cpu.hours', 'storage.gib_hours', 'compute', 'EUR', 'flavor', 'default'],
  meter: ['cpu.hours', 'storage.gib_hours', 'ghost.meter'],
  project: ['p1', 'p2', 'p3'],
  zone: [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'US/Pacific-New',
    'Mars/Olympus',
    'utc',
    'Etc/GMT+14',
    'UTC+3',
    '',
  ],
  date: [
    '2026-05-01T00:00:00Z',
    '2026-05-02T00:00:00Z',
    '2026-05-01T10:30:00+02:00',
    '2026-06-01T00:00:00Z',
    '2026-03-29T01:00:00Z',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59-12:00',
    '10000-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-05-01T00:00:00',
    'now',
    1234567890,
  ],
  float: [0, 1, 2.5, 24, 1e15, 1e15 + 2, 1e16, 1.7e308, -1.7e308, -1, -0, 5e-324, 2 ** 53, 'NaN', 'Infinity', '12'],
  int: [0, 1, 2, 10, 100, 1000, 1001, -1, 2 ** 31 - 1, 2 ** 31, 1e9],
  decimal: ['0', '0.00013', '12.5', '-1', '1' + '0'.repeat(29), '9'.repeat(30) + '.' + '9'.repeat(20), '1e5', 'abc', 42, 1.5e300],
  id: ['1', '2', '0', '-1', '99999999999999999999', 'abc', '', '1.5'],
  json: [
    {},
    { flavor: 'small' },
    { flavor: 'large', size: 8 },
    { a: { b: [1, 2, { c: null }] } },
    nested(40),
    DEEP,
    { 'k\u0000': 1 },
    { k: 'v\u0000' },
    { n: 1.7e308 },
    [1, 2],
    'text',
  ],
  cursor: ['WyIyMDI2LTA1LTAxVDEwOjAwOjAwLjAwMFoiLCIxIl0', 'WyJwMSJd', 'WzEsMl0', 'not-a-cursor', '', 'W10'],
};

/** The valid values of each pool, extremes included: a careful request is built of these only, so that it is stored and read back. */
const VALID: Record<string, readonly unknown[]> = {
  ...ALL,
  meter: ['cpu.hours', 'storage.gib_hours'],
  zone: ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Etc/GMT+14'],
  date: [
    '2026-05-01T00:00:00Z',
    '2026-05-02T00:00:00Z',
    '2026-05-01T10:30:00+02:00',
    '2026-06-01T00:00:00Z',
    '2026-03-29T01:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
  ],
  float: [0, 1, 2.5, 24, 1e15, 5e-324, 1000],
  int: [1, 2, 10, 100, 1000],
  decimal: ['0', '0.00013', '12.5', '1' + '0'.repeat(29), '9'.repeat(30) + '.' + '9'.repeat(20)],
  id: ['1', '2', '3'],
  json: [{}, { flavor: 'small' }, { flavor: 'large', size: 8 }, { a: { b: [1, 2, { c: null }] } }, nested(30), { n: 1.7e308 }],
  cursor: [undefined],
};

/** The pool a field's name suggests, so that most values are meaningful and reach the database. */
function poolFor(name: string, typeName: string, careful: boolean): readonly unknown[] {
  const POOLS = careful ? VALID : ALL;
  if (typeName === 'DateTime') return POOLS.date;
  if (typeName === 'Decimal') return POOLS.decimal;
  if (typeName === 'JSONObject') return POOLS.json;
  if (typeName === 'ID') return POOLS.id;
  if (typeName === 'Int') return POOLS.int;
  if (typeName === 'Float') return POOLS.float;
  if (/^meters?$/.test(name)) return POOLS.meter;
  if (/^projects?$/.test(name)) return POOLS.project;
  if (name === 'timeZone') return POOLS.zone;
  if (name === 'after') return POOLS.cursor;
  return POOLS.name;
}

function valueOf(type: GraphQLInputType, name: string, r: Random, careful: boolean, depth = 0): unknown {
  if (!isNonNullType(type) && r.chance(0.35)) return r.chance(0.5) ? undefined : null;
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) {
    // Now and then one value more than a filter list may hold; lists of objects stay short.
    const length = !careful && isLeafType(getNamedType(inner.ofType)) && r.chance(0.05) ? 1001 : Math.floor(r.next() * 4);
    return Array.from({ length }, () => valueOf(inner.ofType, name.replace(/s$/, ''), r, careful, depth + 1));
  }
  if (isInputObjectType(inner)) {
    if (depth > 4) return {};
    return Object.fromEntries(
      Object.values(inner.getFields())
        .map((f) => [f.name, valueOf(f.type, f.name, r, careful, depth + 1)])
        .filter(([, v]) => v !== undefined),
    );
  }
  if (isEnumType(inner)) return !careful && r.chance(0.05) ? 'NOT_A_VALUE' : r.pick(inner.getValues()).value;
  if (!careful && r.chance(0.08)) return r.pick(HOSTILE_STRINGS);
  return r.pick(poolFor(name, inner.name, careful));
}

/** Every leaf field an answer of this type has, and the fields of its objects, a few levels down. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) || depth > 2) return '{ __typename }';
  const fields = Object.values((named as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const parts = fields.map((f) =>
    isLeafType(getNamedType(f.type)) ? f.name : depth < 2 ? `${f.name} ${selection(f.type, depth + 1)}` : '',
  );
  return `{ __typename ${parts.filter(Boolean).join(' ')} }`;
}

const SQL_OR_STACK =
  /\b(SELECT|INSERT|UPDATE|DELETE|WHERE)\b|syntax error|relation "|column "|\bat .+\(.*:\d+:\d+\)|\.ts:\d+|node_modules|pg_|sqlstate/i;

test(
  `${REQUESTS.toLocaleString('en-US')} generated requests over every root field (seed ${SEED}): never an internal error, a 5xx, SQL or a stack`,
  async () => {
    const r = random(SEED);
    const selections = new Map(roots.map(({ field }) => [field.name, selection(field.type)]));
    const failures: string[] = [];
    const codes = new Map<string, number>();
    let answered = 0;
    let withData = 0;
    const send = async () => {
      const { operation, field } = r.pick(roots);
      // Half the requests are careful (valid values, extremes included), so that they are stored
      // and read back; the others are careless or hostile.
      const careful = r.chance(0.5);
      const variables: Record<string, unknown> = {};
      for (const arg of field.args) {
        const value = valueOf(arg.type, arg.name, r, careful);
        if (value !== undefined) variables[arg.name] = value;
      }
      const params = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const query = `${operation} Fuzz${params ? `(${params})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selections.get(field.name)} }`;
      const response = await post(api.url, JSON.stringify({ query, variables }).replaceAll(JSON.stringify(DEEP), DEEP_TEXT));
      const { text } = response;
      answered++;
      let body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
      try {
        body = JSON.parse(text);
      } catch {
        failures.push(`${response.status} not JSON for ${field.name}: ${text.slice(0, 200)}`);
        return;
      }
      if (Object.values(body.data ?? {}).some((value) => value !== null)) withData++;
      for (const error of body.errors ?? []) {
        const code = error.extensions?.code ?? 'NONE';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code === 'INTERNAL_SERVER_ERROR' || code === 'NONE' || SQL_OR_STACK.test(error.message)) {
          failures.push(
            `${response.status} ${code} for ${field.name} ${JSON.stringify(variables).slice(0, 300)}: ${error.message.slice(0, 300)}`,
          );
        }
      }
      if (response.status >= 500)
        failures.push(`HTTP ${response.status} for ${field.name} ${JSON.stringify(variables).slice(0, 300)}: ${text.slice(0, 300)}`);
    };
    // Eight requests in flight at a time: enough to overlap writes and reads, bounded in time.
    for (let sent = 0; sent < REQUESTS; sent += 8) await Promise.all(Array.from({ length: Math.min(8, REQUESTS - sent) }, send));

    expect(answered).toBe(REQUESTS);
    // What the server logged of each unexpected error says what to mend.
    const logged = api
      .logs()
      .filter((l) => l.msg === 'unexpected error')
      .map((l) => String(l.err?.message).slice(0, 300));
    expect({ failures: [...new Set(failures)].slice(0, 20), logged: [...new Set(logged)].slice(0, 20) }).toEqual({
      failures: [],
      logged: [],
    });
    // The fuzzer reached past input checking: some answers are data, and some are refusals.
    expect(codes.get('BAD_USER_INPUT') ?? 0).toBeGreaterThan(REQUESTS / 10);
    expect(withData).toBeGreaterThan(REQUESTS / 10);
    // ... and some reports were stored (beyond the two of beforeAll) and read by the queries after them.
    const [{ events }] = await t.sql('SELECT count(*)::int AS events FROM usage_events');
    expect(events).toBeGreaterThan(2);
  },
  Math.max(120_000, REQUESTS * 20),
);
