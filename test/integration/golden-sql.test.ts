import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { ChargebackPeriod } from '../../src/modules/chargeback/chargeback.types';
import { ContingentPeriod } from '../../src/modules/contingents/contingents.types';
import { UsageEventOrder } from '../../src/modules/events/events.types';
import { GroupBy, type UsageStatisticsInput } from '../../src/modules/statistics/statistics.types';
import { PeriodUnit } from '../../src/modules/usage/usage.calendar';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';

// Every statement shape meterql sends, as it sends it, committed under test/golden/sql: a change to
// a query fails this test until its file is updated, so that a reviewer reads the SQL in the diff
// (PostGraphile's habit). UPDATE_GOLDEN=1 writes the files anew; see test/golden/README.md.

const DIR = path.resolve(__dirname, '../golden/sql');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const at = (iso: string) => new Date(iso);
const MAY = { from: at('2026-05-01T00:00:00Z'), to: at('2026-06-01T00:00:00Z') };

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }]);
  await t.services.ingestion.reportUsage(SYSTEM, [
    {
      project: 'p1',
      user: 'ann',
      meter: 'cpu.hours',
      resource: 'vm-1',
      start: at('2026-05-01T10:00:00Z'),
      end: at('2026-05-02T10:00:00Z'),
      volume: 24,
      additionalMetrics: [{ metric: 'energy', volume: 3 }],
    },
  ]);
  await t.services.pricing.setPrice({ meter: 'cpu.hours', unitPrice: '0.05', currency: 'EUR', validFrom: at('2026-01-01T00:00:00Z') });
  await t.services.contingents.set({ project: 'p1', meter: 'cpu.hours', period: ContingentPeriod.MONTH, from: MAY.from, amount: 1000 });
  // Read once per process, before any case: the zones PostgreSQL knows.
  await t.services.statistics.statistics(SYSTEM, { meters: ['cpu.hours'], ...MAY, timeZone: 'Europe/Berlin' });
});
afterAll(async () => {
  jest.restoreAllMocks();
  await t?.drop();
});

const statistics =
  (input: Partial<UsageStatisticsInput>, cost = false) =>
  () =>
    t.services.statistics.statistics(SYSTEM, { meters: ['cpu.hours'], ...MAY, ...input } as UsageStatisticsInput, { cost });

/** A job with every optional part: sent first it is new, sent again with other volumes it overwrites. */
const job = (volume: number, energy: number) => ({
  project: 'p2',
  user: 'bob',
  computeProject: 'hpc',
  source: 'slurm',
  meter: 'cpu.hours',
  resource: 'job-1',
  start: at('2026-05-03T00:00:00Z'),
  end: at('2026-05-03T02:00:00Z'),
  volume,
  additionalMetrics: [{ metric: 'energy', volume: energy }],
  additionalResources: [{ meter: 'gpu.hours', volume: 2 }],
});

