import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { assertBuilt, browserTestsAvailable, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dataOf, startTestServer, type TestServer } from '../helpers/server';

/**
 * The dashboard's money and contingents on the demo data: costs in statistics, the chargeback
 * and its CSV, and contingents against their periods, each figure the API's for the same query.
 */
declare const document: any;

interface CostRow {
  meter: string;
  partition: string | null;
  sum: number;
  count: number;
  cost: string | null;
  weightedCost: string | null;
  currency: string | null;
  unpricedCount: number | null;
  unpricedVolume: number | null;
}
interface ChargebackRow {
  project: string;
  resource: string | null;
  periodStart: string;
  periodEnd: string;
  currency: string | null;
  allocationMinutes: string;
  allocationCost: string | null;
  fixedCost: string | null;
  total: string | null;
}

const COSTS = `query ($input: UsageStatisticsInput!) {
  usageStatistics(input: $input) { rows { meter partition sum count cost weightedCost currency unpricedCount unpricedVolume } }
}`;
const WEIGHTED = `query ($input: UsageStatisticsInput!) { usageStatistics(input: $input) { rows { weightedSum } } }`;
const CHARGEBACK = `query ($input: ChargebackInput!) {
  chargeback(input: $input) { rows { project resource periodStart periodEnd currency allocationMinutes allocationCost fixedCost total } }
}`;
const SET = `mutation ($c: SetContingentInput!) { setContingent(input: $c) { id } }`;
const STATUS = `query ($project: String!, $at: DateTime!) {
  contingentStatus(project: $project, at: $at) { contingent { id } used remaining shareUsed projectedUse }
}`;

const FIELDS = [
  'project',
  'resource',
  'periodStart',
  'periodEnd',
  'currency',
  'allocationMinutes',
  'allocationCost',
  'fixedCost',
  'total',
] as const;

/** An exact sum of decimal strings, written without trailing zeros (as the API writes them). */
function sumDecimals(values: (string | null)[]): string {
  const SCALE = 12;
  const scaled = values
    .filter((v): v is string => v !== null)
    .map((v) => {
      const negative = v.startsWith('-');
      const [whole, fraction = ''] = v.replace('-', '').split('.');
      const n = BigInt(whole) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, '0'));
      return negative ? -n : n;
    });
  const total = scaled.reduce((a, b) => a + b, 0n);
  const digits = (total < 0n ? -total : total).toString().padStart(SCALE + 1, '0');
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return `${total < 0n ? '-' : ''}${digits.slice(0, -SCALE)}${fraction ? `.${fraction}` : ''}`;
}

const money = (value: string, currency: string | null) =>
  new Intl.NumberFormat('en-US', {
    ...(currency ? { style: 'currency', currency } : {}),
    minimumFractionDigits: 2,
    maximumFractionDigits: 6,
  }).format(value as unknown as number);
const format = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 }).format(value);

const describeBrowser = browserTestsAvailable() ? describe : describe.skip;

