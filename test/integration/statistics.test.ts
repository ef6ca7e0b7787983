import { Client } from 'pg';
import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import { dataOf, type TestServer } from '../helpers/server';
import type { UsageReport } from '../../src/modules/ingestion/ingestion.validation';
import { SYSTEM } from '../../src/modules/auth/auth.types';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
const H = 3_600_000;
const at = (iso: string) => new Date(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** count reports of volume 1, one an hour from start. */
const hourly = (meter: string, start: string, count: number, extra: Partial<UsageReport> = {}): UsageReport[] =>
  Array.from({ length: count }, (_, i) => ({
    project: 'p',
    meter,
    start: new Date(Date.parse(start) + i * H),
    end: new Date(Date.parse(start) + (i + 1) * H),
    volume: 1,
    ...extra,
  }));

const STATS = `query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) {
  from to timeZone prorate period { unit size }
  rows { meter unit metric component user project computeProject source resource partition priority metadata
         periodStart periodEnd count operations sum avg min max stddev weightedSum durationSum durationAvg } } }`;

async function stats(input: Record<string, unknown>) {
  return dataOf(await api.gql(STATS, { input })).usageStatistics;
}
const pick = (rows: Record<string, unknown>[], ...fields: string[]) => rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));

beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(
    t.services,
    ['m.berlin', 'm.ny', 'm.cal', 'm.pro', 'm.meta', 'm.cf', 'm.stats', 'm.exact', 'm.over'].map((name) => ({ name })),
  );
  await defineMeters(t.services, [{ name: 'm.disc', type: 'EVENT', unit: 'event' }]);
  await t.services.ingestion.reportUsage(SYSTEM, [
    // Berlin: autumn (Oct 25th 2026, 25 hours) and spring (Mar 29th 2026, 23 hours).
    ...hourly('m.berlin', '2026-10-24T22:00:00Z', 49),
    ...hourly('m.berlin', '2026-03-28T23:00:00Z', 23 + 24),
    // New York: Mar 8th 2026 has 23 hours, Nov 1st 2026 has 25.
    ...hourly('m.ny', '2026-03-08T05:00:00Z', 23 + 24),
    ...hourly('m.ny', '2026-11-01T04:00:00Z', 25 + 24),
    // Calendar edges in Tokyo (+09:00) and New York.
    ...['2026-09-30T14:59:59Z', '2026-09-30T15:00:00Z', '2026-10-31T14:59:59Z', '2026-10-31T15:00:00Z'].map((s) => ({
      project: 'p',
      meter: 'm.cal',
      start: at(s),
      volume: 1,
      source: 'tokyo',
    })),
    ...['2026-11-02T04:30:00Z', '2026-11-02T05:00:00Z'].map((s) => ({
      project: 'p',
      meter: 'm.cal',
      start: at(s),
      volume: 1,
      source: 'ny',
    })),
    // A 36-hour job across three UTC days, and a discrete event on the middle day.
    { project: 'p', meter: 'm.pro', start: at('2026-04-01T18:00:00Z'), end: at('2026-04-03T06:00:00Z'), volume: 36, contingentFactor: 0.5 },
    { project: 'p', meter: 'm.pro', start: at('2026-04-02T12:00:00Z'), volume: 5 },
    // Contingent factor 0: shown in usage, not counted against the contingent.
    { project: 'p', meter: 'm.cf', start: at('2026-04-01T00:00:00Z'), volume: 10, contingentFactor: 0 },
    { project: 'p', meter: 'm.cf', start: at('2026-04-01T01:00:00Z'), volume: 4, contingentFactor: 1.5 },
    // Discrete events.
    ...[1, 2, 3].map((d) => ({ project: 'p', meter: 'm.disc', start: at(`2026-04-0${d}T10:00:00Z`), volume: 1 })),
    // Aggregates of four records: volumes 1..4, durations 1..4 h, operations 1..4, by two users.
    ...[1, 2, 3, 4].map((i) => ({
      project: i % 2 ? 'odd' : 'even',
      user: i <= 2 ? 'ann' : 'ben',
      meter: 'm.stats',
      start: at(`2026-04-0${i}T00:00:00Z`),
      end: new Date(Date.parse(`2026-04-0${i}T00:00:00Z`) + i * H),
      volume: i,
      operationCount: i,
      partition: i === 4 ? 'big' : null,
      additionalMetrics: [{ metric: 'energy_kwh', volume: i / 10, contingentFactor: 2 }],
    })),
  ]);
  // Metadata that changes at noon; and today's metadata, which must not be used.
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-meta',
    validFrom: at('2026-06-01T00:00:00Z'),
    metadata: { flavor: 'small' },
  });
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-meta',
    validFrom: at('2026-06-01T12:00:00Z'),
    metadata: { flavor: 'large' },
  });
  await t.services.resources.setMetadata(SYSTEM, {
    resource: 'vm-meta',
    validFrom: at('2026-07-01T00:00:00Z'),
    metadata: { flavor: 'xl' },
  });
  await t.services.ingestion.reportUsage(SYSTEM, [
    ...hourly('m.meta', '2026-06-01T00:00:00Z', 24, { resource: 'vm-meta', volume: 2 }),
    { project: 'p', meter: 'm.meta', start: at('2026-06-01T05:00:00Z'), volume: 7 },
  ]);
  // A report, then its overwrite: it counts once, with the second volume.
  await t.services.ingestion.reportUsage(SYSTEM, [{ project: 'p', meter: 'm.over', start: at('2026-04-01T00:00:00Z'), volume: 5 }]);
  await t.services.ingestion.reportUsage(SYSTEM, [{ project: 'p', meter: 'm.over', start: at('2026-04-01T00:00:00Z'), volume: 7 }]);
});
afterAll(() => closeTestApi({ t, api }));

