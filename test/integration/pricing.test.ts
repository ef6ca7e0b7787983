import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

/**
 * Prices, cost in statistics and chargeback, with expectations worked out by hand from these records
 * (project p1 unless said otherwise; cards of meter cpu, all EUR):
 *   A  any partition and priority  0.10  [Apr 1 00:00, Apr 1 12:00)   (closed by B)
 *   B  any partition and priority  0.20  [Apr 1 12:00, open)
 *   C  partition gpu               1.00  [Apr 1 00:00, open)
 *   D  priority high               0.50  [Apr 1 00:00, open)
 *   r1 cpu vm-1  Apr 1 06:00-18:00 (12 h) volume 12, factor 0.5: at its start A, 1.20; prorated 6 h A + 6 h B = 0.60 + 1.20 = 1.80
 *   r2 cpu vm-2  Apr 1 10:00-12:00 gpu/high, volume 2: C beats D (partition before priority), 2.00
 *   r3 cpu vm-2  Apr 1 20:00-Apr 2 04:00 high, volume 8, factor 0: D, 4.00 (weighted 0)
 *   r4 cpu       Mar 31 22:00-Apr 1 02:00, volume 4: before any card at its start; prorated 2 h unpriced + 2 h A = 0.20
 *   r5 disk      Apr 1 00:00, volume 100, no end: disk has no price
 *   p2: cpu Apr 1 00:00-01:00, volume 1: A, 0.10
 */
let t: TestDatabase;
let api: TestServer;
const at = (iso: string) => new Date(iso);
const ids: Record<string, string> = {};

const SET_PRICE = `mutation P($input: SetPriceInput!) { setPrice(input: $input) { id meter partition priority unitPrice currency validFrom validTo } }`;
const STATS = `query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) {
  aggregatedFrom rows { meter periodStart count sum weightedSum cost weightedCost currency unpricedVolume unpricedCount prices { id unitPrice } } } }`;
const CHARGEBACK = `query C($input: ChargebackInput!) { chargeback(input: $input) {
  period timeZone rows { project resource periodStart periodEnd currency allocationMinutes allocationCost fixedCost total } } }`;

async function setPrice(input: Record<string, unknown>) {
  return dataOf(await api.gql(SET_PRICE, { input })).setPrice;
}
async function stats(input: Record<string, unknown>) {
  return dataOf(await api.gql(STATS, { input })).usageStatistics;
}
async function chargeback(input: Record<string, unknown>) {
  return dataOf(await api.gql(CHARGEBACK, { input })).chargeback;
}
/** Exact sums of decimals in millionths, as integers. */
const micros = (d: string | null) => {
  if (d === null) return 0n;
  const [whole, fraction = ''] = d.replace('-', '').split('.');
  const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return d.startsWith('-') ? -value : value;
};

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu' }, { name: 'disk', unit: 'GB' }]);
  ids.A = (await setPrice({ meter: 'cpu', unitPrice: '0.10', currency: 'EUR', validFrom: '2026-04-01T00:00:00Z' })).id;
  ids.B = (await setPrice({ meter: 'cpu', unitPrice: '0.2', currency: 'EUR', validFrom: '2026-04-01T12:00:00Z' })).id;
  ids.C = (await setPrice({ meter: 'cpu', partition: 'gpu', unitPrice: 1, currency: 'EUR', validFrom: '2026-04-01T00:00:00Z' })).id;
  ids.D = (await setPrice({ meter: 'cpu', priority: 'high', unitPrice: '0.50', currency: 'EUR', validFrom: '2026-04-01T00:00:00Z' })).id;
  await t.services.ingestion.reportUsage(SYSTEM, [
    {
      project: 'p1',
      meter: 'cpu',
      resource: 'vm-1',
      start: at('2026-04-01T06:00:00Z'),
      end: at('2026-04-01T18:00:00Z'),
      volume: 12,
      contingentFactor: 0.5,
    },
    {
      project: 'p1',
      meter: 'cpu',
      resource: 'vm-2',
      start: at('2026-04-01T10:00:00Z'),
      end: at('2026-04-01T12:00:00Z'),
      volume: 2,
      partition: 'gpu',
      priority: 'high',
    },
    {
      project: 'p1',
      meter: 'cpu',
      resource: 'vm-2',
      start: at('2026-04-01T20:00:00Z'),
      end: at('2026-04-02T04:00:00Z'),
      volume: 8,
      priority: 'high',
      contingentFactor: 0,
    },
    { project: 'p1', meter: 'cpu', start: at('2026-03-31T22:00:00Z'), end: at('2026-04-01T02:00:00Z'), volume: 4 },
    { project: 'p1', meter: 'disk', start: at('2026-04-01T00:00:00Z'), volume: 100 },
    { project: 'p2', meter: 'cpu', start: at('2026-04-01T00:00:00Z'), end: at('2026-04-01T01:00:00Z'), volume: 1 },
  ]);
});
afterAll(() => closeTestApi({ t, api }));

