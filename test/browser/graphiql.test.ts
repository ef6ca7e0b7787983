import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';
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
const names = tabs.map((tab) => {
  const operation = parse(tab.query).definitions[0];
  return operation.kind === Kind.OPERATION_DEFINITION ? operation.name!.value : '';
});

/** What Monaco shows once it shows `marker` (its lines use non-breaking spaces). */
async function editorText(editor: Locator, marker: string): Promise<string> {
  await editor.filter({ hasText: marker }).waitFor();
  return (await editor.innerText()).replace(/\u00a0/g, ' ');
}

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

  test("GraphiQL opens with the README's examples, the docs explorer and the headers editor, and runs an example", async () => {
    const { page } = browser;
    await page.goto(origin);
    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await page.waitForURL(`${origin}/graphiql`);

    // A tab per README example, titled by its operation, the first one open.
    const titles = page.locator('.graphiql-tab-button');
    await titles.first().waitFor();
    expect(await titles.allTextContents()).toEqual(names);
    const queryEditor = page.locator('.graphiql-query-editor .view-lines');
    expect(await editorText(queryEditor, 'DefineComponent')).toContain(
      'mutation DefineComponent($c: DefineComponentInput!, $m: DefineMeterInput!)',
    );

    // The documentation explorer, from the schema GraphiQL introspected.
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Root Types').waitFor();
    await expect(docs.innerText()).resolves.toMatch(/query:\s*Query[\s\S]*mutation:\s*Mutation/);

    // The headers editor shows how to send a key.
    const headers = page.locator('.graphiql-editor-tool .view-lines').last();
    expect(await editorText(headers, 'mql_<id>_<secret>')).toContain('// "Authorization": "Bearer mql_<id>_<secret>"');

    // Running the README's first raw-events example shows the README's answer.
    const index = names.indexOf('UsageEvents');
    const example = examples[index];
    await titles.nth(index).click();
    expect(await editorText(queryEditor, 'UsageEvents')).toContain('query UsageEvents {');
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && r.request().postData()!.includes('UsageEvents'),
      ),
      page.locator('.graphiql-execute-button').click(),
    ]);
    const answer = await response.json();
    expect(answer).toEqual(JSON.parse(example.answer!));
    const text = await editorText(page.locator('.graphiql-response .view-lines'), 'usageEvents');
    expect(text).toContain('"usageEvents": {');
    expect(text).toContain(`"id": "${answer.data.usageEvents.edges[0].node.id}"`);
    expect(text).toContain('"weightedVolume": 1981.44');
    await screenshot(page, 'graphiql');

    // A reload keeps the tabs as the user left them, and the headers editor its template (GraphiQL
    // stores no headers: they may hold a key).
    await page.reload();
    await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: 'UsageEvents' }).waitFor();
    expect(await titles.allTextContents()).toEqual(names);
    expect(await editorText(headers, 'mql_<id>_<secret>')).toContain('// "Authorization": "Bearer mql_<id>_<secret>"');
    await titles.nth(names.indexOf('UsageStatistics')).click();
    expect(await editorText(queryEditor, 'UsageStatistics')).toContain('query UsageStatistics {');
    expect(await editorText(headers, 'mql_<id>_<secret>')).toContain('// "Authorization": "Bearer mql_<id>_<secret>"');
  });
});