describe('calendar periods in a time zone', () => {
  test('Europe/Berlin days are 25 hours at the October change and 23 at the March one', async () => {
    const autumn = await stats({
      meters: ['m.berlin'],
      from: '2026-10-25T00:00:00+02:00',
      to: '2026-10-27T00:00:00+01:00',
      period: { unit: 'DAY' },
      timeZone: 'Europe/Berlin',
    });
    expect(pick(autumn.rows, 'periodStart', 'periodEnd', 'count', 'sum')).toEqual([
      { periodStart: '2026-10-24T22:00:00.000Z', periodEnd: '2026-10-25T23:00:00.000Z', count: 25, sum: 25 },
      { periodStart: '2026-10-25T23:00:00.000Z', periodEnd: '2026-10-26T23:00:00.000Z', count: 24, sum: 24 },
    ]);
    const spring = await stats({
      meters: ['m.berlin'],
      from: '2026-03-29T00:00:00+01:00',
      to: '2026-03-31T00:00:00+02:00',
      period: { unit: 'DAY' },
      timeZone: 'Europe/Berlin',
    });
    expect(pick(spring.rows, 'periodStart', 'periodEnd', 'count')).toEqual([
      { periodStart: '2026-03-28T23:00:00.000Z', periodEnd: '2026-03-29T22:00:00.000Z', count: 23 },
      { periodStart: '2026-03-29T22:00:00.000Z', periodEnd: '2026-03-30T22:00:00.000Z', count: 24 },
    ]);
  });

  test('the 25-hour Berlin day has 25 hourly periods, none doubled', async () => {
    const hours = await stats({
      meters: ['m.berlin'],
      from: '2026-10-24T22:00:00Z',
      to: '2026-10-25T23:00:00Z',
      period: { unit: 'HOUR' },
      timeZone: 'Europe/Berlin',
    });
    expect(hours.rows).toHaveLength(25);
    hours.rows.forEach((row: { periodStart: string; periodEnd: string; count: number }, i: number) => {
      expect(row).toMatchObject({
        periodStart: iso(Date.parse('2026-10-24T22:00:00Z') + i * H),
        periodEnd: iso(Date.parse('2026-10-24T22:00:00Z') + (i + 1) * H),
        count: 1,
      });
    });
    // Six-hour periods follow the wall clock: 00:00 to 06:00 on the long day lasts 7 hours.
    const sixes = await stats({
      meters: ['m.berlin'],
      from: '2026-10-24T22:00:00Z',
      to: '2026-10-25T23:00:00Z',
      period: { unit: 'HOUR', size: 6 },
      timeZone: 'Europe/Berlin',
    });
    expect(pick(sixes.rows, 'periodStart', 'count')).toEqual([
      { periodStart: '2026-10-24T22:00:00.000Z', count: 7 },
      { periodStart: '2026-10-25T05:00:00.000Z', count: 6 },
      { periodStart: '2026-10-25T11:00:00.000Z', count: 6 },
      { periodStart: '2026-10-25T17:00:00.000Z', count: 6 },
    ]);
  });

  test('the 23-hour Berlin day has 23 hourly periods: the skipped hour has none', async () => {
    const hours = await stats({
      meters: ['m.berlin'],
      from: '2026-03-28T23:00:00Z',
      to: '2026-03-29T22:00:00Z',
      period: { unit: 'HOUR' },
      timeZone: 'Europe/Berlin',
    });
    expect(hours.rows.map((r: { periodStart: string }) => r.periodStart)).toEqual(
      Array.from({ length: 23 }, (_, i) => iso(Date.parse('2026-03-28T23:00:00Z') + i * H)),
    );
    // Hours in India (+05:30) start at local :00, which is :30 UTC.
    const india = await stats({
      meters: ['m.berlin'],
      from: '2026-03-28T23:00:00Z',
      to: '2026-03-29T02:00:00Z',
      period: { unit: 'HOUR' },
      timeZone: 'Asia/Kolkata',
    });
    expect(pick(india.rows, 'periodStart', 'periodEnd', 'count')).toEqual([
      { periodStart: '2026-03-28T23:00:00.000Z', periodEnd: '2026-03-28T23:30:00.000Z', count: 1 },
      { periodStart: '2026-03-28T23:30:00.000Z', periodEnd: '2026-03-29T00:30:00.000Z', count: 1 },
      { periodStart: '2026-03-29T00:30:00.000Z', periodEnd: '2026-03-29T01:30:00.000Z', count: 1 },
    ]);
  });

  test('America/New_York days at both changes', async () => {
    const march = await stats({
      meters: ['m.ny'],
      from: '2026-03-08T05:00:00Z',
      to: '2026-03-10T04:00:00Z',
      period: { unit: 'DAY' },
      timeZone: 'America/New_York',
    });
    expect(pick(march.rows, 'periodStart', 'periodEnd', 'count')).toEqual([
      { periodStart: '2026-03-08T05:00:00.000Z', periodEnd: '2026-03-09T04:00:00.000Z', count: 23 },
      { periodStart: '2026-03-09T04:00:00.000Z', periodEnd: '2026-03-10T04:00:00.000Z', count: 24 },
    ]);
    const november = await stats({
      meters: ['m.ny'],
      from: '2026-11-01T00:00:00-04:00',
      to: '2026-11-03T00:00:00-05:00',
      period: { unit: 'DAY' },
      timeZone: 'America/New_York',
    });
    expect(pick(november.rows, 'periodStart', 'periodEnd', 'count')).toEqual([
      { periodStart: '2026-11-01T04:00:00.000Z', periodEnd: '2026-11-02T05:00:00.000Z', count: 25 },
      { periodStart: '2026-11-02T05:00:00.000Z', periodEnd: '2026-11-03T05:00:00.000Z', count: 24 },
    ]);
  });

  test('months, quarters and years of Asia/Tokyo; ISO weeks of America/New_York', async () => {
    const tokyo = { meters: ['m.cal'], filter: { sources: ['tokyo'] }, timeZone: 'Asia/Tokyo' };
    const months = await stats({ ...tokyo, from: '2026-09-01T00:00:00+09:00', to: '2026-12-01T00:00:00+09:00', period: { unit: 'MONTH' } });
    expect(pick(months.rows, 'periodStart', 'periodEnd', 'sum')).toEqual([
      { periodStart: '2026-08-31T15:00:00.000Z', periodEnd: '2026-09-30T15:00:00.000Z', sum: 1 },
      { periodStart: '2026-09-30T15:00:00.000Z', periodEnd: '2026-10-31T15:00:00.000Z', sum: 2 },
      { periodStart: '2026-10-31T15:00:00.000Z', periodEnd: '2026-11-30T15:00:00.000Z', sum: 1 },
    ]);
    // The same instants in UTC months: September holds two of them.
    const utc = await stats({
      ...tokyo,
      timeZone: 'UTC',
      from: '2026-09-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      period: { unit: 'MONTH' },
    });
    expect(pick(utc.rows, 'periodStart', 'sum')).toEqual([
      { periodStart: '2026-09-01T00:00:00.000Z', sum: 2 },
      { periodStart: '2026-10-01T00:00:00.000Z', sum: 2 },
    ]);
    const twoMonths = await stats({
      ...tokyo,
      from: '2026-09-01T00:00:00+09:00',
      to: '2026-12-01T00:00:00+09:00',
      period: { unit: 'MONTH', size: 2 },
    });
    expect(pick(twoMonths.rows, 'periodStart', 'periodEnd', 'sum')).toEqual([
      { periodStart: '2026-08-31T15:00:00.000Z', periodEnd: '2026-10-31T15:00:00.000Z', sum: 3 },
      { periodStart: '2026-10-31T15:00:00.000Z', periodEnd: '2026-11-30T15:00:00.000Z', sum: 1 },
    ]);
    const quarters = await stats({
      ...tokyo,
      from: '2026-07-01T00:00:00+09:00',
      to: '2027-01-01T00:00:00+09:00',
      period: { unit: 'QUARTER' },
    });
    expect(pick(quarters.rows, 'periodStart', 'periodEnd', 'sum')).toEqual([
      { periodStart: '2026-06-30T15:00:00.000Z', periodEnd: '2026-09-30T15:00:00.000Z', sum: 1 },
      { periodStart: '2026-09-30T15:00:00.000Z', periodEnd: '2026-12-31T15:00:00.000Z', sum: 3 },
    ]);
    const year = await stats({ ...tokyo, from: '2026-09-30T15:00:00Z', to: '2027-06-01T00:00:00Z', period: { unit: 'YEAR' } });
    expect(pick(year.rows, 'periodStart', 'periodEnd', 'sum')).toEqual([
      { periodStart: '2026-09-30T15:00:00.000Z', periodEnd: '2026-12-31T15:00:00.000Z', sum: 3 },
    ]);

    const weeks = await stats({
      meters: ['m.cal'],
      filter: { sources: ['ny'] },
      timeZone: 'America/New_York',
      from: '2026-10-26T04:00:00Z',
      to: '2026-11-09T05:00:00Z',
      period: { unit: 'WEEK' },
    });
    expect(pick(weeks.rows, 'periodStart', 'periodEnd', 'sum')).toEqual([
      { periodStart: '2026-10-26T04:00:00.000Z', periodEnd: '2026-11-02T05:00:00.000Z', sum: 1 },
      { periodStart: '2026-11-02T05:00:00.000Z', periodEnd: '2026-11-09T05:00:00.000Z', sum: 1 },
    ]);
  });

  test('the first and last periods are clipped to [from, to); a record at `to` is out; empty periods are omitted', async () => {
    const clipped = await stats({
      meters: ['m.berlin'],
      from: '2026-10-25T10:00:00Z',
      to: '2026-10-26T00:00:00Z',
      period: { unit: 'DAY' },
      timeZone: 'Europe/Berlin',
    });
    expect(pick(clipped.rows, 'periodStart', 'periodEnd', 'count')).toEqual([
      { periodStart: '2026-10-25T10:00:00.000Z', periodEnd: '2026-10-25T23:00:00.000Z', count: 13 },
      { periodStart: '2026-10-25T23:00:00.000Z', periodEnd: '2026-10-26T00:00:00.000Z', count: 1 },
    ]);
    const gap = await stats({ meters: ['m.disc'], from: '2026-03-30T00:00:00Z', to: '2026-04-03T10:00:00Z', period: { unit: 'DAY' } });
    expect(pick(gap.rows, 'periodStart', 'count')).toEqual([
      { periodStart: '2026-04-01T00:00:00.000Z', count: 1 },
      { periodStart: '2026-04-02T00:00:00.000Z', count: 1 },
    ]);
    expect(gap).toMatchObject({
      from: '2026-03-30T00:00:00.000Z',
      to: '2026-04-03T10:00:00.000Z',
      timeZone: 'UTC',
      prorate: false,
      period: { unit: 'DAY', size: 1 },
    });
  });
});

