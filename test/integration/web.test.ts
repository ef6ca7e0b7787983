import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * How meterql serves its pages (src/http/web.ts), on stand-in assets: the pages and their deep
 * links, caching, the message when nothing is built, and the `landingPage` option.
 */
let t: TestDatabase;
const servers: TestServer[] = [];
const fixture = mkdtempSync(path.join(os.tmpdir(), 'meterql-web-'));
const empty = mkdtempSync(path.join(os.tmpdir(), 'meterql-web-empty-'));
const home = mkdtempSync(path.join(os.tmpdir(), 'meterql-web-home-'));

/** Stand-ins for what `npm run build` puts in dist/web. */
function buildAssets(dir: string): void {
  for (const page of ['graphiql', 'dashboard']) {
    mkdirSync(path.join(dir, page), { recursive: true });
    writeFileSync(
      path.join(dir, page, 'index.html'),
      `<!doctype html><title>${page}</title><script type="module" src="/assets/${page}-Ab12Cd34.js"></script>`,
    );
  }
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', 'dashboard-Ab12Cd34.js'), 'console.log("dashboard")');
}

beforeAll(async () => {
  buildAssets(fixture);
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await t?.drop();
  for (const dir of [fixture, empty, home]) rmSync(dir, { recursive: true, force: true });
});

async function serve(options: { landingPage: boolean; introspection?: boolean; webAssetsDir?: string }) {
  const server = await startTestServer(t.services, { introspection: true, ...options });
  servers.push(server);
  return { ...server, origin: new URL(server.url).origin };
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

test('the pages answer at their names and at any deep link below them, never cached; hashed assets are cached for good', async () => {
  const { origin } = await serve({ landingPage: true, webAssetsDir: fixture });
  for (const url of [
    '/graphiql',
    '/graphiql/',
    '/dashboard',
    '/dashboard?project=astro&meter=cpu.hours&drill.group=alice',
    '/dashboard/some/where',
  ]) {
    const response = await fetch(`${origin}${url}`, { headers: HTML });
    expect({
      url,
      status: response.status,
      type: response.headers.get('content-type'),
      cache: response.headers.get('cache-control'),
    }).toEqual({
      url,
      status: 200,
      type: 'text/html; charset=utf-8',
      cache: 'no-cache',
    });
    expect(await response.text()).toContain(`<title>${url.startsWith('/graphiql') ? 'graphiql' : 'dashboard'}</title>`);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/);
  }
  const asset = await fetch(`${origin}/assets/dashboard-Ab12Cd34.js`);
  expect([asset.status, asset.headers.get('cache-control'), await asset.text()]).toEqual([
    200,
    'public, max-age=31536000, immutable',
    'console.log("dashboard")',
  ]);
  const missing = await fetch(`${origin}/assets/gone-Zz99.js`);
  expect(missing.status).toBe(404);
  expect(await missing.text()).not.toContain('<title>dashboard');
});

test('installed below a folder whose name starts with a dot, the pages are served; dot-files among the assets are not', async () => {
  const installed = path.join(home, '.local', 'share', 'meterql', 'dist', 'web');
  buildAssets(installed);
  writeFileSync(path.join(installed, 'assets', '.env'), 'SECRET=1');
  mkdirSync(path.join(installed, 'assets', '.hidden'));
  writeFileSync(path.join(installed, 'assets', '.hidden', 'x.js'), 'secret()');
  const { origin } = await serve({ landingPage: true, webAssetsDir: installed });
  for (const url of ['/graphiql', '/dashboard', '/dashboard/some/where', '/assets/dashboard-Ab12Cd34.js']) {
    expect([url, (await fetch(`${origin}${url}`, { headers: HTML })).status]).toEqual([url, 200]);
  }
  expect(await (await fetch(`${origin}/dashboard`, { headers: HTML })).text()).toContain('<title>dashboard</title>');
  for (const url of ['/assets/.env', '/assets/.hidden/x.js', '/assets/%2eenv']) {
    const response = await fetch(`${origin}${url}`);
    expect([url, response.status]).toEqual([url, 404]);
    expect(await response.text()).not.toContain('secret');
  }
});

test("the landing page at / and for a browser's GET of /graphql; API requests are not affected", async () => {
  const { origin, gql } = await serve({ landingPage: true, webAssetsDir: fixture });
  for (const url of ['/', '/graphql']) {
    const response = await fetch(`${origin}${url}`, { headers: HTML });
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('<h1>meterql</h1>');
    expect(page).toContain('<a href="/graphiql">GraphiQL</a>');
    expect(page).toContain('<a href="/dashboard">Usage dashboard</a>');
    expect(page).toContain('<a href="/schema.graphql">The schema</a>');
    expect(page).not.toContain('not built');
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  }
  expect((await gql('{ meters { name } }')).data).toEqual({ meters: [] });
  const json = await fetch(`${origin}/graphql`, { headers: { accept: 'application/json' } });
  expect(await json.text()).not.toContain('<html');
});

test('the landing page shows the Host it was reached at only as text', async () => {
  const { origin } = await serve({ landingPage: true, webAssetsDir: fixture });
  const page = await new Promise<string>((resolve, reject) => {
    const request = http.get(`${origin}/`, { headers: { host: '<script>alert(1)</script>', accept: 'text/html' } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
  expect(page).toContain('curl -s http://&#60;script&#62;alert(1)&#60;/script&#62;/graphql');
  expect(page).not.toContain('<script>');
});

test('without built assets, the pages say how to build them', async () => {
  const { origin } = await serve({ landingPage: true, webAssetsDir: empty });
  for (const [url, name] of [
    ['/graphiql', 'GraphiQL'],
    ['/dashboard?meter=cpu.hours', 'The dashboard'],
  ]) {
    const response = await fetch(`${origin}${url}`, { headers: HTML });
    expect(response.status).toBe(503);
    const page = await response.text();
    expect(page).toContain(`<h1>${name} is not built</h1>`);
    expect(page).toContain('Run <code>npm run build</code>');
  }
  const landing = await (await fetch(`${origin}/`, { headers: HTML })).text();
  expect(landing).toContain('GraphiQL and the dashboard are not built yet: run <code>npm run build</code>');
});

test('with the landingPage option off there are no pages; the schema follows introspection', async () => {
  const { origin } = await serve({ landingPage: false, webAssetsDir: fixture });
  for (const url of ['/', '/graphiql', '/dashboard', '/assets/dashboard-Ab12Cd34.js']) {
    expect([url, (await fetch(`${origin}${url}`, { headers: HTML })).status]).toEqual([url, 404]);
  }
  expect(await (await fetch(`${origin}/graphql`, { headers: HTML })).text()).not.toMatch(/<html/i);
  const schema = await fetch(`${origin}/schema.graphql`);
  expect([schema.status, schema.headers.get('content-type')]).toEqual([200, 'text/plain; charset=utf-8']);
  expect(await schema.text()).toContain('type Query {');

  const closed = await serve({ landingPage: false, introspection: false, webAssetsDir: fixture });
  expect((await fetch(`${closed.origin}/schema.graphql`)).status).toBe(404);
});
