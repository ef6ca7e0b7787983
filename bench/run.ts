import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_LIMITS } from '../src/config';
import { connectDatabase, type Database } from '../src/db/database';
import { createDatabaseIfMissing } from '../src/db/create-database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { SYSTEM } from '../src/modules/auth/auth.types';
import type { UsageReport } from '../src/modules/ingestion/ingestion.validation';
import { createServices, type Services } from '../src/services';
import { measureHttpOverhead } from './http';
import { auditIndexes, type IndexUse } from './indexes';
import { COMPONENTS, METERS, metadataVersions, plan, reports, YEAR_FROM, type Plan } from './generate';

/**
 * npm run bench [-- --events 10000000]: loads a generated year of usage (or reuses it), then
 * measures ingestion against COPY, six queries through GraphQL and as hand-written SQL on the
 * events table, and throughput under load; prints a table and writes bench/results/*.json.
 */
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '25' },
    'ingest-sample': { type: 'string', default: '100000' },
    fresh: { type: 'boolean', default: false },
    // `--only http`: just the fixed cost of a request against an empty Apollo Server, on an empty database;
    // `--only ingestion`: just ingestion against its reference, on the (loaded) dataset. Neither writes bench/results.
    only: { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);
const SAMPLE = Number(args['ingest-sample']);
const ROOT = path.resolve(__dirname, '../..');
const log = (m: string) => console.log(`[bench] ${m}`);

interface Timing {
  p50: number;
  p99: number;
  runs: number;
}
const results: Record<string, unknown> = {};

async function main(): Promise<void> {
  const started = Date.now();
  if (args.only === 'http') return httpOnly();
  const p = plan(EVENTS);
  const { url, release } = await openBenchDatabase(p);
  const db = connectDatabase(url, { max: 4 });
  const services = createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: false, rollupTimeZones: ['UTC', 'Europe/Berlin'] });
  results.machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: (await db.pool.query('SHOW server_version')).rows[0].server_version,
  };
  results.plan = p;

  if (args.fresh || !(await loaded(db, p))) await load(db, services, p);
  results.stored = (
    await db.pool.query('SELECT count(*)::int AS events, (SELECT count(*)::int FROM usage_rollups) AS rollups FROM usage_events')
  ).rows[0];

  if (args.only === 'indexes') {
    try {
      const busy = await busiest(db);
      const use = await auditIndexes(url, {
        meter: busy.meter.name,
        project: busy.project.name,
        user: busy.user.name,
        resource: busy.resource,
      });
      console.log(indexTable(use));
    } finally {
      await db.close();
      await release();
    }
    return;
  }
  const { token } = await services.auth.createKey({ role: 'admin', projects: [], description: 'bench' });
  const server = await startServer(url);
  if (args.only === 'ingestion') {
    try {
      await measureIngestion(db, services, server, token);
    } finally {
      await server.stop();
      await db.close();
      await release();
    }
    return;
  }
  try {
    results.ingestion = await measureIngestion(db, services, server, token);
    results.queries = await measureQueries(db, server, token);
    results.throughput = await measureThroughput(server, token);
    log('the fixed cost of a request: { __typename }, meterql and an empty Apollo Server 5, 10 connections');
    results.http = await measureHttpOverhead({ endpoint: server.endpoint, token }, { log });
  } finally {
    results.serverPeakRssMiB = Math.round(server.overallPeakRss() / 1024);
    await server.stop();
    await db.close();
    await release();
  }
  results.minutes = Math.round((Date.now() - started) / 600) / 100;
  const file = path.join(ROOT, 'bench/results', `${new Date().toISOString().slice(0, 10)}-${EVENTS}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${report()}\nwritten to ${path.relative(ROOT, file)}`);
}

/** `npm run bench -- --only http`: the fixed cost of a request, on an empty database; nothing is written to bench/results. */
async function httpOnly(): Promise<void> {
  const { url, release } = await openBenchDatabase({ ...plan(1), events: 0 });
  const db = connectDatabase(url, { max: 2 });
  const services = createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: false, rollupTimeZones: ['UTC'] });
  const { token } = await services.auth.createKey({ role: 'admin', projects: [], description: 'bench' });
  const server = await startServer(url);
  try {
    const http = await measureHttpOverhead({ endpoint: server.endpoint, token }, { log });
    log(
      `{ __typename }: meterql ${http.meterql.join(', ')}/s; empty Apollo Server ${http.emptyApollo.join(', ')}/s; ratio ${http.ratio}; p99 ${http.meterqlP99} ms`,
    );
  } finally {
    await server.stop();
    await db.close();
    await release();
  }
}