describe('proration', () => {
  test('a job across three days counts wholly on its first day, or pro rata with prorate', async () => {
    const input = { meters: ['m.pro'], from: '2026-04-01T00:00:00Z', to: '2026-04-04T00:00:00Z', period: { unit: 'DAY' } };
    const whole = await stats(input);
    expect(pick(whole.rows, 'periodStart', 'count', 'sum', 'weightedSum', 'durationSum')).toEqual([
      { periodStart: '2026-04-01T00:00:00.000Z', count: 1, sum: 36, weightedSum: 18, durationSum: 129600 },
      { periodStart: '2026-04-02T00:00:00.000Z', count: 1, sum: 5, weightedSum: 5, durationSum: null },
    ]);
    // 6 of 36 hours on the 1st, 24 on the 2nd (with the discrete event's 5), 6 on the 3rd.
    const prorated = await stats({ ...input, prorate: true });
    expect(pick(prorated.rows, 'periodStart', 'count', 'sum', 'weightedSum', 'durationSum', 'durationAvg', 'min', 'max')).toEqual([
      { periodStart: '2026-04-01T00:00:00.000Z', count: 1, sum: 6, weightedSum: 3, durationSum: 21600, durationAvg: 21600, min: 6, max: 6 },
      {
        periodStart: '2026-04-02T00:00:00.000Z',
        count: 2,
        sum: 29,
        weightedSum: 17,
        durationSum: 86400,
        durationAvg: 86400,
        min: 5,
        max: 24,
      },
      { periodStart: '2026-04-03T00:00:00.000Z', count: 1, sum: 6, weightedSum: 3, durationSum: 21600, durationAvg: 21600, min: 6, max: 6 },
    ]);
    const hourly = await stats({ ...input, prorate: true, period: { unit: 'HOUR' } });
    expect(hourly.rows).toHaveLength(36);
    expect(hourly.rows.reduce((s: number, r: { sum: number }) => s + r.sum, 0)).toBeCloseTo(41, 9);
  });

  test('a record that began long before `from` still has its share: the longest record of its meter bounds the read', async () => {
    // 40 days, of which the last 12 hours fall on April 2nd, 00:00-12:00.
    await t.services.ingestion.reportUsage(SYSTEM, [
      { project: 'long', meter: 'm.pro', start: at('2026-02-21T12:00:00Z'), end: at('2026-04-02T12:00:00Z'), volume: 960, user: 'lena' },
    ]);
    expect(await t.sql("SELECT max_seconds FROM record_durations d JOIN projects p ON p.id = d.project_id WHERE p.name = 'long'")).toEqual([
      { max_seconds: 40 * 86400 },
    ]);
    const { rows } = await stats({
      meters: ['m.pro'],
      from: '2026-04-02T00:00:00Z',
      to: '2026-04-02T12:00:00Z',
      prorate: true,
      filter: { users: ['lena'] },
    });
    expect(pick(rows, 'count', 'sum', 'durationSum')).toEqual([{ count: 1, sum: 12, durationSum: 43200 }]);
    // Overwritten, it counts with its new volume.
    await t.services.ingestion.reportUsage(SYSTEM, [
      { project: 'long', meter: 'm.pro', start: at('2026-02-21T12:00:00Z'), end: at('2026-04-02T12:00:00Z'), volume: 480, user: 'lena' },
    ]);
    const again = await stats({
      meters: ['m.pro'],
      from: '2026-04-02T00:00:00Z',
      to: '2026-04-02T12:00:00Z',
      prorate: true,
      filter: { users: ['lena'] },
    });
    expect(pick(again.rows, 'sum')).toEqual([{ sum: 6 }]);
  });

  test('with prorate the range itself takes the share of a record that started before it', async () => {
    const range = { meters: ['m.pro'], from: '2026-04-02T00:00:00Z', to: '2026-04-02T12:00:00Z', filter: { projects: ['p'] } };
    expect(pick((await stats({ ...range, prorate: true })).rows, 'periodStart', 'periodEnd', 'count', 'sum', 'durationSum')).toEqual([
      { periodStart: '2026-04-02T00:00:00.000Z', periodEnd: '2026-04-02T12:00:00.000Z', count: 1, sum: 12, durationSum: 43200 },
    ]);
    expect((await stats(range)).rows).toEqual([]);
  });
});

