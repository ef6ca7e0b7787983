import { axisScale, CHART_GRID, CHART_HEIGHT } from '../../web/dashboard/chart-layout';
import { assertBuilt, browserTestsAvailable, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dataOf, startTestServer, type TestServer } from '../helpers/server';
import type { Page } from 'playwright-core';

/**
 * The usage dashboard in headless Chromium on the demo data, offline: what it shows must be what
 * the API answers for the same query, and a bar's events those the API lists for its period and
 * group.
 */
interface Row {
  meter: string;
  periodStart: string;
  periodEnd: string;
  user: string | null;
  resource: string | null;
  count: number;
  sum: number;
  weightedSum: number;
}

const STATISTICS = `query ($input: UsageStatisticsInput!) {
  usageStatistics(input: $input) { rows { meter periodStart periodEnd user resource count sum weightedSum } }
}`;
const PER_PERIOD = `query ($input: UsageStatisticsInput!) {
  usageStatistics(input: $input) { periods { start end } rows { meter periodStart periodEnd user resource count sum weightedSum } }
}`;
const EVENTS = `query ($filter: UsageEventFilter!, $after: String) {
  usageEvents(filter: $filter, first: 1000, after: $after) { edges { node { id volume } } pageInfo { hasNextPage endCursor } }
}`;

// What the functions run in the page (page.evaluate) use of it: the tests compile without the DOM's types.
declare const document: any;
declare const scrollY: number;
declare const innerHeight: number;
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };

const format = (value: number, digits = 3) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);

const describeBrowser = browserTestsAvailable() ? describe : describe.skip;