async function openBenchDatabase(p: Plan): Promise<{ url: string; release: () => Promise<void> }> {
  const name = `meterql_bench_${p.events}`;
  if (process.env.DATABASE_URL) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    if (args.fresh) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0)
      await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    return { url: url.toString(), release: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({
    dir: path.join(ROOT, '.data/bench-postgres'),
    port: 54331,
    log,
    settings: {
      shared_buffers: '2GB',
      work_mem: '64MB',
      maintenance_work_mem: '1GB',
      max_wal_size: '16GB',
      checkpoint_timeout: '30min',
      effective_cache_size: '12GB',
    },
  });
  if (args.fresh) {
    const admin = new Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  await createDatabaseIfMissing(embedded.urlFor(name));
  await migrate(embedded.urlFor(name));
  return { url: embedded.urlFor(name), release: () => embedded.stop() };
}

async function loaded(db: Database, p: Plan): Promise<boolean> {
  const { rows } = await db.pool.query("SELECT to_regclass('bench_meta') IS NOT NULL AS ok");
  if (!rows[0].ok) return false;
  const meta = await db.pool.query('SELECT 1 FROM bench_meta WHERE plan = $1::jsonb', [JSON.stringify(p)]);
  return meta.rowCount === 1;
}

/** The dataset, written through the ingestion code itself, two batches at a time. */
async function load(db: Database, services: Services, p: Plan): Promise<void> {
  await db.pool.query(`TRUNCATE usage_events, usage_metrics, resource_metadata, resources, usage_rollups, usage_rollup_dirty,
    usage_rollup_zones, projects, users, compute_projects, sources RESTART IDENTITY CASCADE`);
  log(
    `loading ${p.events.toLocaleString()} events (${p.vms} VMs, ${p.jobs.toLocaleString()} jobs, ${p.discrete.toLocaleString()} discrete) ...`,
  );
  for (const c of COMPONENTS) await services.catalog.defineComponent(c);
  for (const m of METERS) await services.catalog.defineMeter(m);
  const started = Date.now();
  let written = 0;
  const batches = reports(p, 5000);
  const worker = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      await services.ingestion.reportUsage(SYSTEM, next.value);
      written += next.value.length;
      if (written % 500_000 < 5000)
        log(`  ${written.toLocaleString()} reports, ${Math.round(written / ((Date.now() - started) / 1000)).toLocaleString()}/s`);
    }
  };
  await Promise.all([worker(), worker()]);
  const seconds = (Date.now() - started) / 1000;
  results.load = { reports: written, seconds, reportsPerSecond: Math.round(written / seconds) };
  log(`  ${written.toLocaleString()} reports in ${Math.round(seconds)} s: ${Math.round(written / seconds).toLocaleString()}/s`);

  log('resource metadata ...');
  const versions = [...metadataVersions(p)];
  await db.pool.query(`INSERT INTO resources (external_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING`, [
    versions.map((v) => v.resource),
  ]);
  await db.pool.query(
    `INSERT INTO resource_metadata (resource_id, valid_from, valid_to, metadata)
     SELECT r.id, v.valid_from, lead(v.valid_from) OVER (PARTITION BY r.id ORDER BY v.valid_from), v.metadata
     FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[]) AS v(resource, valid_from, metadata) JOIN resources r ON r.external_id = v.resource`,
    [versions.map((v) => v.resource), versions.map((v) => v.validFrom), versions.map((v) => JSON.stringify(v.metadata))],
  );

  log('rollups ...');
  const rollupStarted = Date.now();
  await services.rollups.refresh();
  await services.rollups.ensureZones(log);
  results.rollupBuildSeconds = (Date.now() - rollupStarted) / 1000;
  log(`  rollups built in ${results.rollupBuildSeconds} s`);
  await db.pool.query('VACUUM ANALYZE');
  await db.pool.query('CREATE TABLE IF NOT EXISTS bench_meta (plan jsonb NOT NULL); DELETE FROM bench_meta');
  await db.pool.query('INSERT INTO bench_meta (plan) VALUES ($1)', [JSON.stringify(p)]);
  log(`loaded in ${Math.round((Date.now() - started) / 1000)} s`);
}

interface Server {
  endpoint: string;
  pid: number;
  /** The largest RSS seen (KiB) since the start, or since the last resetPeak(). */
  peakRss(): number;
  resetPeak(): void;
  /** The largest RSS seen (KiB) since the start. */
  overallPeakRss(): number;
  stop(): Promise<void>;
}

/** meterql as its own process, as deployed; its RSS sampled every 100 ms. */
async function startServer(url: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: '0',
    NODE_ENV: 'production',
    MQL_DEMO_DATA: 'false',
    MQL_ROLLUP_TIME_ZONES: 'UTC,Europe/Berlin',
  };
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/GraphQL API ready at (http[^\s"]+)/);
      if (!m) return;
      // From now on its log (a line a request) is read and dropped, as a log shipper would read it.
      child.stdout!.off('data', read);
      child.stdout!.on('data', () => undefined);
      resolve(m[1]);
    };
    child.stdout!.on('data', read);
    child.once('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  let peak = 0;
  let overall = 0;
  const sample = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {
      /* not on Linux, or gone */
    }
  }, 100);
  return {
    endpoint,
    pid: child.pid!,
    peakRss: () => peak,
    resetPeak: () => {
      overall = Math.max(overall, peak);
      peak = 0;
    },
    overallPeakRss: () => Math.max(overall, peak),
    stop: async () => {
      clearInterval(sample);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function gql(server: Server, token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const REPORT = 'mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged } }';

/** Events of a year of their own (2030), so that the measured data stay apart; removed after. */
function sample(n: number, offset: number): UsageReport[][] {
  const out: UsageReport[][] = [];
  let i = 0;
  for (const batch of reports(plan(n * 2), 1000, 99 + offset)) {
    out.push(
      batch.map((r) => ({
        ...r,
        project: `bench-${offset}-${r.project}`,
        // A resource belongs to one project: the sample's projects have resources of their own.
        resource: r.resource && `bench-${offset}-${r.resource}`,
        start: new Date(r.start.getTime() + 4 * 365 * 86_400_000),
        end: r.end ? new Date(r.end.getTime() + 4 * 365 * 86_400_000) : r.end,
      })),
    );
    i += batch.length;
    if (i >= n) break;
  }
  return out;
}

async function rate(n: number, work: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await work();
  return Math.round(n / (Number(process.hrtime.bigint() - t0) / 1e9));
}

/** CPU seconds (user and system) a process has used so far; 0 when it is gone or not on Linux. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the PostgreSQL backends of database `name` (meterql's pool and refresher, the
 * bench's own connections): their process titles name the database, so other work on the same
 * server is left out. A backend that exits during a run takes its seconds with it.
 */
function postgresCpu(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(` ${name} `)) continue;
      total += cpuOf(Number(entry));
    } catch {
      /* gone */
    }
  }
  return total;
}

