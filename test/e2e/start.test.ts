import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// `npm start` as a user runs it, from the build (npm test builds first): no DATABASE_URL, so an
// embedded PostgreSQL in a data folder of its own, with the demo data.
const MAIN = path.resolve(__dirname, '../../dist/main.js');

interface Running {
  child: ChildProcess;
  output: string[];
  endpoint: string;
}

function start(dataDir: string): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, MQL_DATA_DIR: dataDir, PORT: '0', MQL_EMBEDDED_PORT: '0' };
  // As a user runs it: jest's NODE_ENV=test changes how libraries handle signals.
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`meterql did not start:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const ready = output.join('').match(/GraphQL API ready at (\S+)/);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, output, endpoint: ready[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`meterql exited (${code}):\n${output.join('')}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

async function query(endpoint: string, q: string): Promise<any> {
  const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
  return response.json();
}

test('starts on an embedded database with demo data, survives being killed, and stops on SIGINT and SIGTERM', async () => {
  expect(existsSync(MAIN)).toBe(true);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meterql-start-'));

  const first = await start(dataDir);
  expect(first.output.join('')).toMatch(/loaded \d+ demo usage reports/);
  const meters = await query(first.endpoint, '{ meters { name } }');
  expect(meters.data.meters.length).toBeGreaterThanOrEqual(8);

  // Killed hard: its PostgreSQL is left running with the data folder locked.
  first.child.kill('SIGKILL');
  await exited(first.child);

  const second = await start(dataDir);
  const log = second.output.join('');
  expect(log).toMatch(/stopping a PostgreSQL server left running by an earlier run/);
  expect(log).not.toMatch(/demo usage reports/);
  const again = await query(second.endpoint, '{ meters { name } projects { edges { node { name } } } }');
  expect(again.data.meters).toEqual(meters.data.meters);
  expect(again.data.projects.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['astro', 'climate', 'genomics']);

  second.child.kill('SIGINT');
  expect(await exited(second.child)).toBe(0);

  const third = await start(dataDir);
  expect(third.output.join('')).not.toMatch(/left running/);
  third.child.kill('SIGTERM');
  expect(await exited(third.child)).toBe(0);
}, 120_000);
