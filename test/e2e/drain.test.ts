import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';

const MAIN = path.resolve(__dirname, '../../dist/main.js');
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await defineMeters(t.services, [{ name: 'cpu.hours' }]);
});
afterAll(async () => {
  await t?.drop();
});

test('SIGTERM answers the requests in flight, then exits', async () => {
  const { token } = await t.services.auth.createKey({ role: 'reporter', projects: [] });
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, PORT: '0', MQL_DEMO_DATA: 'false' };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.match(/GraphQL API ready at (http[^\s"]+)/);
      if (ready) resolve(ready[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => reject(new Error(output)));
  });
  expect(output).not.toMatch(/act as admin/);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const reports = Array.from({ length: 5000 }, (_, i) => ({
    project: 'p',
    meter: 'cpu.hours',
    start: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    volume: 1,
  }));
  const inFlight = fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created } }',
      variables: { r: reports },
    }),
  });
  await new Promise((resolve) => setTimeout(resolve, 30));
  child.kill('SIGTERM');

  const answer = (await (await inFlight).json()) as { data: { reportUsage: { created: number } } };
  expect(answer).toEqual({ data: { reportUsage: { created: 5000 } } });
  expect(await exited).toBe(0);
  expect(output).toMatch(/SIGTERM: answering the requests in flight, then stopping/);
  await expect(
    fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ meters { name } }"}' }),
  ).rejects.toThrow();
  expect(await t.sql('SELECT count(*)::int AS n FROM usage_events')).toEqual([{ n: 5000 }]);
}, 60_000);