interface IngestionRun {
  /** Reports a second, until written and rolled up. */
  perSecond: number;
  /** Reports a second, until written (the client's view). */
  writtenPerSecond: number;
  /** meterql's largest RSS during the run. */
  serverPeakRssMiB: number;
  /** CPU per report, in microseconds: meterql's process, PostgreSQL's, and the bench's own (the client). */
  serverCpuUs: number;
  postgresCpuUs: number;
  benchCpuUs: number;
}

/** The rate of `work` for n reports, and the CPU each process spent a report on it. */
/**
 * The rate of `work` for n reports, and the CPU each process spent a report on it. The rate is
 * the sustained one: the time runs until the server's rollup refresher has also recomputed every
 * hour the reports made dirty, so that no run leaves its refresh to the next (or to the reference).
 */
async function ingestionRun(db: Database, server: Server, n: number, work: () => Promise<void>): Promise<IngestionRun> {
  const database = (await db.pool.query('SELECT current_database() AS name')).rows[0].name as string;
  const [server0, postgres0, bench0] = [cpuOf(server.pid), postgresCpu(database), process.cpuUsage()];
  server.resetPeak();
  const t0 = process.hrtime.bigint();
  await work();
  const written = process.hrtime.bigint();
  // The bench's samples are in 2030 and later, the dataset before.
  const dirty = async () =>
    (await db.pool.query("SELECT EXISTS (SELECT 1 FROM usage_rollup_dirty WHERE hour >= '2029-01-01') AS any")).rows[0].any;
  while (await dirty()) await new Promise((resolve) => setTimeout(resolve, 20));
  const done = process.hrtime.bigint();
  const bench = process.cpuUsage(bench0);
  const us = (seconds: number) => Math.round((seconds * 1e6) / n);
  return {
    perSecond: Math.round(n / (Number(done - t0) / 1e9)),
    writtenPerSecond: Math.round(n / (Number(written - t0) / 1e9)),
    serverPeakRssMiB: Math.round(server.peakRss() / 1024),
    serverCpuUs: us(cpuOf(server.pid) - server0),
    postgresCpuUs: us(postgresCpu(database) - postgres0),
    benchCpuUs: us((bench.user + bench.system) / 1e6),
  };
}

