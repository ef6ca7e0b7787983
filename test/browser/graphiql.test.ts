import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit } from 'graphql';
import { readmeExamples, readmeTabs } from '../../web/graphiql/readme-tabs';
import type { Locator } from 'playwright-core';
import { assertBuilt, browserTestsAvailable, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The landing page and GraphiQL in headless Chromium, on the demo data, with every request to
 * anything but this machine refused: what a user on an air-gapped network sees.
 */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const tabs = readmeTabs(README);
const examples = readmeExamples(README);
/** Each error names its request by a fresh id; the README writes "<request id>" in its place. */
const withRequestIdPlaceholder = (json: string) => json.replace(/"requestId":"[0-9a-f-]{36}"/g, '"requestId":"<request id>"');
/** An answer without its errors' locations: a tab prints the README's one-line operation on several lines. */
const withoutLocations = (answer: unknown): unknown =>
  JSON.parse(JSON.stringify(answer, (key, value) => (key === 'locations' ? undefined : value)));
const withoutNames = (query: string) => print(visit(parse(query), { OperationDefinition: (node) => ({ ...node, name: undefined }) }));
const names = tabs.map((tab) => {
  const operation = parse(tab.query).definitions[0];
  return operation.kind === Kind.OPERATION_DEFINITION ? operation.name!.value : '';
});

/** What Monaco shows once it shows `marker` (its lines use non-breaking spaces). */
async function editorText(editor: Locator, marker: string): Promise<string> {
  await editor.filter({ hasText: marker }).waitFor();
  return (await editor.innerText()).replace(/\u00a0/g, ' ');
}

/** The page's storage, in functions that run in the page. */
declare const localStorage: { [key: string]: string };

const describeBrowser = browserTestsAvailable() ? describe : describe.skip;

describeBrowser('GraphiQL, offline', () => {
  let t: TestDatabase;
  let api: TestServer;
  let browser: TestBrowser;
  let origin: string;

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

  test('the landing page links GraphiQL, the dashboard and the schema, and so does a browser visit of /graphql', async () => {
    const { page } = browser;
    await page.goto(`${origin}/graphql`);
    await expect(page.locator('h1').textContent()).resolves.toBe('meterql');
    const links = await page.locator('ul.links a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['GraphiQL', '/graphiql'],
      ['Usage dashboard', '/dashboard'],
      ['The schema', '/schema.graphql'],
    ]);
    await screenshot(page, 'landing');
    const schema = await page.request.get(`${origin}/schema.graphql`);
    expect(await schema.text()).toContain('usageStatistics(input: UsageStatisticsInput!): UsageStatistics!');
  });

  /** Runs the open tab with the run button, as a user would: what it sent, and what meterql answered. */
  async function run(name: string): Promise<{ sent: { query: string; variables?: unknown }; answer: unknown }> {
    const { page } = browser;
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && r.request().postData()!.includes(name),
      ),
      page.locator('.graphiql-execute-button').click(),
    ]);
    const sent = JSON.parse(response.request().postData()!) as { query: string; variables?: unknown };
    return { sent, answer: JSON.parse(withRequestIdPlaceholder(await response.text())) };
  }

  /** What an example sends, without the operation name GraphiQL's tab gives it. */
  const request = (query: string, variables: unknown) => ({ query: withoutNames(query), variables: variables ?? undefined });

  test("GraphiQL opens with the README's examples, the docs explorer and the headers editor, and every tab runs as loaded", async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(origin);
    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await page.waitForURL(`${origin}/graphiql`);

    // A tab per README example, titled by its heading, the first one open.
    const titles = page.locator('.graphiql-tab-button');
    await titles.first().waitFor();
    expect(await titles.allTextContents()).toEqual(names);
    const queryEditor = page.locator('.graphiql-query-editor .view-lines');
    expect(await editorText(queryEditor, names[0])).toContain(
      'mutation DefineComponentAndMeter(\n  $c: DefineComponentInput!\n  $m: DefineMeterInput!\n) {',
    );

    // The documentation explorer, from the schema GraphiQL introspected.
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Root Types').waitFor();
    await expect(docs.innerText()).resolves.toMatch(/query:\s*Query[\s\S]*mutation:\s*Mutation/);

    // The headers editor shows how to send a key.
    const headers = page.locator('.graphiql-editor-tool .view-lines').last();
    expect(await editorText(headers, 'mql_<id>_<secret>')).toContain('// "Authorization": "Bearer mql_<id>_<secret>"');

    /** How much wider than the query editor its widest line is, in pixels (Monaco sizes its lines to the widest). */
    const overflow = () =>
      page
        .locator('.graphiql-query-editor .monaco-scrollable-element')
        .first()
        .evaluate((e) => e.querySelector('.view-lines')!.scrollWidth - e.clientWidth);
    /** Monaco lays a new text out over a few frames: the overflow once it is 0, or after 2 s. */
    const settledOverflow = async () => {
      for (let attempt = 0; ; attempt++) {
        const pixels = Math.max(0, await overflow());
        if (pixels === 0 || attempt === 20) return pixels;
        await page.waitForTimeout(100);
      }
    };

    // Each tab as loaded, first the one open on arrival, then each in the README's order: each
    // sends what its curl command sends, and meterql answers what the README shows.
    for (const [i, example] of examples.entries()) {
      if (i > 0) await titles.nth(i).click();
      // GraphiQL fills the editors as it marks the tab active.
      await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: names[i] }).waitFor();
      // At 1440 px, the README's words and the printed operation fit the query editor's width.
      expect({ tab: names[i], overflow: await settledOverflow() }).toEqual({ tab: names[i], overflow: 0 });
      const { sent, answer } = await run(names[i]);
      expect({ tab: names[i], ...request(sent.query, sent.variables) }).toEqual({
        tab: names[i],
        ...request(example.query, example.variables),
      });
      expect({ tab: names[i], answer: withoutLocations(answer) }).toEqual({
        tab: names[i],
        answer: withoutLocations(JSON.parse(example.answer!)),
      });
    }
    const text = await editorText(page.locator('.graphiql-response .view-lines'), 'errors');
    expect(text).toContain('overlaps');
    await titles.nth(names.indexOf('ListRawEvents')).click();
    const events = await run('ListRawEvents');
    expect(await editorText(page.locator('.graphiql-response .view-lines'), 'usageEvents')).toContain(
      `"id": "${(events.answer as { data: { usageEvents: { edges: { node: { id: string } }[] } } }).data.usageEvents.edges[0].node.id}"`,
    );
    await screenshot(page, 'graphiql');

    // A reload keeps the tabs as the user left them and opens the active one as it was, variables
    // included, and the headers editor its template (GraphiQL stores no headers: they may hold a key).
    const last = examples.length - 1;
    await titles.nth(last).click();
    await editorText(queryEditor, names[last]);
    // GraphiQL stores its tabs half a second after a change.
    const storedActive = () =>
      page.evaluate(() =>
        Object.entries(localStorage)
          .filter(([key]) => key.startsWith('graphiql:tabState'))
          .map(([, value]) => (JSON.parse(value) as { activeTabIndex: number }).activeTabIndex),
      );
    for (let attempt = 0; !(await storedActive()).includes(last) && attempt < 200; attempt++) await page.waitForTimeout(50);
    expect(await storedActive()).toEqual([last]);
    await page.reload();
    // (Attached: the tab bar may have scrolled it out of view; what matters is that it is the active one.)
    await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: names[last] }).waitFor({ state: 'attached' });
    expect(await titles.allTextContents()).toEqual(names);
    expect(await editorText(headers, 'mql_<id>_<secret>')).toContain('// "Authorization": "Bearer mql_<id>_<secret>"');
    await editorText(queryEditor, names[last]);
    const again = await run(names[last]);
    expect(request(again.sent.query, again.sent.variables)).toEqual(request(examples[last].query, examples[last].variables));
    expect(withoutLocations(again.answer)).toEqual(withoutLocations(JSON.parse(examples[last].answer!)));
    await titles.first().click();
    await editorText(queryEditor, names[0]);
    const first = await run(names[0]);
    expect(request(first.sent.query, first.sent.variables)).toEqual(request(examples[0].query, examples[0].variables));
    expect(first.answer).toEqual(JSON.parse(examples[0].answer!));
    // 29 tabs, each run in the browser: a loaded machine takes longer than jest's default minute.
  }, 150_000);
});