describe('price cards', () => {
  test('a new card ends the open one at its start; the history lists every version', async () => {
    const { prices } = dataOf(await api.gql(`{ prices(meter: "cpu") { id partition priority unitPrice currency validFrom validTo } }`));
    expect(prices).toEqual([
      {
        id: ids.A,
        partition: null,
        priority: null,
        unitPrice: '0.1',
        currency: 'EUR',
        validFrom: '2026-04-01T00:00:00.000Z',
        validTo: '2026-04-01T12:00:00.000Z',
      },
      {
        id: ids.B,
        partition: null,
        priority: null,
        unitPrice: '0.2',
        currency: 'EUR',
        validFrom: '2026-04-01T12:00:00.000Z',
        validTo: null,
      },
      {
        id: ids.D,
        partition: null,
        priority: 'high',
        unitPrice: '0.5',
        currency: 'EUR',
        validFrom: '2026-04-01T00:00:00.000Z',
        validTo: null,
      },
      {
        id: ids.C,
        partition: 'gpu',
        priority: null,
        unitPrice: '1',
        currency: 'EUR',
        validFrom: '2026-04-01T00:00:00.000Z',
        validTo: null,
      },
    ]);
    const valid = dataOf(await api.gql(`{ prices(meter: "cpu", at: "2026-04-01T06:00:00Z") { id } }`)).prices;
    expect(valid.map((c: { id: string }) => c.id)).toEqual([ids.A, ids.D, ids.C]);
  });

  test('setting a card again with the same start replaces it: idempotent', async () => {
    const again = await setPrice({ meter: 'cpu', partition: 'gpu', unitPrice: '1.00', currency: 'EUR', validFrom: '2026-04-01T00:00:00Z' });
    expect(again.id).toBe(ids.C);
    const count = await t.sql<{ n: string }>('SELECT count(*) AS n FROM price_cards');
    expect(count[0].n).toBe('4');
  });

  test('PostgreSQL refuses overlapping versions; the API says which dates, and writes nothing', async () => {
    const response = await api.gql(SET_PRICE, {
      input: { meter: 'cpu', unitPrice: '0.15', currency: 'EUR', validFrom: '2026-04-01T06:00:00Z', validTo: '2026-04-01T13:00:00Z' },
    });
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: ['input', 'validFrom'] }] });
    expect(response.errors?.[0].message).toMatch(/overlaps a closed version/);
    expect((await t.sql('SELECT id FROM price_cards')).length).toBe(4);
  });

  test('every problem of a card at once: price, currency, dates, meter; and one currency per meter', async () => {
    const bad = await api.gql(SET_PRICE, {
      input: { meter: 'nope', unitPrice: '-1', currency: 'eur', validFrom: '2026-05-01T00:00:00Z', validTo: '2026-05-01T00:00:00Z' },
    });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((bad.errors?.[0].extensions?.problems as { path: string[] }[]).map((p) => p.path.join('.'))).toEqual([
      'input.meter.0',
      'input.unitPrice',
      'input.currency',
      'input.validTo',
    ]);
    const usd = await api.gql(SET_PRICE, {
      input: { meter: 'cpu', priority: 'low', unitPrice: '1', currency: 'USD', validFrom: '2026-05-01T00:00:00Z' },
    });
    expect(usd.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: ['input', 'currency'] }] });
    expect(usd.errors?.[0].message).toMatch(/priced in EUR/);
    const notDecimal = await api.gql(SET_PRICE, {
      input: { meter: 'cpu', unitPrice: '1e3', currency: 'EUR', validFrom: '2026-05-01T00:00:00Z' },
    });
    expect(notDecimal.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('cost in usageStatistics', () => {
  const range = { meters: ['cpu'], from: '2026-03-31T00:00:00Z', to: '2026-04-03T00:00:00Z', filter: { projects: ['p1'] } };

  test('each record at the price valid at its start, weighted by its factor; unpriced volume said, not zero', async () => {
    const { rows } = await stats(range);
    expect(rows).toEqual([
      {
        meter: 'cpu',
        periodStart: '2026-03-31T00:00:00.000Z',
        count: 4,
        sum: 26,
        weightedSum: 6 + 2 + 0 + 4,
        cost: '7.2',
        weightedCost: '2.6',
        currency: 'EUR',
        unpricedVolume: 4,
        unpricedCount: 1,
        prices: [ids.A, ids.C, ids.D].map((id) => ({ id, unitPrice: { [ids.A]: '0.1', [ids.C]: '1', [ids.D]: '0.5' }[id] })),
      },
    ]);
  });

  test('prorated: a record is split where its price changes, each part at its own price', async () => {
    const { rows } = await stats({ ...range, prorate: true });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 4, sum: 26, cost: '8', weightedCost: '3.1', unpricedVolume: 2, unpricedCount: 1 });
    expect(rows[0].prices.map((c: { id: string }) => c.id)).toEqual([ids.A, ids.B, ids.C, ids.D]);
  });

  test('prorated per day: the unpriced day has no cost, not a zero one', async () => {
    const { rows } = await stats({ ...range, prorate: true, period: { unit: 'DAY' } });
    expect(rows.map((r: Record<string, unknown>) => [r.periodStart, r.sum, r.cost, r.unpricedVolume])).toEqual([
      ['2026-03-31T00:00:00.000Z', 2, null, 2],
      ['2026-04-01T00:00:00.000Z', 12 + 2 + 4 + 2, '6', 0],
      ['2026-04-02T00:00:00.000Z', 4, '2', 0],
    ]);
  });

  test('a meter without prices: cost and currency null, all its volume unpriced', async () => {
    const { rows } = await stats({ ...range, meters: ['disk'] });
    expect(rows[0]).toMatchObject({
      sum: 100,
      cost: null,
      weightedCost: null,
      currency: null,
      unpricedVolume: 100,
      unpricedCount: 1,
      prices: [],
    });
  });

  test('rollups answer priced queries when no card begins or ends inside a bucket, with the same figures', async () => {
    const fromEvents = await stats(range);
    await t.services.rollups.ensureZones();
    await t.services.rollups.refresh();
    // B begins at noon: days would mix two prices, hours do not.
    const fromRollups = await stats(range);
    expect(fromRollups.aggregatedFrom).toBe('rollup:hour');
    expect(fromRollups.rows).toEqual(fromEvents.rows);
    const unpriced = dataOf(
      await api.gql(`query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { aggregatedFrom rows { sum } } }`, {
        input: range,
      }),
    ).usageStatistics;
    expect(unpriced.aggregatedFrom).toBe('rollup:day');
    // A card from half past midnight: no grain of rollups has one price per bucket.
    await defineMeters(t.services, [{ name: 'net', unit: 'GiB' }]);
    await t.services.ingestion.reportUsage(SYSTEM, [
      { project: 'p3', meter: 'net', start: at('2026-04-01T00:00:00Z'), end: at('2026-04-01T01:00:00Z'), volume: 10 },
    ]);
    await t.services.rollups.refresh();
    await setPrice({ meter: 'net', unitPrice: '0.5', currency: 'EUR', validFrom: '2026-04-01T00:30:00Z' });
    const half = await stats({ meters: ['net'], from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z', prorate: false });
    expect(half).toMatchObject({ aggregatedFrom: 'events', rows: [{ sum: 10, cost: null, unpricedVolume: 10 }] });
    const prorated = await stats({ meters: ['net'], from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z', prorate: true });
    expect(prorated.rows[0]).toMatchObject({ sum: 10, cost: '2.5', unpricedVolume: 5 });
  });

  test('resource usage prices too', async () => {
    const { resource } = dataOf(
      await api.gql(
        `{ resource(id: "vm-2") { usage(from: "2026-04-01T00:00:00Z", to: "2026-04-02T00:00:00Z", prorate: true) { meter sum cost } } }`,
      ),
    );
    expect(resource.usage).toEqual([{ meter: 'cpu', sum: 2 + 4, cost: '4' }]);
  });
});

describe('chargeback', () => {
  beforeAll(async () => {
    const SET = `mutation F($input: SetFixedCostInput!) { setFixedCost(input: $input) { id project resource name amount per validFrom validTo } }`;
    const support = dataOf(
      await api.gql(SET, {
        input: { project: 'p1', name: 'support', amount: '10', currency: 'EUR', per: 'DAY', validFrom: '2026-04-01T12:00:00Z' },
      }),
    ).setFixedCost;
    expect(support).toMatchObject({ project: 'p1', resource: null, name: 'support', amount: '10', per: 'DAY', validTo: null });
    await api.gql(SET, {
      input: {
        project: 'p1',
        resource: 'vm-1',
        name: 'license',
        amount: '30',
        currency: 'EUR',
        per: 'MONTH',
        validFrom: '2026-04-01T00:00:00Z',
      },
    });
    await api.gql(SET, {
      input: { project: 'p2', name: 'rent', amount: '100', currency: 'EUR', per: 'MONTH', validFrom: '2026-03-01T00:00:00Z' },
    });
  });
  const range = { projects: ['p1'], from: '2026-04-01T00:00:00Z', to: '2026-04-03T00:00:00Z' };

  test('PERIOD: allocation minutes and cost, fixed costs by their share of each day and month, the total', async () => {
    const report = await chargeback(range);
    expect(report).toMatchObject({ period: 'PERIOD', timeZone: 'UTC' });
    expect(report.rows).toEqual([
      // r1 720 min 1.80, r2 120 min 2.00, r3 480 min 4.00, r4's 120 min in range 0.20; support 12 h + 24 h of 10/day = 15; license 2 days of 30/30 = 2.
      {
        project: 'p1',
        resource: null,
        periodStart: range.from.replace('Z', '.000Z'),
        periodEnd: range.to.replace('Z', '.000Z'),
        currency: 'EUR',
        allocationMinutes: '1440',
        allocationCost: '8',
        fixedCost: '17',
        total: '25',
      },
      // disk's discrete record (no price, no duration) would be a row of a zero and nulls: none.
    ]);
  });

  test('DAILY: a row per day, which sum to the PERIOD figures', async () => {
    const { rows } = await chargeback({ ...range, period: 'DAILY' });
    expect(
      rows.map((r: Record<string, unknown>) => [r.periodStart, r.currency, r.allocationMinutes, r.allocationCost, r.fixedCost, r.total]),
    ).toEqual([
      ['2026-04-01T00:00:00.000Z', 'EUR', '1200', '6', '6', '12'],
      ['2026-04-02T00:00:00.000Z', 'EUR', '240', '2', '11', '13'],
    ]);
  });

  test("detail: the same per resource; usage without one and the project's own fixed costs have none", async () => {
    const { rows } = await chargeback({ ...range, detail: true });
    expect(
      rows.map((r: Record<string, unknown>) => [r.resource, r.currency, r.allocationMinutes, r.allocationCost, r.fixedCost, r.total]),
    ).toEqual([
      [null, 'EUR', '120', '0.2', '15', '15.2'],
      ['vm-1', 'EUR', '720', '1.8', '2', '3.8'],
      ['vm-2', 'EUR', '600', '6', '0', '6'],
    ]);
  });

  test('DAILY sums to PERIOD to the last digit, also for thirds of a month in a zone with an odd first day', async () => {
    const input = { projects: ['p2'], from: '2026-04-01T00:00:00Z', to: '2026-04-08T00:00:00Z', timeZone: 'Europe/Berlin' };
    const period = (await chargeback(input)).rows;
    const daily = (await chargeback({ ...input, period: 'DAILY' })).rows;
    // Berlin days: Apr 1 from 02:00 (22 of its 24 h), Apr 2 to Apr 7, and Apr 8 to 02:00 (2 h): 8 rows.
    expect(daily).toHaveLength(8);
    expect(daily[0]).toMatchObject({
      periodStart: '2026-04-01T00:00:00.000Z',
      periodEnd: '2026-04-01T22:00:00.000Z',
      fixedCost: '3.055555',
    });
    expect(daily[7]).toMatchObject({
      periodStart: '2026-04-07T22:00:00.000Z',
      periodEnd: '2026-04-08T00:00:00.000Z',
      fixedCost: '0.277778',
    });
    expect(daily[1].fixedCost).toBe('3.333334');
    const sum = (field: string) => daily.reduce((s: bigint, r: Record<string, string>) => s + micros(r[field]), 0n);
    for (const field of ['allocationMinutes', 'allocationCost', 'fixedCost', 'total']) expect(sum(field)).toBe(micros(period[0][field]));
    // A day's rent is its rounded accrual since the month began (Mar 31 22:00Z in Berlin) at its end less that at its
    // start: Apr 1 (from 02:00) 3.333333 - 0.277778; Apr 2 6.666667 - 3.333333. The days telescope to 168 of April's
    // 720 hours of 100: 23.611111 - 0.277778 = 23.333333. p2's one cpu hour at A's 0.10 on Apr 1.
    expect(period[0]).toMatchObject({ allocationMinutes: '60', allocationCost: '0.1', fixedCost: '23.333333' });
  });

  test('contingent factor 0 changes weighted figures, never cost', async () => {
    const { rows } = await stats({
      meters: ['cpu'],
      from: '2026-04-01T20:00:00Z',
      to: '2026-04-01T21:00:00Z',
      filter: { resources: ['vm-2'] },
    });
    expect(rows[0]).toMatchObject({ sum: 8, weightedSum: 0, cost: '4', weightedCost: '0' });
  });

  test('a reader sees the fixed costs and chargeback of its projects only', async () => {
    const { token } = await t.services.auth.createKey({ role: 'reader', projects: ['p2'] });
    const headers = { authorization: `Bearer ${token}` };
    const costs = dataOf(await api.gql(`{ fixedCosts { project name } }`, {}, headers)).fixedCosts;
    expect(costs).toEqual([{ project: 'p2', name: 'rent' }]);
    const report = dataOf(await api.gql(CHARGEBACK, { input: { from: range.from, to: range.to } }, headers)).chargeback;
    expect(report.rows.map((r: { project: string }) => r.project)).toEqual(['p2']);
    const denied = await api.gql(
      SET_PRICE,
      { input: { meter: 'cpu', unitPrice: '9', currency: 'EUR', validFrom: '2027-01-01T00:00:00Z' } },
      headers,
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  test('a price change reprices past usage in the next query', async () => {
    const before = (await chargeback(range)).rows[0];
    await setPrice({ meter: 'cpu', unitPrice: '0.30', currency: 'EUR', validFrom: '2026-04-01T12:00:00Z' }); // replaces B
    const after = (await chargeback(range)).rows[0];
    // Only r1's 6 h after noon are priced by B: 6 x (0.30 - 0.20) = 0.60 more.
    expect(micros(after.allocationCost) - micros(before.allocationCost)).toBe(600_000n);
    expect(
      (
        await stats({
          meters: ['cpu'],
          from: '2026-03-31T00:00:00Z',
          to: '2026-04-03T00:00:00Z',
          filter: { projects: ['p1'] },
          prorate: true,
        })
      ).rows[0].cost,
    ).toBe('8.6');
  });
});

/**
 * Half-way ties, on every path that turns usage into money. Meter storage (GiB-h) at 0.00013 EUR
 * from May 1st (card S). Each record lasts 24 h (86,400 s) from May 1 17:30, so 6.5 h (23,400 s) of
 * it lie on May 1 and 17.5 h (63,000 s) on May 2; the short ones last an hour of May 5.
 *   tie1 s1 vol-1  volume 30012, factor 1:   May 1 30012 x 0.00013 x 23400 / 86400 = 3.90156 x 13/48 = 1.0566725
 *                                             May 2 3.90156 x 35/48 = 2.8448875
 *   tie2 s2 vol-2  volume 60024, factor 0.5: cost twice s1's, 2.113345 and 5.689775 (no tie); weighted s1's
 *   tie1 s3 vol-3  May 5, volume 8128.25, factor 1:    8128.25 x 0.00013 = 1.0566725
 *   tie2 s4 vol-4  May 5, volume 16256.5, factor 0.5:  cost 2.113345, weighted 1.0566725
 *   tie3 s5        as s1 with volume -30012 (a credit stored before volumes had a range): -1.0566725 and -2.8448875
 * Every tie rounds half away from zero: 1.056673, 2.844888, -1.056673. A quotient cut short before
 * the multiplication (13/48 = 0.2708333...) would show 1.056672.
 */
describe('money is exact: half-way ties round away from zero on every path', () => {
  const may = (day: number, time = '00:00') => `2026-05-0${day}T${time}:00.000Z`;
  beforeAll(async () => {
    await defineMeters(t.services, [{ name: 'storage', unit: 'GiB-h' }]);
    await setPrice({ meter: 'storage', unitPrice: '0.00013', currency: 'EUR', validFrom: '2026-05-01T00:00:00Z' });
    const day = { meter: 'storage', start: at(may(1, '17:30')), end: at(may(2, '17:30')) };
    const hour = { meter: 'storage', start: at(may(5)), end: at(may(5, '01:00')) };
    await t.services.ingestion.reportUsage(SYSTEM, [
      { ...day, project: 'tie1', resource: 'vol-1', volume: 30012 },
      { ...day, project: 'tie2', resource: 'vol-2', volume: 60024, contingentFactor: 0.5 },
      { ...hour, project: 'tie1', resource: 'vol-3', volume: 8128.25 },
      { ...hour, project: 'tie2', resource: 'vol-4', volume: 16256.5, contingentFactor: 0.5 },
    ]);
    // A credit (a negative volume) is no longer accepted as a report, but one stored before the
    // range was enforced is still priced: written here as it would have been.
    await t.sql(`WITH p AS (INSERT INTO projects (name) VALUES ('tie3') RETURNING id)
                 INSERT INTO usage_events (meter_id, project_id, source_id, start_time, end_time, volume, content_hash)
                 SELECT e.meter_id, p.id, e.source_id, e.start_time, e.end_time, -30012, 'credit'
                 FROM usage_events e, p WHERE e.resource_id = (SELECT id FROM resources WHERE external_id = 'vol-1')`);
  });
  const days = { meters: ['storage'], from: may(1), to: may(3), prorate: true, period: { unit: 'DAY' } };
  const money = (rows: Record<string, unknown>[]) => rows.map((r) => [r.periodStart, r.sum, r.cost, r.weightedCost, r.unpricedVolume]);

  test.each([
    // s1: 30012 x 13/48 = 8128.25 GiB-h on May 1, 30012 x 35/48 = 21883.75 on May 2.
    [
      'factor 1',
      ['tie1'],
      [
        [may(1), 8128.25, '1.056673', '1.056673', 0],
        [may(2), 21883.75, '2.844888', '2.844888', 0],
      ],
    ],
    // s2: weighted 60024 x 0.5 x 0.00013 x 13/48 = 1.0566725; 35/48: 2.8448875.
    [
      'factor 0.5',
      ['tie2'],
      [
        [may(1), 16256.5, '2.113345', '1.056673', 0],
        [may(2), 43767.5, '5.689775', '2.844888', 0],
      ],
    ],
    // One row of both: cost 1.0566725 + 2.113345 = 3.1700175 and 2.8448875 + 5.689775 = 8.5346625,
    // weighted 2 x 1.0566725 = 2.113345 and 2 x 2.8448875 = 5.689775.
    [
      'both, summed before the one rounding',
      ['tie1', 'tie2'],
      [
        [may(1), 24384.75, '3.170018', '2.113345', 0],
        [may(2), 65651.25, '8.534663', '5.689775', 0],
      ],
    ],
    [
      'a credit, away from zero',
      ['tie3'],
      [
        [may(1), -8128.25, '-1.056673', '-1.056673', 0],
        [may(2), -21883.75, '-2.844888', '-2.844888', 0],
      ],
    ],
  ])('statistics prorated per day, %s', async (_, projects, expected) => {
    expect(money((await stats({ ...days, filter: { projects } })).rows)).toEqual(expected);
  });

  test('statistics prorated over a range that cuts the record: the tie within [17:30, 24:00)', async () => {
    const { rows } = await stats({ meters: ['storage'], from: may(1, '17:30'), to: may(2), prorate: true, filter: { projects: ['tie1'] } });
    expect(money(rows)).toEqual([[may(1, '17:30'), 8128.25, '1.056673', '1.056673', 0]]);
  });

  test('statistics by start, from events and from rollups: the same ties', async () => {
    const input = { meters: ['storage'], from: may(5), to: may(6), groupBy: ['PROJECT'] };
    const figures = async () => {
      const { aggregatedFrom, rows } = await stats(input);
      return { aggregatedFrom, rows: rows.map((r: Record<string, unknown>) => [r.sum, r.cost, r.weightedCost]) };
    };
    // Rows in project order (tie1, tie2): s3 1.0566725 of both; s4 2.113345 and 0.5 x 2.113345.
    const expected = [
      [8128.25, '1.056673', '1.056673'],
      [16256.5, '2.113345', '1.056673'],
    ];
    expect(await figures()).toEqual({ aggregatedFrom: 'events', rows: expected });
    await t.services.rollups.refresh();
    expect(await figures()).toEqual({ aggregatedFrom: 'rollup:day', rows: expected });
  });

  const report = { projects: ['tie1', 'tie2'], from: may(1), to: may(3) };
  const lines = (rows: Record<string, unknown>[]) =>
    rows.map((r) => [r.project, r.resource, r.periodStart, r.allocationMinutes, r.allocationCost, r.fixedCost, r.total]);

  test('chargeback DAILY with detail: each line rounds its tie away from zero', async () => {
    const { rows } = await chargeback({ ...report, period: 'DAILY', detail: true });
    expect(lines(rows)).toEqual([
      ['tie1', 'vol-1', may(1), '390', '1.056673', '0', '1.056673'],
      ['tie1', 'vol-1', may(2), '1050', '2.844888', '0', '2.844888'],
      ['tie2', 'vol-2', may(1), '390', '2.113345', '0', '2.113345'],
      ['tie2', 'vol-2', may(2), '1050', '5.689775', '0', '5.689775'],
    ]);
  });

  test('chargeback DAILY without detail: the same lines, one row per project and day', async () => {
    const { rows } = await chargeback({ ...report, period: 'DAILY' });
    expect(lines(rows)).toEqual([
      ['tie1', null, may(1), '390', '1.056673', '0', '1.056673'],
      ['tie1', null, may(2), '1050', '2.844888', '0', '2.844888'],
      ['tie2', null, may(1), '390', '2.113345', '0', '2.113345'],
      ['tie2', null, may(2), '1050', '5.689775', '0', '5.689775'],
    ]);
  });

  // A PERIOD row adds its rounded days: 1.056673 + 2.844888 = 3.901561, not the record's 3.90156.
  test.each([
    ['with detail', true, ['vol-1', 'vol-2']],
    ['without detail', false, [null, null]],
  ])('chargeback PERIOD %s: the sum of the rounded days', async (_, detail, resources) => {
    const { rows } = await chargeback({ ...report, detail });
    expect(lines(rows)).toEqual([
      ['tie1', resources[0], may(1), '1440', '3.901561', '0', '3.901561'],
      ['tie2', resources[1], may(1), '1440', '7.80312', '0', '7.80312'],
    ]);
  });

  test('chargeback of a day cut by the range: the tie within [17:30, 24:00)', async () => {
    const { rows } = await chargeback({ projects: ['tie1'], from: may(1, '17:30'), to: may(2), period: 'DAILY' });
    expect(lines(rows)).toEqual([['tie1', null, may(1, '17:30'), '390', '1.056673', '0', '1.056673']]);
  });
});