async function measureIngestion(db: Database, services: Services, server: Server, token: string) {
  log(`ingestion: ${SAMPLE.toLocaleString()} events each way ...`);
  const resize = (batches: UsageReport[][], size: number) => {
    const flat = batches.flat();
    return Array.from({ length: Math.ceil(flat.length / size) }, (_, i) => flat.slice(i * size, (i + 1) * size));
  };
  const inParallel = async <T>(batches: T[], send: (b: T) => Promise<unknown>) => {
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await send(batches[next++]);
    };
    await Promise.all([worker(), worker()]);
  };
  const count = (batches: UsageReport[][]) => batches.reduce((s, b) => s + b.length, 0);
  const upload = async (body: string) => {
    const response = await fetch(server.endpoint.replace(/\/graphql$/, '/api/v1/reports'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body,
    });
    if (response.status !== 200) throw new Error(`bulk upload: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const ndjson = (batches: UsageReport[][]) => batches.map((b) => b.map((r) => JSON.stringify(r)).join('\n'));
  const runs: Record<string, IngestionRun> = {};
  const measure = async (name: string, n: number, work: () => Promise<void>) => {
    runs[name] = await ingestionRun(db, server, n, work);
    log(`  ${name}: ${JSON.stringify(runs[name])}`);
  };

  // Each measure writes a sample of its own (its own projects and resources, in 2030): all are new reports.
  const direct = resize(sample(SAMPLE, 1), 5000);
  await measure('direct', count(direct), () => inParallel(direct, (b) => services.ingestion.reportUsage(SYSTEM, b)));
  const http1000 = resize(sample(SAMPLE, 2), 1000);
  await measure('graphql1000', count(http1000), () => inParallel(http1000, (b) => gql(server, token, REPORT, { r: b })));
  const http5000 = resize(sample(SAMPLE, 3), 5000);
  await measure('graphql5000', count(http5000), () => inParallel(http5000, (b) => gql(server, token, REPORT, { r: b })));
  const bulk5000 = resize(sample(SAMPLE, 5), 5000);
  const bulk5000Bodies = ndjson(bulk5000);
  await measure('bulk5000', count(bulk5000), () => inParallel(bulk5000Bodies, upload));
  const bulk25000 = resize(sample(SAMPLE, 6), 25000);
  const bulk25000Bodies = ndjson(bulk25000);
  await measure('bulk25000', count(bulk25000), () => inParallel(bulk25000Bodies, upload));

  // The ceiling: COPY of the same rows (ids resolved) into a plain table.
  const rows = sample(SAMPLE, 4).flat();
  const client = await db.pool.connect();
  let copyRate: number;
  try {
    // The reference's rows have the ids of real dimension rows and resources, as ingestion's have.
    for (const [table, names] of [
      ['projects', rows.map((r) => r.project)],
      ['users', rows.map((r) => r.user)],
      ['sources', rows.map((r) => r.source)],
    ] as const)
      await client.query(`INSERT INTO ${table} (name) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING`, [names.filter(Boolean)]);
    await client.query('INSERT INTO resources (external_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING', [
      rows.map((r) => r.resource).filter(Boolean),
    ]);
    const ids = async (table: string, column = 'name') =>
      new Map((await client.query(`SELECT ${column} AS name, id FROM ${table}`)).rows.map((r) => [r.name as string, r.id as number]));
    const [meters, projects, users, sources, resources] = [
      await ids('meters'),
      await ids('projects'),
      await ids('users'),
      await ids('sources'),
      await ids('resources', 'external_id'),
    ];
    await client.query(
      'DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE usage_events INCLUDING DEFAULTS EXCLUDING IDENTITY)',
    );
    await client.query('ALTER TABLE bench_copy DROP COLUMN duration, DROP COLUMN id');
    const tsv = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v));
    copyRate = await rate(rows.length, async () => {
      const lines = Readable.from(
        (function* () {
          for (const r of rows) {
            yield (
              [
                meters.get(r.meter),
                projects.get(r.project),
                '\\N',
                tsv(users.get(r.user ?? '')),
                sources.get(r.source ?? 'default'),
                tsv(resources.get(r.resource ?? '')),
                '\\N',
                r.start.toISOString(),
                r.end ? r.end.toISOString() : '\\N',
                r.volume,
                r.contingentFactor ?? 1,
                r.operationCount ?? 1,
                tsv(r.partition),
                tsv(r.priority),
                '\\N',
                'x',
                r.start.toISOString(),
                r.start.toISOString(),
              ].join('\t') + '\n'
            );
          }
        })(),
      );
      await pipeline(
        lines,
        client.query(
          copyFrom(`COPY bench_copy (meter_id, project_id, compute_project_id, user_id, source_id, resource_id, parent_id,
        start_time, end_time, volume, contingent_factor, operation_count, partition, priority, additional_data, content_hash, created_at, updated_at) FROM STDIN`),
        ),
      );
    });
    await client.query('DROP TABLE bench_copy');

    // The reference of the target: the same rows upserted from unnest into usage_events itself,
    // with all its data and indexes, in batches of 5,000, two at a time.
    const upsertBatches = Array.from({ length: Math.ceil(rows.length / 5000) }, (_, i) => rows.slice(i * 5000, (i + 1) * 5000));
    await measure('unnestUpsert', rows.length, () =>
      inParallel(upsertBatches, (batch) =>
        db.pool.query(
          `INSERT INTO usage_events AS e (meter_id, project_id, user_id, source_id, resource_id, start_time, end_time, volume, contingent_factor,
             operation_count, partition, priority, content_hash)
           SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::float8[],
             $9::float8[], $10::int[], $11::text[], $12::text[], $13::text[])
           ON CONFLICT ON CONSTRAINT usage_events_match_key
           DO UPDATE SET volume = EXCLUDED.volume, content_hash = EXCLUDED.content_hash WHERE e.content_hash <> EXCLUDED.content_hash`,
          [
            batch.map((r) => meters.get(r.meter)),
            batch.map((r) => projects.get(r.project)),
            batch.map((r) => users.get(r.user ?? '') ?? null),
            batch.map((r) => sources.get(r.source ?? 'default')),
            batch.map((r) => resources.get(r.resource ?? '') ?? null),
            batch.map((r) => r.start.toISOString()),
            batch.map((r) => r.end?.toISOString() ?? null),
            batch.map((r) => r.volume),
            batch.map((r) => r.contingentFactor ?? 1),
            batch.map((r) => r.operationCount ?? 1),
            batch.map((r) => r.partition ?? null),
            batch.map((r) => r.priority ?? null),
            batch.map(() => 'x'),
          ],
        ),
      ),
    );
  } finally {
    client.release();
  }
  await db.pool.query("DELETE FROM usage_events WHERE project_id IN (SELECT id FROM projects WHERE name LIKE 'bench-%')");
  await db.pool.query("DELETE FROM usage_rollup_dirty WHERE hour >= '2029-01-01'");
  const reference = runs.unnestUpsert.perSecond;
  const share = (name: string) => Math.round((runs[name].perSecond / reference) * 100) / 100;
  return {
    events: SAMPLE,
    runs,
    directPerSecond: runs.direct.perSecond,
    graphqlBatch1000PerSecond: runs.graphql1000.perSecond,
    graphqlBatch5000PerSecond: runs.graphql5000.perSecond,
    bulk5000PerSecond: runs.bulk5000.perSecond,
    bulk25000PerSecond: runs.bulk25000.perSecond,
    copyPerSecond: copyRate,
    unnestUpsertPerSecond: reference,
    graphqlShareOfUpsert: share('graphql5000'),
    bulkShareOfUpsert: Math.max(share('bulk5000'), share('bulk25000')),
    graphqlShareOfCopy: Math.round((Math.max(runs.graphql1000.perSecond, runs.graphql5000.perSecond) / copyRate) * 100) / 100,
  };
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), runs };
}

const iso = (ms: number) => new Date(ms).toISOString();
const MONTH_FROM = Date.UTC(2026, 5, 1);
const MONTH_TO = Date.UTC(2026, 6, 1);

interface Named {
  id: number;
  name: string;
}

/** The busiest meter of the month, its busiest project, the busiest user of a week, and that project's busiest resource. */
async function busiest(db: Database): Promise<{ meter: Named; project: Named; user: Named & { n: number }; resource: string }> {
  const sql = (text: string, values: unknown[] = []) => db.pool.query(text, values).then((r) => r.rows);
  const [meter] = await sql(
    `SELECT m.id, m.name FROM usage_events e JOIN meters m ON m.id = e.meter_id
    WHERE e.start_time >= $1 AND e.start_time < $2 GROUP BY m.id ORDER BY count(*) DESC LIMIT 1`,
    [iso(MONTH_FROM), iso(MONTH_TO)],
  );
  const [project] = await sql(
    `SELECT p.id, p.name FROM usage_events e JOIN projects p ON p.id = e.project_id
    WHERE e.meter_id = $1 GROUP BY p.id ORDER BY count(*) DESC LIMIT 1`,
    [meter.id],
  );
  const [user] = await sql(
    `SELECT u.id, u.name, count(*)::int AS n FROM usage_events e JOIN users u ON u.id = e.user_id
    WHERE e.meter_id = $1 AND e.start_time >= $2 AND e.start_time < $3 GROUP BY u.id ORDER BY count(*) DESC LIMIT 1`,
    [meter.id, iso(MONTH_FROM), iso(MONTH_FROM + 7 * 86_400_000)],
  );
  const [resource] = await sql(
    `SELECT r.external_id FROM usage_events e JOIN resources r ON r.id = e.resource_id
    WHERE e.project_id = $1 AND e.meter_id = $2 AND e.start_time >= $3 AND e.start_time < $4 GROUP BY r.id ORDER BY count(*) DESC LIMIT 1`,
    [project.id, meter.id, iso(MONTH_FROM), iso(MONTH_TO)],
  );
  return { meter, project, user, resource: resource.external_id };
}

async function measureQueries(db: Database, server: Server, token: string) {
  const sql = (text: string, values: unknown[] = []) => db.pool.query(text, values).then((r) => r.rows);
  const { meter: busy, project: busyProject, user: busyUser } = await busiest(db);
  const WEEK_TO = MONTH_FROM + 7 * 86_400_000;
  log(`queries: meter ${busy.name}, project ${busyProject.name}, user ${busyUser.name} (${busyUser.n} events in the week) ...`);
  const BERLIN_FROM = '2025-12-31T23:00:00Z';
  const BERLIN_TO = '2026-12-31T23:00:00Z';
  const jobs = METERS.find((m) => m.name === 'job.core_hours')!.name;

  const q1 = { meters: [busy.name], from: iso(MONTH_FROM), to: iso(MONTH_TO), groupBy: ['PROJECT'] };
  const q2 = {
    meters: [busy.name],
    from: BERLIN_FROM,
    to: BERLIN_TO,
    period: { unit: 'DAY' },
    timeZone: 'Europe/Berlin',
    filter: { projects: [busyProject.name] },
  };
  const STATS =
    'query S($i: UsageStatisticsInput!) { usageStatistics(input: $i) { aggregatedFrom rows { project periodStart count sum } } }';
  const EVENTS = `query E($f: UsageEventFilter!, $after: String) { usageEvents(filter: $f, first: 100, after: $after) {
    edges { cursor node { id start volume meter { name } } } pageInfo { endCursor hasNextPage } } }`;
  const q3filter = { from: iso(MONTH_FROM), to: iso(WEEK_TO), users: [busyUser.name], meters: [busy.name] };
  // The deep page: the one after the first 90% of the user's events of the week.
  let deepCursor: string | null = null;
  {
    let after: string | null = null;
    for (let seen = 0; seen < busyUser.n * 0.9; seen += 100) {
      const page: any = (await gql(server, token, EVENTS, { f: q3filter, after })).usageEvents;
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    deepCursor = after;
  }
  const [deep] = await sql(
    `SELECT start_time, id FROM usage_events WHERE user_id = $1 AND meter_id = $2 AND start_time >= $3 AND start_time < $4
    ORDER BY start_time, id OFFSET $5 LIMIT 1`,
    [busyUser.id, busy.id, iso(MONTH_FROM), iso(WEEK_TO), Math.floor(busyUser.n * 0.9) - 1],
  );
  const q4 = `query D($f: DiscoveryFilter) { users(filter: $f, first: 1000) { edges { node { name } } } projects(filter: $f, first: 1000) { edges { node { name } } }
    sources(filter: $f, first: 1000) { edges { node { name } } } }`;
  const q5 = { meters: [busy.name], from: iso(MONTH_FROM), to: iso(MONTH_TO), groupByMetadata: ['flavor'] };
  const q6 = { meters: [jobs], from: iso(MONTH_FROM), to: iso(MONTH_TO), period: { unit: 'DAY' }, prorate: true };

  // Hand-written SQL on the events table: what the same answers cost without meterql.
  const sqlQ1 = () =>
    sql(
      `SELECT p.name AS project, count(*)::int AS count, sum(e.volume::numeric) AS sum FROM usage_events e JOIN projects p ON p.id = e.project_id
    WHERE e.meter_id = $1 AND e.start_time >= $2 AND e.start_time < $3 GROUP BY p.name ORDER BY p.name`,
      [busy.id, iso(MONTH_FROM), iso(MONTH_TO)],
    );
  const sqlQ2 = () =>
    sql(
      `SELECT date_trunc('day', e.start_time AT TIME ZONE 'Europe/Berlin') AS day, count(*)::int AS count, sum(e.volume::numeric) AS sum FROM usage_events e
    WHERE e.project_id = $1 AND e.meter_id = $2 AND e.start_time >= $3 AND e.start_time < $4 GROUP BY 1 ORDER BY 1`,
      [busyProject.id, busy.id, BERLIN_FROM, BERLIN_TO],
    );
  const sqlQ3 = (after: { start_time: Date; id: string } | null) =>
    sql(
      `SELECT * FROM usage_events WHERE user_id = $1 AND meter_id = $2 AND start_time >= $3 AND start_time < $4
    AND ($5::timestamptz IS NULL OR (start_time, id) > ($5, $6::bigint)) ORDER BY start_time, id LIMIT 100`,
      [busyUser.id, busy.id, iso(MONTH_FROM), iso(WEEK_TO), after?.start_time ?? null, after?.id ?? null],
    );
  const sqlQ4 = () =>
    sql(
      `SELECT (SELECT array_agg(DISTINCT user_id) FROM usage_events WHERE start_time >= $1 AND start_time < $2) AS users,
    (SELECT array_agg(DISTINCT project_id) FROM usage_events WHERE start_time >= $1 AND start_time < $2) AS projects,
    (SELECT array_agg(DISTINCT source_id) FROM usage_events WHERE start_time >= $1 AND start_time < $2) AS sources`,
      [iso(MONTH_FROM), iso(MONTH_TO)],
    );
  const sqlQ5 = () =>
    sql(
      `SELECT m.metadata -> 'flavor' AS flavor, count(*), sum(e.volume::numeric) FROM usage_events e
    LEFT JOIN resource_metadata m ON m.resource_id = e.resource_id AND m.valid_from <= e.start_time AND (m.valid_to IS NULL OR m.valid_to > e.start_time)
    WHERE e.meter_id = $1 AND e.start_time >= $2 AND e.start_time < $3 GROUP BY 1`,
      [busy.id, iso(MONTH_FROM), iso(MONTH_TO)],
    );
  const sqlQ6 = () =>
    sql(
      `SELECT d AS day, sum(e.volume::numeric * extract(epoch FROM least(e.end_time, d + interval '1 day') - greatest(e.start_time, d)) / extract(epoch FROM e.end_time - e.start_time))
    FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') AS d
    JOIN usage_events e ON e.meter_id = (SELECT id FROM meters WHERE name = $1) AND e.start_time < d + interval '1 day' AND e.end_time > d AND e.end_time > e.start_time
    GROUP BY d ORDER BY d`,
      [jobs, iso(MONTH_FROM), iso(MONTH_TO)],
    );

  // The answers must agree with the scan.
  const viaApi1 = (await gql(server, token, STATS, { i: q1 })).usageStatistics;
  const viaSql1 = await sqlQ1();
  assertSame(
    'Q1',
    viaApi1.rows.map((r: any) => [r.project, r.count, r.sum]),
    viaSql1.map((r) => [r.project, r.count, Number(r.sum)]),
  );
  const viaApi2 = (await gql(server, token, STATS, { i: q2 })).usageStatistics;
  const viaSql2 = await sqlQ2();
  assertSame(
    'Q2',
    viaApi2.rows.map((r: any) => [r.count, r.sum]),
    viaSql2.map((r) => [r.count, Number(r.sum)]),
  );

  const timings: Record<string, unknown> = {};
  const both = async (
    name: string,
    description: string,
    api: () => Promise<unknown>,
    scan: () => Promise<unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    timings[name] = { description, graphql: await time(RUNS, api), sql: await time(RUNS, scan), ...extra };
    log(`  ${name} ${JSON.stringify(timings[name])}`);
  };
  await both('Q1', `${busy.name}, 30 days, by project`, () => gql(server, token, STATS, { i: q1 }), sqlQ1, {
    path: viaApi1.aggregatedFrom,
    rows: viaSql1.length,
  });
  await both(
    'Q2',
    `${busy.name} of ${busyProject.name}, 365 days, daily, Europe/Berlin`,
    () => gql(server, token, STATS, { i: q2 }),
    sqlQ2,
    { path: viaApi2.aggregatedFrom, rows: viaSql2.length },
  );
  await both(
    'Q3 first',
    `raw events of ${busyUser.name}, ${busy.name}, 7 days: first page of 100`,
    () => gql(server, token, EVENTS, { f: q3filter }),
    () => sqlQ3(null),
  );
  await both(
    'Q3 deep',
    `the page after ${Math.floor(busyUser.n * 0.9)} events`,
    () => gql(server, token, EVENTS, { f: q3filter, after: deepCursor }),
    () => sqlQ3(deep),
  );
  await both(
    'Q4',
    'users, projects and sources with usage in 30 days',
    () => gql(server, token, q4, { f: { from: iso(MONTH_FROM), to: iso(MONTH_TO) } }),
    sqlQ4,
  );
  await both('Q5', `${busy.name}, a month, by flavor as of each record's start`, () => gql(server, token, STATS, { i: q5 }), sqlQ5);
  await both('Q6', 'job core-hours, a month, daily, prorated', () => gql(server, token, STATS, { i: q6 }), sqlQ6);

  // Money: every meter priced, the busy meter's price changing mid-month, a fixed cost per project.
  await sql('DELETE FROM price_cards');
  await sql('DELETE FROM fixed_costs');
  await sql(
    `INSERT INTO price_cards (meter_id, unit_price, currency, valid_from, valid_to)
    SELECT id, 0.01, 'EUR', '2020-01-01', CASE WHEN id = $1 THEN $2::timestamptz END FROM meters`,
    [busy.id, iso(MONTH_FROM + 15 * 86_400_000)],
  );
  await sql(`INSERT INTO price_cards (meter_id, unit_price, currency, valid_from) VALUES ($1, 0.012, 'EUR', $2)`, [
    busy.id,
    iso(MONTH_FROM + 15 * 86_400_000),
  ]);
  await sql(
    `INSERT INTO fixed_costs (project_id, name, amount, currency, per, valid_from) SELECT id, 'support', 100, 'EUR', 'MONTH', '2020-01-01' FROM projects`,
  );
  const COST =
    'query S($i: UsageStatisticsInput!) { usageStatistics(input: $i) { aggregatedFrom rows { project sum cost unpricedVolume } } }';
  const CHARGEBACK =
    'query C($i: ChargebackInput!) { chargeback(input: $i) { rows { project periodStart allocationMinutes allocationCost fixedCost total } } }';
  const apiOnly = async (name: string, description: string, api: () => Promise<unknown>) => {
    timings[name] = { description, graphql: await time(RUNS, api) };
    log(`  ${name} ${JSON.stringify(timings[name])}`);
  };
  // Each record at the card valid at its start, as hand-written SQL would price it.
  const sqlQ7 = () =>
    sql(
      `SELECT p.name AS project, sum(e.volume::numeric) AS sum, sum(e.volume::numeric * c.unit_price) AS cost
    FROM usage_events e JOIN projects p ON p.id = e.project_id
    LEFT JOIN price_cards c ON c.meter_id = e.meter_id AND c.valid_from <= e.start_time AND (c.valid_to IS NULL OR c.valid_to > e.start_time)
    WHERE e.meter_id = $1 AND e.start_time >= $2 AND e.start_time < $3 GROUP BY p.name ORDER BY p.name`,
      [busy.id, iso(MONTH_FROM), iso(MONTH_TO)],
    );
  const viaApi7 = (await gql(server, token, COST, { i: q1 })).usageStatistics;
  const viaSql7 = await sqlQ7();
  assertSame(
    'Q7',
    viaApi7.rows.map((r: any) => [r.project, r.sum, Number(r.cost)]),
    viaSql7.map((r) => [r.project, Number(r.sum), Number(Number(r.cost).toFixed(6))]),
  );
  await both('Q7', `Q1 with cost: ${busy.name}, 30 days, by project, priced per record`, () => gql(server, token, COST, { i: q1 }), sqlQ7, {
    path: viaApi7.aggregatedFrom,
  });
  await apiOnly('Q8', `chargeback of ${busyProject.name}, 30 days, DAILY, every meter, prorated and priced`, () =>
    gql(server, token, CHARGEBACK, { i: { projects: [busyProject.name], from: iso(MONTH_FROM), to: iso(MONTH_TO), period: 'DAILY' } }),
  );
  await sql('DELETE FROM contingents');
  await sql(
    `INSERT INTO contingents (project_id, meter_id, period, time_zone, valid_from, valid_to, amount)
    VALUES ($1, $2, 'YEAR', 'UTC', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 1000000)`,
    [busyProject.id, busy.id],
  );
  const STATUS = 'query C($p: String!, $at: DateTime!) { contingentStatus(project: $p, at: $at) { used remaining requiredRate } }';
  const sqlQ9 = () =>
    sql(
      `SELECT sum(volume::numeric * contingent_factor::numeric) AS used FROM usage_events
    WHERE project_id = $1 AND meter_id = $2 AND start_time >= '2026-01-01T00:00:00Z' AND start_time < '2026-12-01T12:34:00Z'`,
      [busyProject.id, busy.id],
    );
  const viaApi9 = (await gql(server, token, STATUS, { p: busyProject.name, at: '2026-12-01T12:34:00Z' })).contingentStatus;
  assertSame(
    'Q9',
    viaApi9.map((r: any) => [r.used]),
    (await sqlQ9()).map((r) => [Number(r.used)]),
  );
  await both(
    'Q9',
    `contingent status of ${busyProject.name}: ${busy.name} over a year, at December 1st 12:34`,
    () => gql(server, token, STATUS, { p: busyProject.name, at: '2026-12-01T12:34:00Z' }),
    sqlQ9,
  );
  return { busyMeter: busy.name, busyProject: busyProject.name, busyUser: busyUser.name, timings, q1, q3filter };
}