describeBrowser('the dashboard’s money and contingents', () => {
  let t: TestDatabase;
  let api: TestServer;
  let browser: TestBrowser;
  let origin: string;
  const ids: Record<string, string> = {};

  const costs = async (input: Record<string, unknown>): Promise<CostRow[]> =>
    dataOf(await api.gql<{ usageStatistics: { rows: CostRow[] } }>(COSTS, { input })).usageStatistics.rows;
  const chargeback = async (input: Record<string, unknown>): Promise<ChargebackRow[]> =>
    dataOf(await api.gql<{ chargeback: { rows: ChargebackRow[] } }>(CHARGEBACK, { input })).chargeback.rows;

  /** The chargeback table as shown: its body rows and its totals, each field's exact value and its text. */
  const shownChargeback = (page: Page, part: 'tbody' | 'tfoot') =>
    page.locator(`[data-testid=chargeback] ${part} tr`).evaluateAll((trs) =>
      trs.map((tr) => {
        const cell = (field: string) => tr.querySelector(`[data-field="${field}"]`)!;
        const value = (field: string) => cell(field).getAttribute('data-value') || null;
        return {
          project: tr.getAttribute('data-project'),
          resource: tr.getAttribute('data-resource') || null,
          periodStart: tr.getAttribute('data-start'),
          periodEnd: tr.getAttribute('data-end'),
          currency: tr.getAttribute('data-currency') || null,
          allocationMinutes: value('allocationMinutes')!,
          allocationCost: value('allocationCost'),
          fixedCost: value('fixedCost'),
          total: value('total'),
          totalText: cell('total').textContent,
        };
      }),
    );
  const downloadCsv = async (page: Page) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
  };
  const csvOf = (rows: ChargebackRow[]) =>
    [FIELDS.join(','), ...rows.map((row) => FIELDS.map((f) => row[f] ?? '').join(','))].map((line) => `${line}\r\n`).join('');
  const totalsOf = (rows: ChargebackRow[]) =>
    [...new Set(rows.map((r) => r.currency))].map((currency) => {
      const of = rows.filter((r) => r.currency === currency);
      const sum = (field: 'allocationCost' | 'fixedCost' | 'total') =>
        of.some((r) => r[field] !== null) ? sumDecimals(of.map((r) => r[field])) : null;
      return {
        currency,
        allocationMinutes: sumDecimals(of.map((r) => r.allocationMinutes)),
        allocationCost: sum('allocationCost'),
        fixedCost: sum('fixedCost'),
        total: sum('total'),
      };
    });

  /** A contingent's figures as its card shows them. */
  const figures = (page: Page, id: string) =>
    page
      .locator(`[data-contingent="${id}"] [data-testid=figures] dd[data-field]`)
      .evaluateAll((dds) =>
        Object.fromEntries(
          dds.map((dd) => [
            dd.getAttribute('data-field'),
            dd.getAttribute('data-value') === '' ? null : Number(dd.getAttribute('data-value')),
          ]),
        ),
      );

  beforeAll(async () => {
    assertBuilt();
    t = await createTestDatabase({ demo: true });
    api = await startTestServer(t.services, { landingPage: true });
    origin = new URL(api.url).origin;
    const set = async (c: Record<string, unknown>) => dataOf(await api.gql(SET, { c })).setContingent.id as string;
    ids.month = await set({
      project: 'astro',
      meter: 'job.core_hours',
      period: 'MONTH',
      from: '2026-10-01T00:00:00Z',
      amount: 100000,
      description: 'HPC allocation',
    });
    ids.custom = await set({
      project: 'astro',
      meter: 'cpu.hours',
      period: 'CUSTOM',
      from: '2026-10-10T00:00:00Z',
      to: '2026-11-10T00:00:00Z',
      amount: 4000,
    });
    ids.climate = await set({ project: 'climate', meter: 'gpu.hours', period: 'MONTH', from: '2026-10-01T00:00:00Z', amount: 500 });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await t?.drop();
  });
  afterEach(() => {
    expect(browser.external).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  const october = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', timeZone: 'UTC' };

  test('cost and weighted cost, in the currency of the prices, are the API’s to the last digit; unpriced usage is said', async () => {
    const { page } = browser;
    for (const measure of ['cost', 'weightedCost'] as const) {
      await page.goto(
        `${origin}/dashboard?meter=job.core_hours&meter=instance.create&from=2026-10-01&to=2026-10-31&tz=UTC&period=WEEK&group=PARTITION&measure=${measure}`,
      );
      const section = page.locator('section[data-meter="job.core_hours"]');
      await section.locator('[data-testid=top] tbody tr').first().waitFor();
      const rows = await costs({ ...october, meters: ['job.core_hours'], groupBy: ['PARTITION'] });
      expect(rows.map((r) => r.currency)).toEqual(['EUR', 'EUR']);
      const shown = await section.locator('[data-testid=top] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          partition: tr.getAttribute('data-group'),
          cost: tr.querySelector('[data-field=cost]')!.getAttribute('data-value'),
          costText: tr.querySelector('[data-field=cost]')!.textContent,
          weightedCost: tr.querySelector('[data-field=weightedCost]')!.getAttribute('data-value'),
        })),
      );
      const expected = [...rows]
        .sort((a, b) => Number(b[measure]) - Number(a[measure]))
        .map((r) => ({ partition: r.partition, cost: r.cost, costText: money(r.cost!, 'EUR'), weightedCost: r.weightedCost }));
      expect(shown).toEqual(expected);
      const total = sumDecimals(rows.map((r) => r[measure]));
      await expect(section.getByTestId('total').getAttribute('data-value')).resolves.toBe(total);
      await expect(section.getByTestId('total').textContent()).resolves.toBe(money(total, 'EUR'));
      await expect(section.locator('[data-testid=top] thead').textContent()).resolves.toContain('Weighted cost (EUR)');

      // Instance creations have no price card: no cost, and how much of them is said.
      const free = await costs({ ...october, meters: ['instance.create'], groupBy: ['PARTITION'] });
      expect(free.map((r) => [r.cost, r.unpricedCount])).toEqual([[null, 3]]);
      const unpriced = page.locator('section[data-meter="instance.create"] [data-testid=unpriced]');
      await expect(unpriced.textContent()).resolves.toBe(
        `${free[0].unpricedCount} records (${format(free[0].unpricedVolume!)} instance) had no price card: they are not in the cost.`,
      );
      await expect(page.locator('section[data-meter="instance.create"] [data-field=cost]').first().textContent()).resolves.toBe('no price');
    }
    await screenshot(page, 'dashboard-cost');
  });

  test('the chargeback per project over the range, and its CSV, are exactly the API’s rows', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard?tab=chargeback&meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC`);
    await page.locator('[data-testid=chargeback] tbody tr').first().waitFor();
    const rows = await chargeback({ ...october, period: 'PERIOD', detail: false });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const shown = await shownChargeback(page, 'tbody');
    expect(shown.map(({ totalText, ...row }) => row)).toEqual(rows);
    expect(shown.map((r) => r.totalText)).toEqual(rows.map((r) => (r.total === null ? 'no price' : money(r.total, r.currency))));
    const totals = await shownChargeback(page, 'tfoot');
    expect(
      totals.map(({ currency, allocationMinutes, allocationCost, fixedCost, total }) => ({
        currency,
        allocationMinutes,
        allocationCost,
        fixedCost,
        total,
      })),
    ).toEqual(totalsOf(rows));

    const csv = await downloadCsv(page);
    expect(csv.name).toBe('chargeback_2026-10-01_2026-10-31.csv');
    expect(csv.text).toBe(csvOf(rows));
    await screenshot(page, 'dashboard-chargeback');
  });

  test('the chargeback per day and resource, of one project and the meters picked: the API’s rows, adding up to its range row', async () => {
    const { page } = browser;
    await page.goto(
      `${origin}/dashboard?tab=chargeback&project=climate&meter=gpu.hours&from=2026-10-24&to=2026-10-26&tz=Europe%2FBerlin` +
        '&cb.by=PROJECT&cb.per=RANGE&cb.meters=ALL',
    );
    await page.locator('[data-testid=chargeback] tbody tr').first().waitFor();
    await page.getByLabel('Rows per').selectOption('RESOURCE');
    await page.getByLabel('Over').selectOption('DAY');
    await page.getByLabel('Usage of').selectOption('SHOWN');
    await page.waitForURL((url) => url.searchParams.get('cb.meters') === 'SHOWN');
    const input = {
      projects: ['climate'],
      from: '2026-10-23T22:00:00.000Z',
      to: '2026-10-26T23:00:00.000Z',
      timeZone: 'Europe/Berlin',
      meters: ['gpu.hours'],
    };
    const rows = await chargeback({ ...input, period: 'DAILY', detail: true });
    // Berlin's October 25th has 25 hours, and 1,500 GPU minutes.
    expect(rows.find((r) => r.resource === 'vm-climate-1' && r.periodStart === '2026-10-24T22:00:00.000Z')!.allocationMinutes).toBe('1500');
    await page.locator('[data-testid=chargeback] tbody tr[data-resource="vm-climate-1"]').first().waitFor();
    const shown = await shownChargeback(page, 'tbody');
    expect(shown.map(({ totalText, ...row }) => row)).toEqual(rows);
    const [range] = await chargeback({ ...input, period: 'PERIOD', detail: false });
    const [sum] = await shownChargeback(page, 'tfoot');
    expect([sum.allocationMinutes, sum.allocationCost, sum.fixedCost, sum.total]).toEqual([
      range.allocationMinutes,
      range.allocationCost,
      range.fixedCost,
      range.total,
    ]);
    expect(await page.locator('[data-testid=chargeback] tbody td:nth-child(3)').allTextContents()).toContain('Sun, Oct 25, 2026 (25 h)');

    const csv = await downloadCsv(page);
    expect(csv.name).toBe('chargeback_2026-10-24_2026-10-26_daily_by-resource.csv');
    expect(csv.text).toBe(csvOf(rows));
  });

  test('contingents of the picked projects, drawn against their periods: in progress as contingentStatus answers, over with their final use', async () => {
    const { page } = browser;
    // Halfway through October (the range ends on the 16th at 00:00): both of astro's in progress.
    await page.goto(`${origin}/dashboard?tab=contingents&project=astro&meter=cpu.hours&from=2026-10-01&to=2026-10-15&tz=UTC`);
    await page.locator(`[data-contingent="${ids.month}"] [data-testid=figures]`).waitFor();
    await page.locator(`[data-contingent="${ids.custom}"] [data-testid=figures]`).waitFor();
    expect(await page.locator('article.contingent').evaluateAll((a) => a.map((e) => e.getAttribute('data-contingent')).sort())).toEqual(
      [ids.month, ids.custom].sort(),
    );
    const mid = dataOf(await api.gql(STATUS, { project: 'astro', at: '2026-10-16T00:00:00Z' })).contingentStatus;
    expect(mid.length).toBe(2);
    for (const status of mid) {
      const { contingent, ...expected } = status;
      expect(await figures(page, contingent.id)).toEqual(expected);
    }
    const month = mid.find((s: { contingent: { id: string } }) => s.contingent.id === ids.month);
    expect(month.used).toBe(49848.16);
    expect(month.projectedUse).toBeGreaterThan(100000);
    await expect(page.locator(`[data-contingent="${ids.month}"] [data-testid=overrun]`).textContent()).resolves.toBe(
      `At its pace so far, the period will use ${format(month.projectedUse - 100000)} core-h more than the contingent.`,
    );
    // The chart draws the use so far, the projection and the contingent's line.
    await expect(page.locator(`.contingent-chart[data-contingent="${ids.month}"] svg path`).count()).resolves.toBeGreaterThan(3);

    // The whole of October: the month is over (its final use is the month's weighted volume), the
    // custom period runs to November 10th.
    await page.goto(`${origin}/dashboard?tab=contingents&project=astro&meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC`);
    await page.locator(`[data-contingent="${ids.month}"] [data-testid=figures]`).getByText('ended: final figures').waitFor();
    const [{ weightedSum }] = dataOf(
      await api.gql(WEIGHTED, { input: { ...october, meters: ['job.core_hours'], filter: { projects: ['astro'] } } }),
    ).usageStatistics.rows;
    const ended = await figures(page, ids.month);
    expect(ended.used).toBeCloseTo(weightedSum, 6);
    expect(ended.remaining).toBeCloseTo(100000 - weightedSum, 6);
    const [custom] = dataOf(await api.gql(STATUS, { project: 'astro', at: '2026-11-01T00:00:00Z' })).contingentStatus;
    expect(custom.contingent.id).toBe(ids.custom);
    const { contingent, ...expected } = custom;
    expect(await figures(page, ids.custom)).toEqual(expected);

    // Without a project picked, every project's.
    await page.goto(`${origin}/dashboard?tab=contingents&meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC`);
    await page.locator(`[data-contingent="${ids.climate}"] [data-testid=figures]`).waitFor();
    await expect(page.locator('article.contingent').count()).resolves.toBe(3);
    await screenshot(page, 'dashboard-contingents');
  });

  test('at 390 px wide the chargeback and the contingents do not scroll the page sideways', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(
        `${origin}/dashboard?tab=chargeback&meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC&cb.by=RESOURCE&cb.per=DAY&cb.meters=ALL`,
      );
      await page.locator('[data-testid=chargeback] tbody tr').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByRole('tab', { name: 'Contingents' }).click();
      await page.locator(`[data-contingent="${ids.custom}"] [data-testid=figures]`).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'dashboard-contingents-390px');
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });
});
