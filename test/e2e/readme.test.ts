import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDemoData } from '../../src/demo/demo-data';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The README's examples, run in order against the demo data: each `curl ... -d '<body>'` block
 * is sent as written, and its answer must equal the json block that follows it.
 */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const blocks = [...README.matchAll(/```(bash|json)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body }));
const examples = blocks.flatMap((block, i) => {
  const body = block.body.match(/^curl -s http:\/\/127\.0\.0\.1:4000\/graphql -H 'content-type: application\/json' -d '([\s\S]*)'\n$/);
  if (block.lang !== 'bash' || !body) return [];
  const answer = blocks[i + 1]?.lang === 'json' ? blocks[i + 1].body : undefined;
  return [{ request: body[1], answer }];
});

let t: TestDatabase;
let api: TestServer;
beforeAll(async () => {
  t = await createTestDatabase();
  await loadDemoData(t.services);
  api = await startTestServer(t.services);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await t?.drop();
});

test('the README has examples, each with its answer', () => {
  expect(examples.length).toBeGreaterThanOrEqual(10);
  expect(examples.filter((e) => e.answer === undefined)).toEqual([]);
});

/** Each error names its request by a fresh id; the README writes "<request id>" in its place. */
const withRequestIdPlaceholder = (json: string) => json.replace(/"requestId":"[0-9a-f-]{36}"/g, '"requestId":"<request id>"');

test('every README example answers as the README says, in order', async () => {
  for (const example of examples) {
    const response = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: example.request });
    const answer = JSON.parse(withRequestIdPlaceholder(await response.text()));
    expect({ request: example.request, answer }).toEqual({ request: example.request, answer: JSON.parse(example.answer!) });
  }
});