/** Each statement shape, by the call that sends it. */
const CASES: Record<string, () => Promise<unknown>> = {
  'statistics-by-start-rollups-or-events': statistics({
    period: { unit: PeriodUnit.DAY, size: 1 },
    groupBy: [GroupBy.PROJECT, GroupBy.USER],
  }),
  'statistics-by-start-priced': statistics({ period: { unit: PeriodUnit.MONTH, size: 1 }, timeZone: 'Europe/Berlin' }, true),
  'statistics-events-by-resource': statistics({ groupBy: [GroupBy.RESOURCE] }),
  'statistics-prorated-hours': statistics({ period: { unit: PeriodUnit.HOUR, size: 6 }, timeZone: 'Europe/Berlin', prorate: true }),
  'statistics-prorated-priced': statistics({ period: { unit: PeriodUnit.DAY, size: 1 }, prorate: true }, true),
  'statistics-metadata-and-filter': statistics({
    groupByMetadata: ['flavor'],
    filter: { metadata: { zone: 'a' }, users: ['ann'], projects: ['p1', 'p2'] },
  }),
  'statistics-additional-metrics': statistics({ meters: null, metrics: ['energy'] }),
  // What a query selecting only count and sum of its rows sends: the other measures are not returned.
  'statistics-some-measures': () =>
    t.services.statistics.statistics(
      SYSTEM,
      { meters: ['cpu.hours'], ...MAY, period: { unit: PeriodUnit.DAY, size: 1 }, timeZone: 'Europe/Berlin' } as UsageStatisticsInput,
      { cost: false, measures: new Set(['count', 'sum'] as const) },
    ),
  'statistics-periods': () =>
    t.services.statistics.periods({ ...MAY, period: { unit: PeriodUnit.WEEK, size: 1 }, timeZone: 'Europe/Berlin' }),
  'chargeback-daily': () => t.services.chargeback.report(SYSTEM, { ...MAY, period: ChargebackPeriod.DAILY, timeZone: 'Europe/Berlin' }),
  'chargeback-period-by-resource': () =>
    t.services.chargeback.report(SYSTEM, {
      ...MAY,
      period: ChargebackPeriod.PERIOD,
      detail: true,
      projects: ['p1'],
      meters: ['cpu.hours'],
    }),
  'contingent-status': () => t.services.contingents.status(SYSTEM, 'p1', at('2026-05-15T00:00:00Z')),
  'events-page': () => t.services.events.events(SYSTEM, { ...MAY, meters: ['cpu.hours'], projects: ['p1'] }, { first: 10 }),
  'events-page-after-cursor': () =>
    t.services.events.events(
      SYSTEM,
      { ...MAY, users: ['ann'] },
      { first: 10, after: Buffer.from(JSON.stringify(['2026-05-01T10:00:00.000Z', '1'])).toString('base64url') },
    ),
  // A page that asks for { id start volume user }: those columns and the one name joined.
  'events-page-selected-fields': () =>
    t.services.events.events(
      SYSTEM,
      { ...MAY, users: ['ann'] },
      { first: 100 },
      UsageEventOrder.START_ASC,
      new Set(['id', 'start', 'volume', 'user']),
    ),
  // From here on the day and month rollups of UTC are built: the refresh below keeps them too.
  'rollups-zone-build': () => t.services.rollups.ensureZones(),
  'ingestion-new-reports': () => t.services.ingestion.reportUsage(SYSTEM, [job(64, 1.5)]),
  'ingestion-overwrite': () => t.services.ingestion.reportUsage(SYSTEM, [job(65, 1.6)]),
  'resource-metadata-version': () =>
    t.services.resources.setMetadata(SYSTEM, { resource: 'vm-1', validFrom: at('2026-05-10T00:00:00Z'), metadata: { flavor: 'large' } }),
  'rollups-refresh': () => t.services.rollups.refresh(),
};

/** The statements pg sent while `run` ran, but Prisma's (it writes its own SQL, not ours). */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = Client.prototype.query;
  const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (text && !text.includes('"public".')) sent.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

/** A statement as a reader wants it: the indentation its source code gave it removed, trailing spaces trimmed. */
function tidy(statement: string): string {
  const [first, ...rest] = statement
    .trim()
    .split('\n')
    .map((line) => line.trimEnd());
  const indent = Math.min(...rest.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  return [first, ...rest.map((line) => line.slice(Number.isFinite(indent) ? indent : 0))].join('\n');
}

/** One file a case: its statements in the order sent, each ending in a semicolon. */
function render(name: string, statements: string[]): string {
  const body = statements.map((s) => `${tidy(s)};`).join('\n\n');
  return `-- ${name}: the statements sent, in order (test/integration/golden-sql.test.ts)\n\n${body}\n`;
}

test.each(Object.keys(CASES))('%s sends the SQL in test/golden/sql', async (name) => {
  const text = render(name, await statementsOf(CASES[name]));
  const file = path.join(DIR, `${name}.sql`);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
});

test('every golden file belongs to a case', () => {
  expect(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort(),
  ).toEqual(
    Object.keys(CASES)
      .map((n) => `${n}.sql`)
      .sort(),
  );
});