function assertSame(name: string, api: unknown[][], scan: unknown[][]): void {
  const close = (a: unknown, b: unknown) =>
    typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) : a === b;
  const same = api.length === scan.length && api.every((row, i) => row.every((v, j) => close(v, scan[i][j])));
  if (!same)
    throw new Error(
      `${name}: the API's answer differs from the scan's:\n${JSON.stringify(api.slice(0, 5))}\n${JSON.stringify(scan.slice(0, 5))}`,
    );
  log(`  ${name}: the API's ${api.length} rows equal the scan's`);
}

async function measureThroughput(server: Server, token: string) {
  const q = results.queries as { q1: unknown; q3filter: unknown };
  const bodies = {
    Q3: JSON.stringify({
      query: 'query E($f: UsageEventFilter!) { usageEvents(filter: $f, first: 100) { edges { cursor node { id start volume } } } }',
      variables: { f: q.q3filter },
    }),
    Q1: JSON.stringify({
      query: 'query S($i: UsageStatisticsInput!) { usageStatistics(input: $i) { rows { project sum count } } }',
      variables: { i: q.q1 },
    }),
  };
  const out: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(bodies)) {
    for (const connections of [10, 50]) {
      const result = await autocannon({
        url: server.endpoint,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        connections,
        duration: 10,
      });
      out[`${name} x${connections}`] = {
        requestsPerSecond: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      };
      log(`  ${name} at ${connections} connections: ${JSON.stringify(out[`${name} x${connections}`])}`);
    }
  }
  return out;
}

