import fc from 'fast-check';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { type TestServer, type GraphQLResponse } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }]);
});
afterAll(() => closeTestApi({ t, api }));

const INPUT_ERRORS = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);
/** An answer is data, or errors that all blame the input; never an internal error. */
function expectDataOrInputError(response: GraphQLResponse): boolean {
  if (!response.errors) return true;
  const codes = response.errors.map((e) => e.extensions?.code);
  if (!codes.every((c) => INPUT_ERRORS.has(c))) throw new Error(`not an input error: ${JSON.stringify(response.errors)}`);
  return false;
}

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 1);
const offsets = ['Z', '+01:00', '-05:00', '+05:30'];
const isoWithOffset = (ms: number, offset: string) => {
  if (offset === 'Z') return new Date(ms).toISOString();
  const sign = offset[0] === '+' ? 1 : -1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return new Date(ms + sign * (h * 60 + m) * 60_000).toISOString().replace('Z', offset);
};

// Few instants, projects and users, so that keys collide across and within batches.
const instant = fc.integer({ min: 0, max: 40 }).map((h) => BASE + h * HOUR);
const validDate = fc.tuple(instant, fc.constantFrom(...offsets)).map(([ms, offset]) => isoWithOffset(ms, offset));
const anyDate = fc.oneof(
  { weight: 8, arbitrary: validDate },
  { weight: 1, arbitrary: fc.constantFrom('2026-01-01T00:00:00', '2026-02-30T00:00:00Z', 'yesterday', '', '2026-01-01') },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(true)) },
);
const report = fc.record(
  {
    project: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom('p1', 'p2', 'p3') },
      { weight: 1, arbitrary: fc.constantFrom('', '   ', 'x'.repeat(300)) },
    ),
    meter: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('cpu.hours', 'gpu.hours') }, { weight: 1, arbitrary: fc.string() }),
    start: anyDate,
    end: fc.oneof(fc.constant(undefined), fc.constant(null), anyDate),
    volume: fc.oneof(
      { weight: 9, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }) },
      { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.constant('Infinity')) },
    ),
    contingentFactor: fc.oneof(fc.constant(undefined), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1, max: 4 })),
    operationCount: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 10 }), fc.constant(1.5)),
    user: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom('ann', 'ben')),
    resource: fc.oneof(fc.constant(undefined), fc.constantFrom('vm-1', 'vm-2', 'shared', '', 'x'.repeat(300))),
    additionalMetrics: fc.oneof(
      fc.constant(undefined),
      fc.array(
        fc.record({
          metric: fc.constantFrom('m1', 'm2', ''),
          volume: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 10 }),
        }),
        { maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: ['project', 'meter', 'start', 'volume'] },
);

const validReport = fc
  .record({
    project: fc.constantFrom('p1', 'p2', 'p3'),
    meter: fc.constantFrom('cpu.hours', 'gpu.hours'),
    start: instant,
    offset: fc.constantFrom(...offsets),
    hours: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 })),
    volume: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e9 }),
    contingentFactor: fc.oneof(fc.constant(undefined), fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 4 })),
    user: fc.oneof(fc.constant(undefined), fc.constantFrom('ann', 'ben')),
    // Mostly the project's own VMs; now and then one that another project may own already.
    resource: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 6, arbitrary: fc.constantFrom('vm-1', 'vm-2') },
      { weight: 1, arbitrary: fc.constant('shared') },
    ),
    additionalMetrics: fc.oneof(
      fc.constant(undefined),
      fc.uniqueArray(
        fc.record({ metric: fc.constantFrom('m1', 'm2'), volume: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 10 }) }),
        { maxLength: 2, selector: (m) => m.metric },
      ),
    ),
  })
  .map(({ start, offset, hours, resource, ...r }) => ({
    ...r,
    resource: resource === 'vm-1' || resource === 'vm-2' ? `${r.project}-${resource}` : resource,
    start: isoWithOffset(start, offset),
    end: hours === null ? null : isoWithOffset(start + hours * HOUR, offset),
  }));
/** Instances of one report that differ only in their resource: each is a usage of its own. */
const siblings = validReport.chain((r) =>
  fc
    .uniqueArray(fc.constantFrom(undefined, `${r.project}-vm-1`, `${r.project}-vm-2`, `${r.project}-vm-3`), { minLength: 2, maxLength: 4 })
    .map((resources) => resources.map((resource) => ({ ...r, resource }))),
);
const batch = fc.oneof(
  fc.array(validReport, { minLength: 1, maxLength: 12 }),
  fc.array(report, { minLength: 1, maxLength: 12 }),
  fc.tuple(siblings, fc.array(validReport, { maxLength: 4 })).map(([a, b]) => [...a, ...b]),
);

type Stored = { volume: number; contingentFactor: number; metrics: Record<string, number> };
const keyOf = (r: Record<string, any>) =>
  JSON.stringify([
    r.project,
    r.meter,
    r.resource ?? null,
    new Date(r.start).toISOString(),
    r.end == null ? null : new Date(r.end).toISOString(),
    r.user ?? null,
  ]);

