import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

// `npm start` as a user runs it, from the build (npm test builds first): no DATABASE_URL, so an
// embedded PostgreSQL in a data folder of its own, with the demo data.
const MAIN = path.resolve(__dirname, '../../dist/main.js');
const KEYS = path.resolve(__dirname, '../../dist/cli/keys.js');

/** The endpoint the log's ready line names. */
const endpoint = (lines: Record<string, any>[]) => lines.find((l) => /^GraphQL API ready/.test(l.msg))!.endpoint as string;

interface Running {
  child: ChildProcess;
  /** stdout and stderr as they came. */
  output: string[];
  /** stdout alone: the log. */
  stdout: string[];
  endpoint: string;
}

function start(dataDir: string): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, MQL_DATA_DIR: dataDir, PORT: '0', MQL_EMBEDDED_PORT: '0' };
  // As a user runs it: jest's NODE_ENV=test changes how libraries handle signals.
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const stdout: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`meterql did not start:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const ready = output.join('').match(/GraphQL API ready at (http[^\s"]+)/);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, output, stdout, endpoint: ready[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`meterql exited (${code}):\n${output.join('')}`)));
  });
}

/** Every whole line of the log so far, parsed: each must be one JSON object. */
function logLines(running: Running): Record<string, any>[] {
  const all = running.stdout.join('');
  const text = all.slice(0, all.lastIndexOf('\n') + 1);
  return text
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/** The log once a line satisfies `match`: lines are written in batches, up to 200 ms after they are logged. */
function logged(running: Running, match: (line: Record<string, any>) => boolean, timeoutMs = 5000): Promise<Record<string, any>[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const lines = logLines(running);
      if (!lines.some(match)) return;
      done();
      resolve(lines);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no such log line in ${timeoutMs / 1000} s:\n${running.stdout.join('')}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      running.child.stdout!.off('data', check);
    };
    running.child.stdout!.on('data', check);
    check();
  });
}

// 'close': the process exited and its output is all read.
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

/** meterql run until it exits (a start that fails): its exit code, stderr, and its log, a JSON object a line. */
async function runToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; lines: Record<string, any>[] }> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await exited(child);
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, any>);
  return { code, stderr, lines };
}

async function query(endpoint: string, q: string): Promise<any> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: q }),
  });
  return response.json();
}

test('starts on an embedded database with demo data, survives being killed, and stops on SIGINT and SIGTERM', async () => {
  expect(existsSync(MAIN)).toBe(true);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meterql-start-'));

  const first = await start(dataDir);
  expect(first.output.join('')).toMatch(/loaded \d+ demo usage reports/);
  const meters = await query(first.endpoint, '{ meters { name } }');
  expect(meters.data.meters.length).toBeGreaterThanOrEqual(8);

  // Health, readiness and metrics beside /graphql.
  const origin = new URL(first.endpoint).origin;
  expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ status: 'ok' });
  expect(await (await fetch(`${origin}/readyz`)).json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  const named = await fetch(first.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"query Meters { meters { name } }"}',
  });
  const requestId = named.headers.get('x-request-id');
  const metrics = await (await fetch(`${origin}/metrics`)).text();
  expect(metrics).toMatch(/^meterql_graphql_requests_total\{operation="Meters",type="query",status="200"\} 1$/m);
  expect(metrics).toMatch(/^meterql_db_pool_max_connections 10$/m);

  // The log: one JSON object a line, the start-up's messages (the embedded database's too) and an
  // access line per request, with the id its answer had.
  const lines = await logged(first, (l) => l.requestId === requestId);
  for (const line of lines)
    expect(line).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
  expect(lines.map((l) => l.msg)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^initialising an embedded PostgreSQL cluster/),
      expect.stringMatching(/^GraphQL API ready at/),
    ]),
  );
  expect(lines.filter((l) => l.requestId === requestId)).toEqual([
    expect.objectContaining({ level: 'info', msg: 'graphql request', operation: 'Meters', status: 200 }),
  ]);

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
  expect(logLines(third).map((l) => l.msg)).toEqual(
    expect.arrayContaining(['SIGTERM: answering the requests in flight, then stopping', 'stopped']),
  );
}, 120_000);

test('an invalid configuration stops it at once, with one line naming every problem', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: 'eighty', MQL_LOG_LEVEL: 'loud', MQL_DEMO_DATA: 'perhaps' };
  delete env.NODE_ENV;
  const { code, stderr, lines } = await runToExit(env);
  expect(code).toBe(1);
  expect(stderr).toBe('');
  expect(lines).toEqual([
    expect.objectContaining({
      level: 'fatal',
      problems: [
        'PORT must be a whole number from 0 to 65535, got "eighty"',
        'MQL_DEMO_DATA must be true or false (or 1/0, yes/no, on/off), got "perhaps"',
        'MQL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ],
      msg: expect.stringMatching(
        /^invalid configuration: PORT must be .*; MQL_DEMO_DATA must be true or false .*; MQL_LOG_LEVEL must be one of/,
      ),
    }),
  ]);
});

test('a busy port stops it at once, naming PORT, before any database is opened', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as net.AddressInfo).port;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meterql-busy-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), MQL_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const { code, lines } = await runToExit(env).finally(() => busy.close());
  expect(code).toBe(1);
  expect(lines).toEqual([
    expect.objectContaining({
      level: 'fatal',
      msg: `failed to start: port ${port} on 127.0.0.1 is in use (another meterql, or another program): stop it, or set PORT to a free port (PORT=${port + 1})`,
    }),
  ]);
  expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
});

test("a DATABASE_URL naming a database its server lacks is created; with keys required and none made, the start-up says how to make the first, and the README's steps for one's own PostgreSQL work", async () => {
  const name = `meterql_s_${process.env.MQL_TEST_RUN}_${Date.now().toString(36)}`;
  const url = new URL(process.env.MQL_TEST_ADMIN_URL!);
  url.pathname = `/${name}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url.toString(),
    PORT: '0',
    MQL_ANONYMOUS_ADMIN: 'false',
    MQL_DEMO_DATA: 'false',
  };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, output: [], stdout: [], endpoint: '' };
  child.stdout!.on('data', (chunk: Buffer) => running.stdout.push(chunk.toString()));
  const admin = new Client({ connectionString: process.env.MQL_TEST_ADMIN_URL });
  await admin.connect();
  try {
    // From the process's start: creating and migrating the database on a loaded machine takes a while.
    const lines = await logged(running, (l) => /^GraphQL API ready/.test(l.msg), 45_000);
    const messages = lines.map((l) => [l.level, l.msg]);
    expect(messages).toContainEqual(['info', `created the database at ${url.toString().replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@')}`]);
    expect(messages).toContainEqual([
      'warn',
      'API keys are required and none exists yet, so every request is refused: create the first admin key with `npm run keys -- create --role admin` (with the same DATABASE_URL), and send it as "Authorization: Bearer <key>"',
    ]);
    expect((await admin.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [name])).rows).toEqual([{ n: 1 }]);

    // Then the README's steps for one's own PostgreSQL: the first key, and a first query with it.
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## With your own PostgreSQL'), readme.indexOf('## In the browser'));
    const steps = section.match(/```bash\n([\s\S]*?)```\n\n```json\n([\s\S]*?)```/)!;
    expect(steps[1]).toContain('npm run keys -- create --role admin');
    const body = /-d '([^']+)'/.exec(steps[1])![1];
    const refused = await fetch(endpoint(lines), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const created = spawnSync(process.execPath, [KEYS, 'create', '--role', 'admin'], { env, encoding: 'utf8' });
    expect(created.status).toBe(0);
    const key = /^mql_\S+$/m.exec(created.stdout)![0];
    const answer = await fetch(endpoint(lines), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
    });
    expect(await answer.json()).toEqual(JSON.parse(steps[2]));
  } finally {
    child.kill('SIGTERM');
    await exited(child);
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  }
}, 60_000);