describeBrowser('the usage dashboard, offline', () => {
  let t: TestDatabase;
  let api: TestServer;
  let browser: TestBrowser;
  let origin: string;

  const statistics = async (input: Record<string, unknown>): Promise<Row[]> =>
    dataOf(await api.gql<{ usageStatistics: { rows: Row[] } }>(STATISTICS, { input })).usageStatistics.rows;
  const perPeriod = async (input: Record<string, unknown>): Promise<{ periods: { start: string; end: string }[]; rows: Row[] }> =>
    dataOf(await api.gql<{ usageStatistics: { periods: { start: string; end: string }[]; rows: Row[] } }>(PER_PERIOD, { input }))
      .usageStatistics;
  const events = async (filter: Record<string, unknown>) => {
    const all: { id: string; volume: number }[] = [];
    for (let after: string | null = null; ;) {
      const page: any = dataOf(await api.gql(EVENTS, { filter, after })).usageEvents;
      all.push(...page.edges.map((e: { node: { id: string; volume: number } }) => e.node));
      if (!page.pageInfo.hasNextPage) return all;
      after = page.pageInfo.endCursor;
    }
  };

  /** The top table of a meter, as shown. */
  const topTable = (page: Page, meter: string) =>
    page.locator(`section[data-meter="${meter}"] [data-testid=top] tbody tr`).evaluateAll((trs) =>
      trs.map((tr) => {
        const cell = (field: string) => tr.querySelector(`[data-field="${field}"]`)!;
        return {
          group: tr.getAttribute('data-group'),
          sum: Number(cell('sum').getAttribute('data-value')),
          sumText: cell('sum').textContent,
          weightedSum: Number(cell('weightedSum').getAttribute('data-value')),
          count: Number(cell('count').getAttribute('data-value')),
        };
      }),
    );
  const expectedTop = (rows: Row[], field: 'user' | 'resource') =>
    [...rows]
      .sort((a, b) => b.sum - a.sum || String(a[field]).localeCompare(String(b[field])))
      .map((r) => ({ group: r[field], sum: r.sum, sumText: format(r.sum), weightedSum: r.weightedSum, count: r.count }));

  /** The chart's numbers (its table), as {periodStart: {group: value}}, empty cells left out. */
  const perPeriodTable = async (page: Page, meter: string) => {
    const section = page.locator(`section[data-meter="${meter}"]`);
    if ((await section.locator('details.per-period').getAttribute('open')) === null) {
      await section.locator('details.per-period summary').click();
    }
    return section
      .locator('[data-testid=per-period] tbody tr')
      .evaluateAll((trs) =>
        Object.fromEntries(
          trs.map((tr) => [
            tr.getAttribute('data-start'),
            Object.fromEntries(
              [...tr.querySelectorAll('td[data-series]')]
                .filter((td) => Number(td.getAttribute('data-value')) !== 0)
                .map((td) => [td.getAttribute('data-series'), Number(td.getAttribute('data-value'))]),
            ),
          ]),
        ),
      );
  };
  /** The periods of the chart's table, [start, end), as shown. */
  const shownPeriods = (page: Page, meter: string) =>
    page
      .locator(`section[data-meter="${meter}"] [data-testid=per-period] tbody tr`)
      .evaluateAll((trs) => trs.map((tr) => ({ start: tr.getAttribute('data-start')!, end: tr.getAttribute('data-end')! })));
  /** How the chart's table describes its periods, in order. */
  const describedPeriods = (page: Page, meter: string) =>
    page.locator(`section[data-meter="${meter}"] [data-testid=per-period] tbody tr td:first-child`).allTextContents();
  const expectedPerPeriod = (rows: Row[], field: 'user' | 'resource', starts: string[]) => {
    const table: Record<string, Record<string, number>> = Object.fromEntries(starts.map((s) => [s, {}]));
    for (const row of rows) table[row.periodStart][row[field]!] = row.sum;
    return table;
  };

  /** Every event the drill-down lists, page by page, and what its pager says on each. */
  const shownEvents = async (page: Page) => {
    const ids: string[] = [];
    const ranges: string[] = [];
    for (;;) {
      ranges.push((await page.getByTestId('events-range').textContent())!);
      ids.push(...(await page.locator('[data-testid=events] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!))));
      const next = page.getByRole('button', { name: 'Next →' });
      if (await next.isDisabled()) return { ids, ranges };
      const first = await page.locator('[data-testid=events] tbody tr').first().getAttribute('data-id');
      await next.click();
      await page.locator(`[data-testid=events] tbody tr[data-id="${first}"]`).waitFor({ state: 'detached' });
    }
  };

  /** The middle of a segment of a stacked bar in the viewport, found from the numbers the chart draws. */
  const segmentPoint = async (page: Page, meter: string, stacks: number[][], period: number, series: number, whole = false) => {
    const box = (await page.locator(`.chart[data-meter="${meter}"]`).boundingBox())!;
    const { max } = axisScale(Math.max(...stacks.map((values) => values.reduce((a, b) => a + b, 0))), whole);
    const below = stacks[period].slice(0, series).reduce((a, b) => a + b, 0);
    const plotWidth = box.width - CHART_GRID.left - CHART_GRID.right;
    const plotHeight = CHART_HEIGHT - CHART_GRID.top - CHART_GRID.bottom;
    const x = box.x + CHART_GRID.left + ((period + 0.5) * plotWidth) / stacks.length;
    const y = box.y + CHART_GRID.top + plotHeight * (1 - (below + stacks[period][series] / 2) / max);
    return { x, y };
  };
  /** Clicks the middle of a segment of a stacked bar. */
  const clickSegment = async (page: Page, meter: string, stacks: number[][], period: number, series: number) => {
    const { x, y } = await segmentPoint(page, meter, stacks, period, series);
    await page.mouse.click(x, y);
  };
  /** The fill of what the chart draws at a point of the viewport (a bar is an SVG path). */
  const fillAt = (page: Page, { x, y }: { x: number; y: number }) =>
    page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.getAttribute('fill') ?? null, [x, y]);
  /** The y-axis labels of a chart, top to bottom, and how far each is from the top of the plot. */
  const yAxisLabels = (page: Page, meter: string) =>
    page.locator(`.chart[data-meter="${meter}"]`).evaluate((chart, grid) => {
      const box = chart.getBoundingClientRect();
      return [...chart.querySelectorAll('svg text')]
        .map((text) => ({ text: text.textContent ?? '', rect: text.getBoundingClientRect() }))
        .filter(({ text, rect }) => rect.right <= box.left + grid.left && /^[\d,.]+$/.test(text))
        .map(({ text, rect }) => ({ value: Number(text.replace(/,/g, '')), fromTop: rect.top + rect.height / 2 - (box.top + grid.top) }))
        .sort((a, b) => a.fromTop - b.fromTop);
    }, CHART_GRID);
  /** A stack of values per period and series, as the API's per-period rows give them. */
  const stacksOf = (
    rows: Row[],
    field: 'user' | 'resource',
    starts: string[],
    order: (string | null)[],
    measure: 'sum' | 'count' = 'sum',
  ) => starts.map((start) => order.map((group) => rows.find((r) => r.periodStart === start && r[field] === group)?.[measure] ?? 0));
  const waitForTop = (page: Page, meter: string) =>
    page.locator(`section[data-meter="${meter}"] [data-testid=top] tbody tr`).first().waitFor();

  beforeAll(async () => {
    assertBuilt();
    t = await createTestDatabase({ demo: true });
    api = await startTestServer(t.services, { landingPage: true });
    origin = new URL(api.url).origin;
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

  const october = { meters: ['cpu.hours'], from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', timeZone: 'UTC', groupBy: ['USER'] };
  const octoberDays = Array.from({ length: 31 }, (_, i) => new Date(Date.UTC(2026, 9, 1 + i)).toISOString());

  test("opens on the latest month of usage, and shows the API's numbers for it", async () => {
    const { page } = browser;
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Usage dashboard' }).click();
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr').first().waitFor();

    // The URL holds the whole view, defaults included.
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      tab: 'usage',
      meter: 'cpu.hours',
      from: '2026-10-01',
      to: '2026-10-31',
      tz: 'UTC',
      period: 'DAY',
      group: 'USER',
      measure: 'sum',
      compare: 'none',
    });

    const total = await statistics(october);
    expect(total.length).toBe(3);
    expect(await topTable(page, 'cpu.hours')).toEqual(expectedTop(total, 'user'));
    const sum = total.reduce((s, r) => s + r.sum, 0);
    await expect(page.locator('section[data-meter="cpu.hours"] [data-testid=total]').textContent()).resolves.toBe(format(sum));

    const daily = await statistics({ ...october, period: { unit: 'DAY' } });
    expect(await perPeriodTable(page, 'cpu.hours')).toEqual(expectedPerPeriod(daily, 'user', octoberDays));
    await screenshot(page, 'dashboard');
  });

  test('clicking a bar lists exactly the events of its period and group, as the API lists them', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard`);
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr').first().waitFor();

    // Where alice's segment of October 12th's bar is drawn: bars stack in the top table's order
    // (bob, alice, carol), and the y-axis ends at the largest bar.
    const daily = await statistics({ ...october, period: { unit: 'DAY' } });
    const order = expectedTop(await statistics(october), 'user').map((r) => r.group);
    expect(order).toEqual(['bob', 'alice', 'carol']);
    const stacks = octoberDays.map((day) => order.map((user) => daily.find((r) => r.periodStart === day && r.user === user)?.sum ?? 0));
    await clickSegment(page, 'cpu.hours', stacks, 11, order.indexOf('alice'));

    await page.locator('[data-testid=events] tbody tr').first().waitFor();
    const params = new URL(page.url()).searchParams;
    expect([params.get('drill.meter'), params.get('drill.from'), params.get('drill.to'), params.getAll('drill.group')]).toEqual([
      'cpu.hours',
      '2026-10-12T00:00:00.000Z',
      '2026-10-13T00:00:00.000Z',
      ['alice'],
    ]);
    const expected = await events({
      from: '2026-10-12T00:00:00.000Z',
      to: '2026-10-13T00:00:00.000Z',
      meters: ['cpu.hours'],
      users: ['alice'],
    });
    expect(expected.length).toBe(24);
    const shown = await page.locator('[data-testid=events] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-id'),
        volume: Number(tr.querySelectorAll('td[data-value]')[0].getAttribute('data-value')),
      })),
    );
    expect(shown).toEqual(expected);
    await expect(page.getByTestId('events-range').textContent()).resolves.toBe('1–24 of 24');
    await expect(page.locator('section.drill').textContent()).resolves.toContain('cpu.hours · User alice · Mon, Oct 12, 2026');
    await screenshot(page, 'dashboard-drill-down');
  });

  test('a shared URL restores its view, drill-down included, and the events page through', async () => {
    // Week of Monday October 12th in Berlin (summer time): [2026-10-11T22:00Z, 2026-10-18T22:00Z).
    const shared =
      `${origin}/dashboard?tab=usage&project=astro&meter=cpu.hours&meter=memory.gib_hours&from=2026-10-01&to=2026-10-31&tz=Europe%2FBerlin` +
      '&period=WEEK&group=RESOURCE&measure=sum&compare=none&drill.meter=cpu.hours&drill.from=2026-10-11T22%3A00%3A00.000Z' +
      '&drill.to=2026-10-18T22%3A00%3A00.000Z&drill.group=vm-astro-1';
    const other = await launchBrowser({ timezoneId: 'America/New_York' });
    try {
      const { page } = other;
      await page.goto(shared);
      await page.locator('[data-testid=events] tbody tr').first().waitFor();
      expect(page.url()).toBe(shared);
      await expect(page.locator('.multi-button').first().textContent()).resolves.toContain('astro');
      await expect(page.getByLabel('Group by').inputValue()).resolves.toBe('RESOURCE');
      await expect(page.getByLabel('Period').inputValue()).resolves.toBe('WEEK');
      await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Berlin');
      expect(await page.locator('section.meter').evaluateAll((s) => s.map((e) => e.getAttribute('data-meter')))).toEqual([
        'cpu.hours',
        'memory.gib_hours',
      ]);

      const input = {
        from: '2026-09-30T22:00:00.000Z',
        to: '2026-10-31T23:00:00.000Z',
        timeZone: 'Europe/Berlin',
        groupBy: ['RESOURCE'],
        filter: { projects: ['astro'] },
      };
      for (const meter of ['cpu.hours', 'memory.gib_hours']) {
        expect(await topTable(page, meter)).toEqual(expectedTop(await statistics({ ...input, meters: [meter] }), 'resource'));
        const weekly = await statistics({ ...input, meters: [meter], period: { unit: 'WEEK' } });
        const starts = [
          '2026-09-30T22:00:00.000Z',
          '2026-10-04T22:00:00.000Z',
          '2026-10-11T22:00:00.000Z',
          '2026-10-18T22:00:00.000Z',
          '2026-10-25T23:00:00.000Z',
        ];
        expect(await perPeriodTable(page, meter)).toEqual(expectedPerPeriod(weekly, 'resource', starts));
      }

      const expected = await events({
        from: '2026-10-11T22:00:00.000Z',
        to: '2026-10-18T22:00:00.000Z',
        meters: ['cpu.hours'],
        projects: ['astro'],
        resources: ['vm-astro-1'],
      });
      expect(expected.length).toBe(168);
      const { ids, ranges } = await shownEvents(page);
      expect(ids).toEqual(expected.map((e) => e.id));
      expect(ranges).toEqual([
        '1–25 of 168',
        '26–50 of 168',
        '51–75 of 168',
        '76–100 of 168',
        '101–125 of 168',
        '126–150 of 168',
        '151–168 of 168',
      ]);
      await screenshot(page, 'dashboard-shared-url');
      expect(other.external).toEqual([]);
      expect(other.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test("the chart's periods are the API's: Berlin's October 25th has 25 hours, and its bar lists them", async () => {
    const { page } = browser;
    const answer = page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('DashboardStatistics'),
    );
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&from=2026-10-20&to=2026-10-31&tz=Europe%2FBerlin&period=DAY&group=USER&measure=sum`,
    );
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr').first().waitFor();
    const received = (await (await answer).json()).data.perPeriod.periods.map(({ start, end }: { start: string; end: string }) => ({
      start,
      end,
    }));

    // October 20th to 31st in Berlin: summer time (UTC+2) until 03:00 on the 25th, then UTC+1.
    const input = {
      meters: ['cpu.hours'],
      from: '2026-10-19T22:00:00.000Z',
      to: '2026-10-31T23:00:00.000Z',
      timeZone: 'Europe/Berlin',
      groupBy: ['USER'],
    };
    const { periods, rows } = await perPeriod({ ...input, period: { unit: 'DAY' } });
    expect(periods.length).toBe(12);
    const day = periods.findIndex((p) => p.start === '2026-10-24T22:00:00.000Z');
    expect(periods[day]).toEqual({ start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' });
    expect(await perPeriodTable(page, 'cpu.hours')).toEqual(
      expectedPerPeriod(
        rows,
        'user',
        periods.map((p) => p.start),
      ),
    );
    expect(received).toEqual(periods);
    expect(await shownPeriods(page, 'cpu.hours')).toEqual(periods);
    expect((await describedPeriods(page, 'cpu.hours')).filter((text) => text.endsWith(' h)'))).toEqual(['Sun, Oct 25, 2026 (25 h)']);

    // The chart's bars are the same periods: the 25-hour day's bar drills down to exactly that day.
    const order = expectedTop(await statistics(input), 'user').map((r) => r.group);
    const stacks = periods.map((p) => order.map((user) => rows.find((r) => r.periodStart === p.start && r.user === user)?.sum ?? 0));
    await clickSegment(page, 'cpu.hours', stacks, day, order.indexOf('alice'));
    await page.locator('[data-testid=events] tbody tr').first().waitFor();
    const params = new URL(page.url()).searchParams;
    expect([params.get('drill.from'), params.get('drill.to'), params.getAll('drill.group')]).toEqual([
      periods[day].start,
      periods[day].end,
      ['alice'],
    ]);
    const expected = await events({ from: periods[day].start, to: periods[day].end, meters: ['cpu.hours'], users: ['alice'] });
    expect(expected.length).toBe(25);
    expect((await shownEvents(page)).ranges).toEqual(['1–25 of 25']);
    await expect(page.locator('section.drill').textContent()).resolves.toContain('cpu.hours · User alice · Sun, Oct 25, 2026 (25 h)');
  });

  test("hour by hour, Berlin's October 25th has the API's 25 periods, the repeated hour told apart by its offset", async () => {
    const { page } = browser;
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&from=2026-10-25&to=2026-10-25&tz=Europe%2FBerlin&period=HOUR&group=USER&measure=sum`,
    );
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr').first().waitFor();

    const input = {
      meters: ['cpu.hours'],
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
      timeZone: 'Europe/Berlin',
      groupBy: ['USER'],
    };
    const { periods, rows } = await perPeriod({ ...input, period: { unit: 'HOUR' } });
    expect(periods.length).toBe(25);
    expect(await perPeriodTable(page, 'cpu.hours')).toEqual(
      expectedPerPeriod(
        rows,
        'user',
        periods.map((p) => p.start),
      ),
    );
    expect(await shownPeriods(page, 'cpu.hours')).toEqual(periods);
    const described = await describedPeriods(page, 'cpu.hours');
    expect(new Set(described).size).toBe(25);
    expect(described.slice(1, 5)).toEqual([
      'Oct 25, 2026, 01:00 – 02:00 GMT+2',
      'Oct 25, 2026, 02:00 GMT+2 – 02:00 GMT+1',
      'Oct 25, 2026, 02:00 GMT+1 – 03:00',
      'Oct 25, 2026, 03:00 – 04:00',
    ]);
    await screenshot(page, 'dashboard-dst-hours');
  });

  test('groups beyond the top eight are stacked as "Other", whose bar lists the events of all of them', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard?meter=job.core_hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=WEEK&group=RESOURCE&measure=sum`);
    await page.locator('section[data-meter="job.core_hours"] [data-testid=top] tbody tr').first().waitFor();
    const input = { ...october, meters: ['job.core_hours'], groupBy: ['RESOURCE'] };
    const top = expectedTop(await statistics(input), 'resource');
    expect(top.length).toBeGreaterThan(9);
    expect(await topTable(page, 'job.core_hours')).toEqual(top.slice(0, 10));
    const own = top.slice(0, 8).map((r) => r.group!);

    const weekly = await statistics({ ...input, period: { unit: 'WEEK' } });
    const weeks = [...new Set(weekly.map((r) => r.periodStart))];
    expect(weeks).toEqual([
      '2026-10-01T00:00:00.000Z',
      '2026-10-05T00:00:00.000Z',
      '2026-10-12T00:00:00.000Z',
      '2026-10-19T00:00:00.000Z',
      '2026-10-26T00:00:00.000Z',
    ]);
    const stacks = weeks.map((week) => {
      const rows = weekly.filter((r) => r.periodStart === week);
      const value = (resource: string) => rows.find((r) => r.resource === resource)?.sum ?? 0;
      return [...own.map(value), rows.filter((r) => !own.includes(r.resource!)).reduce((sum, r) => sum + r.sum, 0)];
    });
    const shownTable = await perPeriodTable(page, 'job.core_hours');
    weeks.forEach((week, i) => {
      expect(Object.keys(shownTable[week]).sort()).toEqual([...own, 'Other'].filter((_, j) => stacks[i][j] !== 0).sort());
      own.forEach((resource, j) => expect(shownTable[week][resource] ?? 0).toBe(stacks[i][j]));
      expect(shownTable[week].Other).toBeCloseTo(stacks[i][8], 6);
    });

    const week = 2;
    await clickSegment(page, 'job.core_hours', stacks, week, 8);
    await page.locator('[data-testid=events] tbody tr').first().waitFor();
    const others = weekly.filter((r) => r.periodStart === weeks[week] && !own.includes(r.resource!)).map((r) => r.resource!);
    const params = new URL(page.url()).searchParams;
    expect([params.get('drill.from'), params.get('drill.to')]).toEqual([weeks[week], weeks[week + 1]]);
    expect(params.getAll('drill.group').sort()).toEqual([...others].sort());
    const expected = await events({ from: weeks[week], to: weeks[week + 1], meters: ['job.core_hours'], resources: others });
    const count = weekly.filter((r) => others.includes(r.resource!) && r.periodStart === weeks[week]).reduce((sum, r) => sum + r.count, 0);
    expect(expected.length).toBe(count);
    const { ids, ranges } = await shownEvents(page);
    expect(ids).toEqual(expected.map((e) => e.id));
    expect(ranges.at(-1)).toBe(`${Math.floor((count - 1) / 25) * 25 + 1}–${count} of ${count}`);
    await expect(page.locator('section.drill').textContent()).resolves.toContain(`Resource Other (${others.length} groups:`);
  });

  test('the pickers change the view and the URL; Back restores the previous view', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard`);
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr').first().waitFor();

    await page.getByLabel('Group by').selectOption('RESOURCE');
    await page.waitForURL(/group=RESOURCE/);
    await page.locator('section[data-meter="cpu.hours"] [data-testid=top] tbody tr[data-group="vm-astro-1"]').waitFor();
    expect(await topTable(page, 'cpu.hours')).toEqual(expectedTop(await statistics({ ...october, groupBy: ['RESOURCE'] }), 'resource'));

    await page.getByRole('button', { name: 'cpu.hours' }).click();
    await page.getByRole('listbox', { name: 'Meters' }).getByLabel('gpu.hours').check();
    await page.waitForURL(/meter=gpu\.hours/);
    await page.locator('section[data-meter="gpu.hours"] [data-testid=top] tbody tr').first().waitFor();
    expect(await topTable(page, 'gpu.hours')).toEqual(
      expectedTop(await statistics({ ...october, meters: ['gpu.hours'], groupBy: ['RESOURCE'] }), 'resource'),
    );

    await page.goBack();
    await page.locator('section[data-meter="gpu.hours"]').waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.getAll('meter')).toEqual(['cpu.hours']);
  });

  test('a series keeps its colour by name in every chart, whatever its rank there', async () => {
    const { page } = browser;
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&meter=job.core_hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=MONTH&group=USER&measure=sum`,
    );
    await waitForTop(page, 'cpu.hours');
    await waitForTop(page, 'job.core_hours');
    const month = ['2026-10-01T00:00:00.000Z'];
    const fills: Record<string, Record<string, string | null>> = {};
    for (const meter of ['cpu.hours', 'job.core_hours']) {
      const rows = await statistics({ ...october, meters: [meter] });
      const order = expectedTop(rows, 'user').map((r) => r.group);
      const stacks = stacksOf(await statistics({ ...october, meters: [meter], period: { unit: 'MONTH' } }), 'user', month, order);
      fills[meter] = {};
      for (const [i, user] of order.entries()) {
        await page.locator(`.chart[data-meter="${meter}"]`).scrollIntoViewIfNeeded();
        fills[meter][user!] = await fillAt(page, await segmentPoint(page, meter, stacks, 0, i));
      }
    }
    // alice is second in CPU hours and third in core hours: by rank she would change colour.
    expect(expectedTop(await statistics(october), 'user').map((r) => r.group)).toEqual(['bob', 'alice', 'carol']);
    expect(expectedTop(await statistics({ ...october, meters: ['job.core_hours'] }), 'user')[2].group).toBe('alice');
    for (const user of ['alice', 'bob', 'carol']) {
      expect(fills['cpu.hours'][user]).toMatch(/^(#|rgb)/);
      expect(fills['job.core_hours'][user]).toBe(fills['cpu.hours'][user]);
    }
    const all = Object.values(fills['job.core_hours']);
    expect(new Set(all).size).toBe(all.length);
  });

  test('the events open in view: the page scrolls to them', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1400, height: 700 });
    try {
      await page.goto(
        `${origin}/dashboard?meter=cpu.hours&meter=memory.gib_hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=sum`,
      );
      await waitForTop(page, 'memory.gib_hours');
      expect(await page.evaluate(() => scrollY)).toBe(0);
      const daily = await statistics({ ...october, period: { unit: 'DAY' } });
      const order = expectedTop(await statistics(october), 'user').map((r) => r.group);
      await clickSegment(page, 'cpu.hours', stacksOf(daily, 'user', octoberDays, order), 11, 0);
      const events = page.locator('section.drill');
      await events.waitFor();
      // Below the first chart and its tables: out of sight where the page was.
      expect(await events.evaluate((e) => e.getBoundingClientRect().top + scrollY)).toBeGreaterThan(700);
      await page.waitForFunction(() => {
        const top = document.querySelector('section.drill')!.getBoundingClientRect().top;
        return top >= 0 && top < innerHeight / 2;
      });
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  test('records get whole-number ticks, and the top gridline is labelled', async () => {
    const { page } = browser;
    // At most a few instance creations a day: fractional ticks (0.2, 0.4, …) without whole ones.
    await page.goto(`${origin}/dashboard?meter=instance.create&from=2026-10-01&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=count`);
    await waitForTop(page, 'instance.create');
    const daily = await statistics({ ...october, meters: ['instance.create'], period: { unit: 'DAY' } });
    const largest = Math.max(...octoberDays.map((day) => daily.filter((r) => r.periodStart === day).reduce((sum, r) => sum + r.count, 0)));
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(5);
    const labels = await yAxisLabels(page, 'instance.create');
    expect(labels.length).toBeGreaterThan(1);
    for (const { value } of labels) expect(Number.isInteger(value)).toBe(true);
    expect(labels[0].value).toBe(axisScale(largest, true).max);
    expect(Math.abs(labels[0].fromTop)).toBeLessThan(3);
    expect(labels.at(-1)!.value).toBe(0);

    // Volumes: the top gridline has its round label too (October's largest day is 432 h: 500).
    await page.goto(`${origin}/dashboard?meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=sum`);
    await waitForTop(page, 'cpu.hours');
    const cpu = await statistics({ ...october, period: { unit: 'DAY' } });
    const top = Math.max(...octoberDays.map((day) => cpu.filter((r) => r.periodStart === day).reduce((sum, r) => sum + r.sum, 0)));
    const volume = await yAxisLabels(page, 'cpu.hours');
    expect(volume[0].value).toBe(axisScale(top, false).max);
    expect(volume[0].value).toBeGreaterThanOrEqual(top);
    expect(Math.abs(volume[0].fromTop)).toBeLessThan(3);
  });

  test('a share under 0.05 % reads "< 0.1 %", shares are drawn as bars of their size, weighted columns have units', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard?meter=job.core_hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=WEEK&group=RESOURCE&measure=sum`);
    await waitForTop(page, 'job.core_hours');
    const section = page.locator('section[data-meter="job.core_hours"]');
    await section.getByRole('button', { name: /^Show all/ }).click();
    const rows = await statistics({ ...october, meters: ['job.core_hours'], groupBy: ['RESOURCE'] });
    const all = rows.reduce((sum, r) => sum + r.sum, 0);
    const shown = await section.locator('[data-testid=top] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const share = tr.querySelector('td.share')!;
        return {
          group: tr.getAttribute('data-group'),
          text: share.querySelector('.share-text')!.textContent,
          bar: share.querySelector('.share-bar')!.getBoundingClientRect().width,
          track: share.querySelector('.share-track')!.getBoundingClientRect().width,
          color: getComputedStyle(share.querySelector('.share-bar')!).backgroundColor,
        };
      }),
    );
    expect(shown.length).toBe(rows.length);
    const tiny = rows.filter((r) => r.sum / all < 0.0005);
    expect(tiny.length).toBeGreaterThan(0);
    for (const row of shown) {
      const share = rows.find((r) => r.resource === row.group)!.sum / all;
      expect(row.text).toBe(share < 0.0005 ? '< 0.1 %' : `${(share * 100).toFixed(1)} %`);
      expect(Math.abs(row.bar - share * row.track)).toBeLessThan(1);
      expect(row.color).not.toBe('rgba(0, 0, 0, 0)');
    }
    expect(await section.locator('[data-testid=top] thead th').allTextContents()).toContain('Weighted volume (core-h)');
  });

  test('a typed time zone that does not exist is said so, and the view keeps its zone', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard?meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=sum`);
    await waitForTop(page, 'cpu.hours');
    const zone = page.getByLabel('Time zone');
    await zone.fill('Europe/Berlinn');
    await zone.press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('There is no time zone “Europe/Berlinn”');
    expect(new URL(page.url()).searchParams.get('tz')).toBe('UTC');
    expect(await topTable(page, 'cpu.hours')).toEqual(expectedTop(await statistics(october), 'user'));
    await zone.fill('Europe/Berlin');
    await zone.press('Enter');
    await page.waitForURL(/tz=Europe%2FBerlin/);
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
  });

  test('a link whose range starts after it ends, or with a zone that does not exist, says so', async () => {
    const { page } = browser;
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&from=2026-10-31&to=2026-10-01&tz=Mars%2FOlympus&period=DAY&group=USER&measure=sum`,
    );
    const problems = page.getByTestId('link-problems');
    await problems.waitFor();
    expect(await problems.locator('li').allTextContents()).toEqual([
      'the range starts on 2026-10-31, after it ends on 2026-10-01',
      'tz: there is no time zone “Mars/Olympus” (an IANA name such as Europe/Berlin)',
    ]);
    // What is shown in their place is said to be the defaults: the latest month, the browser's zone.
    await waitForTop(page, 'cpu.hours');
    const params = new URL(page.url()).searchParams;
    expect([params.get('from'), params.get('to'), params.get('tz')]).toEqual(['2026-10-01', '2026-10-31', 'UTC']);
    expect(await topTable(page, 'cpu.hours')).toEqual(expectedTop(await statistics(october), 'user'));
    // The next change of the view is the reader's own: the notice goes.
    await page.getByLabel('Group by').selectOption('RESOURCE');
    await problems.waitFor({ state: 'detached' });
  });

  test("quick ranges are whole days of the view's zone, up to today", async () => {
    const { page } = browser;
    const tz = 'Pacific/Kiritimati'; // UTC+14: its today is often not UTC's
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=${encodeURIComponent(tz)}&period=DAY&group=USER&measure=sum`,
    );
    await waitForTop(page, 'cpu.hours');
    const today = () =>
      new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const day = (date: string, days: number) => new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
    const monthEnd = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const expected = (which: string) => {
      const t = today();
      const [y, m] = t.split('-').map(Number);
      const first = (year: number, month: number) => new Date(Date.UTC(year, month - 1, 1)).toISOString().slice(0, 10);
      return {
        'Last 7 days': [day(t, -6), t],
        'Last 30 days': [day(t, -29), t],
        'This month': [first(y, m), monthEnd(y, m)],
        'Last month': [first(y, m - 1), monthEnd(y, m - 1)],
      }[which]!;
    };
    for (const which of ['Last 7 days', 'Last 30 days', 'This month', 'Last month']) {
      await page.getByRole('group', { name: 'Quick ranges' }).getByRole('button', { name: which }).click();
      const [from, to] = expected(which);
      await page.waitForURL((url) => url.searchParams.get('from') === from && url.searchParams.get('to') === to);
      await expect(page.getByLabel('From').inputValue()).resolves.toBe(from);
      await expect(page.getByLabel('To').inputValue()).resolves.toBe(to);
      // What the page shows for the range is the API's answer for it (the demo's usage ends in October).
      const rows = await statistics({ ...october, from: `${from}T00:00:00+14:00`, to: `${day(to, 1)}T00:00:00+14:00`, timeZone: tz });
      const section = page.locator('section[data-meter="cpu.hours"]:not(.stale)');
      await section.waitFor();
      if (rows.length === 0) await section.getByText('No usage of cpu.hours in this range.').waitFor();
      else expect(await topTable(page, 'cpu.hours')).toEqual(expectedTop(rows, 'user'));
    }
  });

  test('compared with the range before: the totals of both, and the change, as the API answers them', async () => {
    const { page } = browser;
    await page.goto(
      `${origin}/dashboard?meter=cpu.hours&from=2026-10-16&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=sum&compare=previous`,
    );
    await waitForTop(page, 'cpu.hours');
    await expect(page.getByTestId('compared').textContent()).resolves.toBe('Compared with 2026-09-30 to 2026-10-15.');
    const current = await statistics({ ...october, from: '2026-10-16T00:00:00Z' });
    const before = await statistics({ ...october, from: '2026-09-30T00:00:00Z', to: '2026-10-16T00:00:00Z' });
    const sum = (rows: Row[]) => rows.reduce((s, r) => s + r.sum, 0);
    expect(sum(before)).toBeGreaterThan(0);
    const section = page.locator('section[data-meter="cpu.hours"]');
    await expect(section.getByTestId('total').getAttribute('data-value')).resolves.toBe(String(sum(current)));
    await expect(section.getByTestId('previous-total').getAttribute('data-value')).resolves.toBe(String(sum(before)));
    const percent = ((sum(current) - sum(before)) / sum(before)) * 100;
    await expect(section.getByTestId('change').textContent()).resolves.toBe(`${percent > 0 ? '+' : '−'}${format(Math.abs(percent), 1)} %`);
    const rows = await section.locator('[data-testid=top] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        group: tr.getAttribute('data-group'),
        previous: Number(tr.querySelector('[data-field=previous]')!.getAttribute('data-value')),
      })),
    );
    expect(rows).toEqual(
      expectedTop(current, 'user').map((r) => ({ group: r.group, previous: before.find((b) => b.user === r.group)?.sum ?? 0 })),
    );
  });

  test('hours over a long range are drawn by the day, with a message, instead of thousands of bars', async () => {
    const { page } = browser;
    await page.goto(`${origin}/dashboard?meter=cpu.hours&from=2026-09-01&to=2026-10-31&tz=UTC&period=HOUR&group=USER&measure=sum`);
    await waitForTop(page, 'cpu.hours');
    const input = { ...october, from: '2026-09-01T00:00:00Z' };
    await expect(page.getByTestId('coarsened').textContent()).resolves.toBe(
      'By hour this range would be 1,464 bars a chart, more than the 1,000 drawn: shown by day. Pick a shorter range for hours.',
    );
    expect(new URL(page.url()).searchParams.get('period')).toBe('HOUR');
    const { periods, rows } = await perPeriod({ ...input, period: { unit: 'DAY' } });
    expect(periods.length).toBe(61);
    expect(await shownPeriods(page, 'cpu.hours')).toEqual(periods);
    expect(await perPeriodTable(page, 'cpu.hours')).toEqual(
      expectedPerPeriod(
        rows,
        'user',
        periods.map((p) => p.start),
      ),
    );

    // October alone by the hour is 744 bars: drawn as asked.
    await page.goto(`${origin}/dashboard?meter=cpu.hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=HOUR&group=USER&measure=sum`);
    await waitForTop(page, 'cpu.hours');
    await expect(page.getByTestId('coarsened').count()).resolves.toBe(0);
    expect((await shownPeriods(page, 'cpu.hours')).length).toBe(744);
  });

  test('at 390 px wide the page does not scroll sideways', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(
        `${origin}/dashboard?meter=cpu.hours&meter=job.core_hours&from=2026-10-01&to=2026-10-31&tz=UTC&period=DAY&group=USER&measure=sum&compare=previous` +
          '&drill.meter=cpu.hours&drill.from=2026-10-12T00%3A00%3A00.000Z&drill.to=2026-10-13T00%3A00%3A00.000Z&drill.group=alice',
      );
      await page.locator('[data-testid=events] tbody tr').first().waitFor();
      await page.locator('details.per-period summary').first().click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByRole('button', { name: 'Projects' }).click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'dashboard-390px');
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });
});