/** Which statement scans which of usage_events' indexes: a row a statement, a column an index. */
function indexTable(use: IndexUse[]): string {
  const names = [...new Set(use.flatMap((u) => u.indexes))].sort();
  const short = (name: string) => name.replace(/^usage_events_/, '').replace(/_idx$/, '');
  return [
    `| statement | ${names.map(short).join(' | ')} | full scan |`,
    `| --- |${names.map(() => ' --- |').join('')} --- |`,
    ...use.map((u) => `| ${u.case} | ${names.map((n) => (u.indexes.includes(n) ? 'x' : '')).join(' | ')} | ${u.seqScans > 0 ? 'x' : ''} |`),
  ].join('\n');
}

function report(): string {
  const r = results as any;
  const lines = [
    `meterql benchmark: ${r.stored.events.toLocaleString()} events, ${r.machine.cpus} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, PostgreSQL ${r.machine.postgres}`,
    '',
    '| ingestion (events/s) | value |',
    '| --- | --- |',
    `| reportUsage over HTTP, batches of 1,000 | ${r.ingestion.graphqlBatch1000PerSecond.toLocaleString()} |`,
    `| reportUsage over HTTP, batches of 5,000 | ${r.ingestion.graphqlBatch5000PerSecond.toLocaleString()} |`,
    `| POST /api/v1/reports (NDJSON), uploads of 5,000 | ${r.ingestion.bulk5000PerSecond.toLocaleString()} |`,
    `| POST /api/v1/reports (NDJSON), uploads of 25,000 | ${r.ingestion.bulk25000PerSecond.toLocaleString()} |`,
    `| ingestion code called directly | ${r.ingestion.directPerSecond.toLocaleString()} |`,
    `| COPY into a plain table (the ceiling) | ${r.ingestion.copyPerSecond.toLocaleString()} |`,
    `| unnest INSERT ... ON CONFLICT into usage_events itself (the target's reference) | ${r.ingestion.unnestUpsertPerSecond.toLocaleString()} |`,
    `| GraphQL (batches of 5,000) as a share of that upsert | ${Math.round(r.ingestion.graphqlShareOfUpsert * 100)}% |`,
    `| bulk upload as a share of that upsert | ${Math.round(r.ingestion.bulkShareOfUpsert * 100)}% |`,
    `| GraphQL as a share of COPY | ${Math.round(r.ingestion.graphqlShareOfCopy * 100)}% |`,
    '',
    "| CPU a report (us), and meterql's peak RSS | meterql | PostgreSQL | bench client | RSS (MiB) |",
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(r.ingestion.runs).map(
      ([name, c]: [string, any]) => `| ${name} | ${c.serverCpuUs} | ${c.postgresCpuUs} | ${c.benchCpuUs} | ${c.serverPeakRssMiB} |`,
    ),
    '',
    '| query | GraphQL p50 / p99 (ms) | SQL on events p50 / p99 (ms) | via |',
    '| --- | --- | --- | --- |',
    ...Object.entries(r.queries.timings).map(
      ([name, t]: [string, any]) =>
        `| ${name}: ${t.description} | ${t.graphql.p50} / ${t.graphql.p99} | ${t.sql ? `${t.sql.p50} / ${t.sql.p99}` : '-'} | ${t.path ?? 'events'} |`,
    ),
    '',
    '| throughput (10 s) | requests/s | p50 (ms) | p99 (ms) | errors |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(r.throughput).map(
      ([name, t]: [string, any]) => `| ${name} connections | ${t.requestsPerSecond.toLocaleString()} | ${t.p50} | ${t.p99} | ${t.errors} |`,
    ),
    '',
    `{ __typename } at 10 connections: meterql ${r.http.meterql.join(', ')} requests/s, an empty Apollo Server 5 beside it ${r.http.emptyApollo.join(', ')}; ratio of the medians ${r.http.ratio}.`,
    '',
    `Server peak RSS: ${r.serverPeakRssMiB} MiB.${r.load ? ` Load: ${r.load.reports.toLocaleString()} reports at ${r.load.reportsPerSecond.toLocaleString()}/s; rollups built in ${r.rollupBuildSeconds} s.` : ''}`,
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
