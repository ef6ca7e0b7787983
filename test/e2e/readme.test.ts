import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The README's examples, run in order against the demo data: each `curl ... -d '<body>'` block
 * is sent as written, and its answer must equal the json block that follows it. Each
 * `curl -s http://127.0.0.1:4000/<path>` block is a GET, answered as its json block says, or,
 * piped to `grep -E '<pattern>'`, with the lines of its text block.
 */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const blocks = [...README.matchAll(/```(bash|json|text)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body }));
const examples = blocks.flatMap((block, i) => {
  const body = block.body.match(/^curl -s http:\/\/127\.0\.0\.1:4000\/graphql -H 'content-type: application\/json' -d '([\s\S]*)'\n$/);
  if (block.lang !== 'bash' || !body) return [];
  const answer = blocks[i + 1]?.lang === 'json' ? blocks[i + 1].body : undefined;
  return [{ request: body[1], answer }];
});
const gets = blocks.flatMap((block, i) => {
  const get = block.body.match(/^curl -s http:\/\/127\.0\.0\.1:4000(\/[a-z]+)(?: \| grep -E '([^']+)')?\n$/);
  if (block.lang !== 'bash' || !get || get[1] === '/graphql') return [];
  const [, path, grep] = get;
  return [{ index: i, path, grep, answer: blocks[i + 1]?.lang === (grep ? 'text' : 'json') ? blocks[i + 1].body : undefined }];
});
const uploads = blocks.flatMap((block, i) => {
  const upload = block.body.match(
    /^curl -s http:\/\/127\.0\.0\.1:4000(\/api\/v1\/reports) -H 'content-type: application\/x-ndjson' --data-binary @- <<'EOF'\n([\s\S]*)EOF\n$/,
  );
  if (block.lang !== 'bash' || !upload) return [];
  return [{ index: i, path: upload[1], body: upload[2], answer: blocks[i + 1]?.lang === 'json' ? blocks[i + 1].body : undefined }];
});
/** Every example, GraphQL, GET or upload, in the README's order. */
const steps = [
  ...examples.map((example) => ({
    kind: 'graphql' as const,
    ...example,
    index: blocks.findIndex((b) => b.body.includes(example.request)),
  })),
  ...gets.map((get) => ({ kind: 'get' as const, ...get })),
  ...uploads.map((upload) => ({ kind: 'upload' as const, ...upload })),
].sort((a, b) => a.index - b.index);

let t: TestDatabase;
let api: TestServer;
beforeAll(async () => {
  t = await createTestDatabase({ demo: true });
  api = await startTestServer(t.services);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await t?.drop();
});

test('the README has examples, each with its answer', () => {
  expect(examples.length).toBeGreaterThanOrEqual(10);
  expect(examples.filter((e) => e.answer === undefined)).toEqual([]);
  expect(gets.map((g) => g.path)).toEqual(['/healthz', '/readyz', '/metrics']);
  expect(gets.filter((g) => g.answer === undefined)).toEqual([]);
  expect(uploads.map((u) => [u.path, u.answer !== undefined])).toEqual([['/api/v1/reports', true]]);
});

/** Each error names its request by a fresh id; the README writes "<request id>" in its place. */
const withRequestIdPlaceholder = (json: string) => json.replace(/"requestId":"[0-9a-f-]{36}"/g, '"requestId":"<request id>"');

test('every README example answers as the README says, in order', async () => {
  for (const step of steps) {
    if (step.kind === 'graphql') {
      const response = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: step.request });
      const answer = JSON.parse(withRequestIdPlaceholder(await response.text()));
      expect({ request: step.request, answer }).toEqual({ request: step.request, answer: JSON.parse(step.answer!) });
    } else if (step.kind === 'upload') {
      const response = await fetch(`${api.origin}${step.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: step.body,
      });
      expect({ request: step.body, answer: await response.json() }).toEqual({ request: step.body, answer: JSON.parse(step.answer!) });
    } else {
      const text = await (await fetch(`${api.origin}${step.path}`)).text();
      const answer = step.grep ? text.split('\n').filter((line) => new RegExp(step.grep!).test(line)) : JSON.parse(text);
      const expected = step.grep ? step.answer!.trimEnd().split('\n') : JSON.parse(step.answer!);
      expect({ request: step.path, answer }).toEqual({ request: step.path, answer: expected });
    }
  }
});