describe('values and groups', () => {
  test('count, operations, sum, avg, min, max, population stddev, durations', async () => {
    const { rows } = await stats({ meters: ['m.stats'], from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' });
    expect(rows).toEqual([
      {
        meter: 'm.stats',
        unit: 'h',
        metric: null,
        component: 'compute',
        user: null,
        project: null,
        computeProject: null,
        source: null,
        resource: null,
        partition: null,
        priority: null,
        metadata: null,
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        count: 4,
        operations: 10,
        sum: 10,
        avg: 2.5,
        min: 1,
        max: 4,
        stddev: Math.sqrt(1.25),
        weightedSum: 10,
        durationSum: 36000,
        durationAvg: 9000,
      },
    ]);
  });

  test('each measure asked alone, or in a fragment, answers as when all are asked; a row asking for none still exists', async () => {
    const input = { meters: ['m.stats', 'm.berlin'], from: '2026-03-01T00:00:00Z', to: '2026-11-01T00:00:00Z', period: { unit: 'MONTH' } };
    const all = await stats(input);
    expect(all.rows.length).toBeGreaterThan(2);
    const measures = ['count', 'operations', 'sum', 'avg', 'min', 'max', 'stddev', 'weightedSum', 'durationSum', 'durationAvg'];
    const rowsOf = async (query: string) => dataOf(await api.gql(query, { input })).usageStatistics.rows as Record<string, unknown>[];
    for (const [i, measure] of measures.entries()) {
      const query = [
        `query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { rows { meter periodStart ${measure} } } }`,
        `query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { rows { ...R } } } fragment R on UsageStatisticsRow { meter periodStart ${measure} }`,
        `query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { ... on UsageStatistics { rows { meter ... on UsageStatisticsRow { periodStart ${measure} } } } } }`,
      ][i % 3];
      expect([measure, await rowsOf(query)]).toEqual([measure, pick(all.rows, 'meter', 'periodStart', measure)]);
    }
    // Two measures, and none: the rows are the same rows.
    expect(await rowsOf(`query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { rows { stddev sum } } }`)).toEqual(
      pick(all.rows, 'stddev', 'sum'),
    );
    expect(
      await rowsOf(`query S($input: UsageStatisticsInput!) { usageStatistics(input: $input) { rows { meter periodStart } } }`),
    ).toEqual(pick(all.rows, 'meter', 'periodStart'));
  });

  test('grouped by user, project and partition', async () => {
    const { rows } = await stats({
      meters: ['m.stats'],
      from: '2026-04-01T00:00:00Z',
      to: '2026-05-01T00:00:00Z',
      groupBy: ['USER', 'PROJECT', 'PARTITION'],
    });
    expect(pick(rows, 'user', 'project', 'partition', 'sum')).toEqual([
      { user: 'ann', project: 'even', partition: null, sum: 2 },
      { user: 'ann', project: 'odd', partition: null, sum: 1 },
      { user: 'ben', project: 'even', partition: 'big', sum: 4 },
      { user: 'ben', project: 'odd', partition: null, sum: 3 },
    ]);
  });

  test('contingent factor 0 shows in the sum but not in the weighted sum', async () => {
    const { rows } = await stats({ meters: ['m.cf'], from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z' });
    expect(pick(rows, 'count', 'sum', 'weightedSum')).toEqual([{ count: 2, sum: 14, weightedSum: 6 }]);
  });

  test('discrete events count at their start, have no duration, and are not split by prorate', async () => {
    for (const prorate of [false, true]) {
      const { rows } = await stats({ meters: ['m.disc'], from: '2026-04-01T00:00:00Z', to: '2026-04-04T00:00:00Z', prorate });
      expect(pick(rows, 'count', 'sum', 'durationSum', 'durationAvg')).toEqual([
        { count: 3, sum: 3, durationSum: null, durationAvg: null },
      ]);
    }
  });

  test('an overwritten report counts once, with its latest content', async () => {
    const { rows } = await stats({ meters: ['m.over'], from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z' });
    expect(pick(rows, 'count', 'sum')).toEqual([{ count: 1, sum: 7 }]);
  });

  test("groupByMetadata takes the metadata valid at each record's start, not today's", async () => {
    const { rows } = await stats({
      meters: ['m.meta'],
      from: '2026-06-01T00:00:00Z',
      to: '2026-06-02T00:00:00Z',
      groupByMetadata: ['flavor'],
    });
    expect(pick(rows, 'metadata', 'count', 'sum')).toEqual([
      { metadata: { flavor: 'large' }, count: 12, sum: 24 },
      { metadata: { flavor: 'small' }, count: 12, sum: 24 },
      { metadata: { flavor: null }, count: 1, sum: 7 },
    ]);
    const filtered = await stats({
      meters: ['m.meta'],
      from: '2026-06-01T00:00:00Z',
      to: '2026-06-02T00:00:00Z',
      filter: { metadata: { flavor: 'small' } },
    });
    expect(pick(filtered.rows, 'count', 'sum')).toEqual([{ count: 12, sum: 24 }]);
  });

  test('additional metrics aggregate by name, grouped like meters', async () => {
    const { rows } = await stats({
      metrics: ['energy_kwh'],
      from: '2026-04-01T00:00:00Z',
      to: '2026-05-01T00:00:00Z',
      groupBy: ['USER', 'COMPONENT'],
    });
    expect(pick(rows, 'meter', 'metric', 'component', 'user', 'count', 'sum', 'weightedSum', 'durationSum')).toEqual([
      { meter: null, metric: 'energy_kwh', component: 'compute', user: 'ann', count: 2, sum: 0.3, weightedSum: 0.6, durationSum: 10800 },
      { meter: null, metric: 'energy_kwh', component: 'compute', user: 'ben', count: 2, sum: 0.7, weightedSum: 1.4, durationSum: 25200 },
    ]);
  });

  test('sums are exact decimal sums, not floating-point ones', async () => {
    const volumes = Array.from({ length: 1000 }, (_, i) => [0.1, 0.2, 1e-7, 12345.6789, 3.3][i % 5]);
    await t.services.ingestion.reportUsage(
      SYSTEM,
      volumes.map((volume, i) => ({ project: 'p', meter: 'm.exact', start: new Date(Date.UTC(2026, 7, 1) + i * 60_000), volume })),
    );
    const scale = 10n ** 12n;
    const exact = volumes.reduce((s, v) => s + BigInt(Math.round(v * 1e12)), 0n);
    const expected = Number(exact / scale) + Number(exact % scale) / 1e12;
    const floating = volumes.reduce((s, v) => s + v, 0);
    const { rows } = await stats({ meters: ['m.exact'], from: '2026-08-01T00:00:00Z', to: '2026-09-01T00:00:00Z' });
    expect(Math.abs(rows[0].sum - expected) / expected).toBeLessThan(1e-12);
    expect(floating).not.toBe(expected);
  });

  test('resource usage: per-meter statistics of one resource', async () => {
    const q = `{ resource(id: "vm-meta") { usage(from: "2026-06-01T06:00:00Z", to: "2026-06-01T18:00:00Z") { meter count sum durationSum } } }`;
    expect(dataOf(await api.gql(q)).resource.usage).toEqual([{ meter: 'm.meta', count: 12, sum: 24, durationSum: 43200 }]);
  });

  test('the aggregation is one SQL statement, whatever the periods and groups', async () => {
    const spy = jest.spyOn(Client.prototype, 'query');
    await stats({
      meters: ['m.berlin', 'm.ny'],
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      period: { unit: 'HOUR' },
      timeZone: 'Europe/Berlin',
      prorate: true,
      groupBy: ['USER', 'SOURCE'],
      groupByMetadata: ['flavor'],
    });
    const texts = spy.mock.calls.map((c) => String(typeof c[0] === 'string' ? c[0] : (c[0] as { text: string }).text));
    spy.mockRestore();
    expect(texts.filter((s) => s.includes('usage_events'))).toHaveLength(1);
    expect(texts.length).toBeLessThanOrEqual(2);
  });
});

describe('bad input', () => {
  test.each([
    [{ from: '2026-04-02T00:00:00Z', to: '2026-04-01T00:00:00Z' }, ['input', 'to'], 'must be after from'],
    [
      { period: { unit: 'MINUTE' }, from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' },
      ['input', 'period'],
      'more than 100000 periods',
    ],
    [{ period: { unit: 'DAY', size: 0 } }, ['input', 'period', 'size'], 'whole number from 1'],
    [{ timeZone: 'Mars/Olympus_Mons' }, ['input', 'timeZone'], 'is not a time zone that both meterql and its database know'],
    [{ timeZone: 'UTC+3' }, ['input', 'timeZone'], 'is not a time zone that both meterql and its database know'],
    [{ meters: ['m.stats', 'no.such'] }, ['input', 'meters', 1], 'meter "no.such" is not defined'],
    [{ meters: null, metrics: ['no_such_metric'] }, ['input', 'metrics', 0], 'no record has the metric'],
    [{ meters: [] }, ['input', 'meters'], 'give a non-empty list of meters'],
    [{ metrics: ['energy_kwh'] }, ['input', 'meters'], 'but not both'],
    [{ groupByMetadata: ['flavor', "x') OR 1=1 --"] }, ['input', 'groupByMetadata', 1], 'not a plain identifier'],
  ])('%j is a BAD_USER_INPUT at %j', async (override, path, message) => {
    const response = await api.gql(STATS, {
      input: { meters: ['m.stats'], from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z', ...override },
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].extensions?.problems).toEqual([{ path, message: expect.stringContaining(message) }]);
  });
});

describe('periods', () => {
  const PERIODS =
    'query P($input: UsageStatisticsInput!) { usageStatistics(input: $input) { periods { start end } rows { periodStart } } }';
  const periods = async (input: Record<string, unknown>) =>
    dataOf(await api.gql(PERIODS, { input: { meters: ['m.stats'], ...input } })).usageStatistics.periods;

  test('days of Berlin across the change to summer time: 23 hours, then 24; the range clips the first and last', async () => {
    expect(
      await periods({ from: '2026-03-28T12:00:00Z', to: '2026-03-30T12:00:00Z', period: { unit: 'DAY' }, timeZone: 'Europe/Berlin' }),
    ).toEqual([
      { start: '2026-03-28T12:00:00.000Z', end: '2026-03-28T23:00:00.000Z' },
      { start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' },
      { start: '2026-03-29T22:00:00.000Z', end: '2026-03-30T12:00:00.000Z' },
    ]);
  });

  test('hours of New York in the autumn: the repeated hour is two periods', async () => {
    const hours = await periods({
      from: '2026-11-01T04:00:00Z',
      to: '2026-11-01T08:00:00Z',
      period: { unit: 'HOUR' },
      timeZone: 'America/New_York',
    });
    expect(hours.map((p: { start: string }) => p.start)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  test('without a period, [from, to) itself; every row starts one of them', async () => {
    expect(await periods({ from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' })).toEqual([
      { start: '2026-04-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z' },
    ]);
    const { periods: weeks, rows } = dataOf(
      await api.gql(PERIODS, {
        input: { meters: ['m.stats'], from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z', period: { unit: 'WEEK' } },
      }),
    ).usageStatistics;
    expect(weeks).toHaveLength(5);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(weeks.map((p: { start: string }) => p.start)).toContain(row.periodStart);
  });
});