test('thousands of random and malformed reports: every answer is data or an input error, and the store holds exactly what was accepted', async () => {
  const model = new Map<string, Stored>();
  /** Each resource's project: the first that reported it. */
  const owners = new Map<string, string>();
  let accepted = 0;
  let refused = 0;
  let foreign = 0;
  await fc.assert(
    fc.asyncProperty(batch, async (batch: Record<string, any>[]) => {
      // A batch in which a resource is named by two projects, or by one that does not own it, is refused.
      const claims = new Map<string, Set<string>>();
      for (const r of batch) {
        if (typeof r.resource !== 'string') continue;
        claims.set(
          r.resource,
          new Set([...(claims.get(r.resource) ?? (owners.has(r.resource) ? [owners.get(r.resource)!] : [])), r.project]),
        );
      }
      const misplaced = [...claims.values()].some((projects) => projects.size > 1);
      const response = await api.gql(
        'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged superseded } }',
        { r: batch },
      );
      if (!expectDataOrInputError(response)) {
        refused++;
        if (response.errors![0].extensions!.problems?.some((p: { message: string }) => p.message.includes('belongs to another project'))) {
          expect(misplaced).toBe(true);
          foreign++;
        }
        return;
      }
      expect(misplaced).toBe(false);
      accepted++;
      for (const [resource, [project]] of claims) owners.set(resource, project);
      // What was sent, which is not always what was generated: JSON writes -0 as 0.
      for (const r of JSON.parse(JSON.stringify(batch)) as Record<string, any>[]) {
        model.set(keyOf(r), {
          volume: r.volume as number,
          contingentFactor: r.contingentFactor ?? 1,
          metrics: Object.fromEntries((r.additionalMetrics ?? []).map((m: { metric: string; volume: number }) => [m.metric, m.volume])),
        });
      }
    }),
    { numRuns: 300, seed: 20261122 },
  );
  expect(accepted).toBeGreaterThan(20);
  expect(refused).toBeGreaterThan(20);
  expect(foreign).toBeGreaterThan(0);

  const rows = await t.sql(
    `SELECT p.name AS project, m.name AS meter, r.external_id AS resource, e.start_time, e.end_time, u.name AS "user", e.volume, e.contingent_factor,
            COALESCE((SELECT jsonb_object_agg(metric, volume) FROM usage_metrics WHERE event_id = e.id), '{}') AS metrics
     FROM usage_events e JOIN projects p ON p.id = e.project_id JOIN meters m ON m.id = e.meter_id LEFT JOIN users u ON u.id = e.user_id
     LEFT JOIN resources r ON r.id = e.resource_id`,
  );
  const owned = await t.sql('SELECT r.external_id, p.name AS project FROM resources r JOIN projects p ON p.id = r.project_id');
  expect(Object.fromEntries(owned.map((r) => [r.external_id, r.project]))).toEqual(Object.fromEntries(owners));
  const stored = new Map(
    rows.map((r) => [
      keyOf({ project: r.project, meter: r.meter, resource: r.resource, start: r.start_time, end: r.end_time, user: r.user }),
      { volume: r.volume, contingentFactor: r.contingent_factor, metrics: r.metrics },
    ]),
  );
  expect(stored.size).toBe(model.size);
  expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(model));
}, 120_000);

test('random and malformed statistics and event queries: data or an input error, never an internal one', async () => {
  const statistics = fc.record(
    {
      meters: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom('cpu.hours', 'gpu.hours', 'ghost'), { maxLength: 3 })),
      metrics: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom('m1', 'm2', 'ghost'), { maxLength: 2 })),
      from: anyDate,
      to: anyDate,
      period: fc.oneof(
        fc.constant(undefined),
        fc.record({
          unit: fc.constantFrom('MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'FORTNIGHT'),
          size: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 50 })),
        }),
      ),
      timeZone: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Mars/Base', 'UTC+3', ''),
      ),
      groupBy: fc.oneof(
        fc.constant(undefined),
        fc.array(fc.constantFrom('USER', 'PROJECT', 'SOURCE', 'RESOURCE', 'COMPONENT', 'PARTITION', 'PRIORITY', 'COMPUTE_PROJECT'), {
          maxLength: 4,
        }),
      ),
      groupByMetadata: fc.oneof(
        fc.constant(undefined),
        fc.array(fc.constantFrom('flavor', 'zone', "x'; --", '1abc', ''), { maxLength: 2 }),
      ),
      filter: fc.oneof(
        fc.constant(undefined),
        fc.record(
          {
            projects: fc.array(fc.constantFrom('p1', 'p2', "'; DROP TABLE usage_events; --")),
            discrete: fc.boolean(),
            metadata: fc.constantFrom({ a: 1 }, { "b'": [1] }),
          },
          { requiredKeys: [] },
        ),
      ),
      prorate: fc.oneof(fc.constant(undefined), fc.boolean()),
    },
    { requiredKeys: ['from', 'to'] },
  );
  const STATS =
    'query S($i: UsageStatisticsInput!) { usageStatistics(input: $i) { rows { meter metric periodStart sum count metadata } } }';
  await fc.assert(
    fc.asyncProperty(statistics, async (input) => {
      expectDataOrInputError(await api.gql(STATS, { i: input }));
    }),
    { numRuns: 400, seed: 7 },
  );
  const EVENTS =
    'query E($f: UsageEventFilter!, $first: Int, $after: String) { usageEvents(filter: $f, first: $first, after: $after) { edges { cursor node { id } } } }';
  await fc.assert(
    fc.asyncProperty(
      fc.record({ from: anyDate, to: anyDate }),
      fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 2000 })),
      fc.oneof(fc.constant(undefined), fc.string(), fc.constantFrom('WyJ4Il0', 'WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIxIl0', 'WzEsMl0')),
      async (filter, first, after) => {
        expectDataOrInputError(await api.gql(EVENTS, { f: filter, first, after }));
      },
    ),
    { numRuns: 300, seed: 11 },
  );
  // Nothing was dropped on the way.
  expect((await t.sql("SELECT to_regclass('usage_events') IS NOT NULL AS ok"))[0].ok).toBe(true);
}, 120_000);
