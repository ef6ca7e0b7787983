import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Checkpoint } from '../../src/modules/ingestion/import/import.checkpoint';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';

// `npm run import` as a user runs it, from the build (npm test builds first), on a database of its own.
const CLI = path.resolve(__dirname, '../../dist/cli/import.js');

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  await defineMeters(t.services, [
    { name: 'cpu.hours' },
    { name: 'gpu.hours' },
    { name: 'memory.gib_hours', unit: 'GiB-h' },
    { name: 'instance.create', unit: 'instance', type: 'EVENT' },
    { name: 'job.core_hours', component: 'batch', unit: 'core-h' },
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'meterql-import-'));
});
afterAll(async () => {
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stderr(): string;
}

function start(args: string[], env: Record<string, string> = {}, cwd?: string): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, ...env };
  delete childEnv.NODE_ENV;
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

const run = (...args: string[]) => start(args).done;
/** Runs with --json and returns the exit code and the summary. */
async function runJson(...args: string[]): Promise<{ code: number | null; summary: any; stderr: string }> {
  const { code, stdout, stderr } = await run(...args, '--json', '--quiet');
  let summary: unknown;
  try {
    summary = JSON.parse(stdout);
  } catch {
    throw new Error(`no JSON summary (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return { code, summary, stderr };
}

function file(name: string, lines: string[]): string {
  const target = path.join(dir, name);
  writeFileSync(target, `${lines.join('\n')}\n`);
  return target;
}

const readRejected = (target: string) =>
  readFileSync(target, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
const readCheckpoint = (target: string): Checkpoint => JSON.parse(readFileSync(target, 'utf8'));

async function eventsOf(project: string) {
  return t.sql(
    `SELECT m.name AS meter, u.name AS "user", s.name AS source, r.external_id AS resource, e.start_time, e.end_time, e.volume,
            e.contingent_factor, e.additional_data, e.parent_id IS NOT NULL AS child,
            (SELECT json_agg(json_build_array(x.metric, x.volume) ORDER BY x.metric) FROM usage_metrics x WHERE x.event_id = e.id) AS metrics
     FROM usage_events e JOIN meters m ON m.id = e.meter_id JOIN projects p ON p.id = e.project_id JOIN sources s ON s.id = e.source_id
     LEFT JOIN users u ON u.id = e.user_id LEFT JOIN resources r ON r.id = e.resource_id
     WHERE p.name = $1 ORDER BY e.start_time, e.parent_id NULLS FIRST, m.name, u.name`,
    [project],
  );
}

async function totalsOf(project: string): Promise<{ rows: number; volume: number }> {
  const [row] = await t.sql(
    `SELECT count(*)::int AS rows, coalesce(sum(e.volume), 0)::float8 AS volume
     FROM usage_events e JOIN projects p ON p.id = e.project_id WHERE p.name = $1 AND e.parent_id IS NULL`,
    [project],
  );
  return { rows: row.rows, volume: row.volume };
}

// The NDJSON fixture, for a project of each test's own. B, D and E share a match key.
function fixture(project: string) {
  const A = {
    project,
    user: 'grace',
    meter: 'cpu.hours',
    source: 'lab',
    resource: `${project}-vm-1`,
    start: '2026-10-05T22:00:00Z',
    end: '2026-10-06T04:00:00Z',
    volume: 24,
    additionalMetrics: [{ metric: 'energy_kwh', volume: 9.6 }],
    additionalResources: [{ meter: 'gpu.hours', volume: 6 }],
    additionalData: { jobId: '81723' },
  };
  const B = {
    project,
    user: 'heidi',
    meter: 'cpu.hours',
    start: '2026-10-06T08:00:00+02:00',
    end: '2026-10-06T10:30:00+02:00',
    volume: 10,
  };
  const C = { project, meter: 'cpu.hours', start: '2026-10-07T00:00:00Z', end: '2026-10-07T01:00:00Z', volume: 1.5, contingentFactor: 0 };
  const H = { project, user: 'grace', meter: 'instance.create', start: '2026-10-08T12:00:00Z', volume: 1, resource: `${project}-vm-2` };
  const lines = [
    JSON.stringify(A),
    '',
    JSON.stringify(B),
    `{"project": "${project}",`,
    JSON.stringify({ project, meter: 'cpu.hourz', start: '2026-10-07T00:00:00Z', end: '2026-10-06T00:00:00Z', volume: 1 }),
    JSON.stringify(C),
    JSON.stringify({ project, meter: 'cpu.hours', start: '2026-10-07T00:00:00Z', volume: '12', jobId: 7 }),
    JSON.stringify({ ...B, volume: 7 }),
    JSON.stringify({ ...B, volume: 8 }),
    JSON.stringify({ project, meter: 'cpu.hours', start: '2026-10-09T00:00:00Z', volume: 1, user: 'nul\u0000' }),
    '   ',
    JSON.stringify(H),
  ];
  const rejected = [
    { line: 4, problems: [{ path: [], message: expect.stringMatching(/^is not valid JSON: /) }], text: lines[3] },
    {
      line: 5,
      problems: [
        { path: ['meter'], message: 'meter "cpu.hourz" is not defined' },
        { path: ['end'], message: 'must not be before start' },
      ],
      text: lines[4],
    },
    {
      line: 7,
      problems: [
        { path: ['volume'], message: 'Float cannot represent non numeric value: "12"' },
        { path: ['jobId'], message: 'is not a field of a usage report' },
      ],
      text: lines[6],
    },
    { line: 10, problems: [{ path: ['user'], message: 'must not contain the NUL character (U+0000)' }], text: lines[9] },
  ];
  const row = { user: null, source: 'default', resource: null, contingent_factor: 1, additional_data: null, child: false, metrics: null };
  const stored = [
    {
      ...row,
      meter: 'cpu.hours',
      user: 'grace',
      source: 'lab',
      resource: `${project}-vm-1`,
      start_time: new Date('2026-10-05T22:00:00Z'),
      end_time: new Date('2026-10-06T04:00:00Z'),
      volume: 24,
      additional_data: { jobId: '81723' },
      metrics: [['energy_kwh', 9.6]],
    },
    {
      ...row,
      meter: 'gpu.hours',
      user: 'grace',
      source: 'lab',
      resource: `${project}-vm-1`,
      start_time: new Date('2026-10-05T22:00:00Z'),
      end_time: new Date('2026-10-06T04:00:00Z'),
      volume: 6,
      child: true,
    },
    // B's key, as E (line 9) left it.
    {
      ...row,
      meter: 'cpu.hours',
      user: 'heidi',
      start_time: new Date('2026-10-06T06:00:00Z'),
      end_time: new Date('2026-10-06T08:30:00Z'),
      volume: 8,
    },
    {
      ...row,
      meter: 'cpu.hours',
      start_time: new Date('2026-10-07T00:00:00Z'),
      end_time: new Date('2026-10-07T01:00:00Z'),
      volume: 1.5,
      contingent_factor: 0,
    },
    {
      ...row,
      meter: 'instance.create',
      user: 'grace',
      resource: `${project}-vm-2`,
      start_time: new Date('2026-10-08T12:00:00Z'),
      end_time: null,
      volume: 1,
    },
  ];
  return { lines, rejected, stored };
}

describe('npm run import', () => {
  test('imports the good lines of an NDJSON file, in batches, and rejects each bad line with its line number and reasons; a rerun reads nothing', async () => {
    const { lines, rejected, stored } = fixture('p-ndjson');
    const ndjson = file('usage.ndjson', lines);
    const { code, summary } = await runJson(ndjson, '--batch-size', '3');
    expect(code).toBe(2);
    // Batches: lines 1-4, 5-7, 8-10 and 12. D (line 8) is superseded by E (line 9) in its batch, and E
    // overwrites B (line 3); line 10 is refused by PostgreSQL alone, its batch's other lines are written.
    expect(summary).toEqual({
      file: ndjson,
      format: 'ndjson',
      status: 'complete',
      alreadyComplete: false,
      resumedAfterLine: null,
      lines: 12,
      created: 4,
      updated: 1,
      unchanged: 0,
      superseded: 1,
      rejected: 4,
      rejectedFile: `${ndjson}.rejected.ndjson`,
      checkpointFile: `${ndjson}.import-state.json`,
      records: 10,
      seconds: expect.any(Number),
      reportsPerSecond: expect.any(Number),
    });
    expect(readRejected(`${ndjson}.rejected.ndjson`)).toEqual(rejected);
    expect(await eventsOf('p-ndjson')).toEqual(stored);
    // The same rollup dirty marks as reportUsage: the hour each written record starts in, per meter.
    const dirty = await t.sql(
      `SELECT m.name AS meter, count(*)::int AS hours FROM usage_rollup_dirty d JOIN meters m ON m.id = d.meter_id
       JOIN projects p ON p.id = d.project_id WHERE p.name = 'p-ndjson' GROUP BY m.name ORDER BY m.name`,
    );
    expect(dirty).toEqual([
      { meter: 'cpu.hours', hours: 3 },
      { meter: 'gpu.hours', hours: 1 },
      { meter: 'instance.create', hours: 1 },
    ]);
    expect(readCheckpoint(`${ndjson}.import-state.json`)).toMatchObject({
      complete: true,
      line: 12,
      offset: readFileSync(ndjson).length,
      counts: { created: 4, updated: 1, unchanged: 0, superseded: 1, rejected: 4 },
    });

    const again = await runJson(ndjson, '--batch-size', '3');
    expect(again.code).toBe(2);
    expect(again.summary).toMatchObject({
      status: 'complete',
      alreadyComplete: true,
      lines: 12,
      created: 4,
      updated: 1,
      unchanged: 0,
      superseded: 1,
      rejected: 4,
      records: 0,
    });
    expect(readRejected(`${ndjson}.rejected.ndjson`)).toEqual(rejected);
    expect(await eventsOf('p-ndjson')).toEqual(stored);
  });

  test('--restart imports from the first line again; a run that died after a commit but before its checkpoint resends that batch, and lists no rejected line twice', async () => {
    const { lines, rejected, stored } = fixture('p-rerun');
    const ndjson = file('rerun.ndjson', lines);
    expect((await run(ndjson, '--batch-size', '3')).code).toBe(2);
    const restarted = await run(ndjson, '--restart', '--batch-size', '3');
    expect(restarted.code).toBe(2);
    // The B key was left at E's content, so B updates it and E updates it again.
    expect(restarted.stdout).toMatch(
      new RegExp(
        `^Imported ${ndjson}: 12 lines\\.\\nThis run: 10 reports in \\d+\\.\\d s \\([\\d,]+ reports/s\\)\\.\\n` +
          '  created               0\\n  updated               2\\n  unchanged             3\\n  superseded            1\\n' +
          `  rejected              4  see ${ndjson}\\.rejected\\.ndjson\\n$`,
      ),
    );
    expect(readRejected(`${ndjson}.rejected.ndjson`)).toEqual(rejected);
    expect(await eventsOf('p-rerun')).toEqual(stored);

    const statePath = `${ndjson}.import-state.json`;
    const rejectedPath = `${ndjson}.rejected.ndjson`;
    const complete = readCheckpoint(statePath);
    const rejectedBefore = readFileSync(rejectedPath, 'utf8');
    // The checkpoint after the second batch (lines 5-7), while the third batch's commit and its
    // rejected line (10) had made it before the end.
    const afterLine7 = lines.slice(0, 7).reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
    const rejectedUpToLine7 = `${rejectedBefore.split('\n').slice(0, 3).join('\n')}\n`;
    writeFileSync(
      statePath,
      JSON.stringify({
        ...complete,
        offset: afterLine7,
        line: 7,
        counts: { created: 0, updated: 1, unchanged: 2, superseded: 0, rejected: 3 },
        rejectedBytes: Buffer.byteLength(rejectedUpToLine7),
        complete: false,
      }),
    );
    const { code, summary } = await runJson(ndjson, '--batch-size', '3');
    expect(code).toBe(2);
    expect(summary).toMatchObject({ status: 'complete', alreadyComplete: false, resumedAfterLine: 7, lines: 12, records: 4 });
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 4, superseded: 1, rejected: 4 });
    expect(readFileSync(rejectedPath, 'utf8')).toBe(rejectedBefore);
    expect(await eventsOf('p-rerun')).toEqual(stored);
  });

  test('a CSV file: a header of field names, nested fields as JSON; the same reports as in NDJSON are the same records', async () => {
    const { lines, stored } = fixture('p-csv');
    await run(file('before-csv.ndjson', lines));
    const csv = file('usage.csv', [
      'project,user,meter,source,resource,start,end,volume,contingentFactor,additionalMetrics,additionalResources,additionalData',
      'p-csv,grace,cpu.hours,lab,p-csv-vm-1,2026-10-05T22:00:00Z,2026-10-06T04:00:00Z,24,,"[{""metric"":""energy_kwh"",""volume"":9.6}]","[{""meter"":""gpu.hours"",""volume"":6}]","{',
      '  ""jobId"": ""81723""',
      '}"',
      'p-csv,heidi,cpu.hours,,,2026-10-06T06:00:00Z,2026-10-06T08:30:00Z,8,,,,',
      '',
      'p-csv,,cpu.hours,,,2026-10-07T00:00:00Z,2026-10-07T01:00:00Z,1.5,0,,,',
      'p-csv,grace,instance.create,,p-csv-vm-2,2026-10-08T12:00:00Z,,1,,,,',
      'p-csv,grace,cpu.hours,,,2026-10-10T00:00:00Z,,ten,,,,',
      'p-csv,grace,cpu.hours,,,2026-10-10T00:00:00Z,,1,,[{metric},,',
      'p-csv,"grace"s,cpu.hours,,,2026-10-10T00:00:00Z,,1,,,,',
      'p-csv,grace,cpu.hours',
      'p-csv-2,"Grace ""the"" admiral, USN",cpu.hours,,,2026-10-10T00:00:00Z,2026-10-10T02:00:00Z,2,,,,',
    ]);
    const { code, summary } = await runJson(csv);
    expect(code).toBe(2);
    expect(summary).toMatchObject({
      format: 'csv',
      status: 'complete',
      lines: 13,
      created: 1,
      updated: 0,
      unchanged: 4,
      superseded: 0,
      rejected: 4,
      records: 9,
    });
    expect(readRejected(`${csv}.rejected.ndjson`)).toEqual([
      {
        line: 9,
        problems: [{ path: ['volume'], message: 'Float cannot represent non numeric value: "ten"' }],
        text: 'p-csv,grace,cpu.hours,,,2026-10-10T00:00:00Z,,ten,,,,',
      },
      {
        line: 10,
        problems: [{ path: ['additionalMetrics'], message: expect.stringMatching(/^is not valid JSON: /) }],
        text: 'p-csv,grace,cpu.hours,,,2026-10-10T00:00:00Z,,1,,[{metric},,',
      },
      {
        line: 11,
        problems: [{ path: [], message: 'is not valid CSV: field 2: a closing quote must be followed by a comma or the end of the line' }],
        text: 'p-csv,"grace"s,cpu.hours,,,2026-10-10T00:00:00Z,,1,,,,',
      },
      { line: 12, problems: [{ path: [], message: 'has 3 fields; the header has 12' }], text: 'p-csv,grace,cpu.hours' },
    ]);
    expect(await eventsOf('p-csv')).toEqual(stored);
    expect((await eventsOf('p-csv-2')).map((e) => [e.user, e.volume])).toEqual([['Grace "the" admiral, USN', 2]]);
  });

  test('SIGINT: the batch in flight is committed and checkpointed, and a rerun imports the rest, every line exactly once', async () => {
    const lines = 3_000;
    const big = file('interrupted.ndjson', generated('p-int', lines));
    const state = `${big}.import-state.json`;
    const first = start([big, '--batch-size', '30']);
    await firstCheckpoint(state, first);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect({ code: stopped.code, stderr: stopped.stderr }).toEqual({
      code: 130,
      stderr: expect.stringContaining('Stopping after the batch being written'),
    });
    const checkpoint = readCheckpoint(state);
    expect(stopped.stdout).toContain(
      `Interrupted: lines up to ${checkpoint.line.toLocaleString('en-US')} are imported; run the same command again to resume.`,
    );
    expect(checkpoint.complete).toBe(false);
    expect(checkpoint.line).toBeLessThan(lines);
    expect(checkpoint.line % 30).toBe(0);
    // What the checkpoint counts is exactly what is stored: nothing in flight was lost or left uncounted.
    expect((await totalsOf('p-int')).rows).toBe(checkpoint.counts.created);
    expect(checkpoint.counts.created).toBe(checkpoint.line);

    const { code, summary } = await runJson(big, '--batch-size', '30');
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      status: 'complete',
      resumedAfterLine: checkpoint.line,
      lines,
      created: lines,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      records: lines - checkpoint.line,
    });
    expect(await totalsOf('p-int')).toEqual({ rows: lines, volume: generatedVolume(lines) });
  }, 240_000);

  test('SIGKILL mid-file: a rerun resumes after the last checkpoint; every line is imported once and every rejected line listed once', async () => {
    const lines = 3_000;
    const bad = new Set([300, 900, 1_500, 2_100, 2_700]);
    const big = file('killed.ndjson', generated('p-kill', lines, bad));
    const state = `${big}.import-state.json`;
    const first = start([big, '--batch-size', '30']);
    await firstCheckpoint(state, first, (c) => c.counts.rejected > 0);
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBe(null);
    const checkpoint = readCheckpoint(state);
    expect(checkpoint.complete).toBe(false);

    const { code, summary } = await runJson(big, '--batch-size', '30');
    expect(code).toBe(2);
    expect(summary).toMatchObject({
      status: 'complete',
      resumedAfterLine: checkpoint.line,
      lines,
      updated: 0,
      superseded: 0,
      rejected: bad.size,
    });
    // A batch committed just before the kill but not checkpointed is resent and comes back unchanged.
    expect(summary.created + summary.unchanged).toBe(lines - bad.size);
    expect(summary.unchanged).toBeLessThanOrEqual(30);
    expect(await totalsOf('p-kill')).toEqual({ rows: lines - bad.size, volume: generatedVolume(lines, bad) });
    expect(readRejected(`${big}.rejected.ndjson`).map((r) => [r.line, r.problems])).toEqual(
      [...bad].map((line) => [line, [{ path: ['meter'], message: 'meter "cpu.hourz" is not defined' }]]),
    );
  }, 240_000);

  test('the database going away mid-file: the batch is retried and the import completes', async () => {
    const lines = 10_000;
    const big = file('flaky.ndjson', generated('p-flaky', lines));
    const importing = start([big, '--batch-size', '50', '--quiet']);
    await firstCheckpoint(`${big}.import-state.json`, importing);
    // Its connections are ended by the server until it has had to retry.
    let exited = false;
    void importing.done.then(() => (exited = true));
    while (!exited && !importing.stderr().includes('retry 1')) {
      await t.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { code, stdout, stderr } = await importing.done;
    expect(stderr).toMatch(/The database is unavailable \(.*\); retry 1 in 0\.5 s\./);
    expect(code).toBe(0);
    const created = Number(stdout.match(/created +([\d,]+)/)![1].replace(/,/g, ''));
    const unchanged = Number(stdout.match(/unchanged +([\d,]+)/)![1].replace(/,/g, ''));
    expect(created + unchanged).toBe(lines);
    expect(await totalsOf('p-flaky')).toEqual({ rows: lines, volume: generatedVolume(lines) });
  }, 240_000);

  test('a file that cannot be imported at all fails with a reason and status 1', async () => {
    const badHeader = file('bad-header.csv', ['project,meter,start,volume,jobId', 'p,cpu.hours,2026-10-01T00:00:00Z,1,7']);
    const header = await run(badHeader);
    expect(header.code).toBe(1);
    expect(header.stderr).toContain('Invalid input (1 problem): header[4]: "jobId" is not a field of a usage report');
    expect(existsSync(`${badHeader}.import-state.json`)).toBe(false);

    const unknown = await run(file('usage.txt', ['{}']));
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('Cannot tell the format of') });
    expect(await run(path.join(dir, 'missing.ndjson'))).toMatchObject({ code: 1, stderr: expect.stringContaining('Cannot read') });
    const tooBig = await start([file('any.ndjson', ['{}']), '--batch-size', '101'], { MQL_MAX_BATCH_SIZE: '100' }).done;
    expect(tooBig).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--batch-size must be a whole number from 1 to 100 (MQL_MAX_BATCH_SIZE), got "101"'),
    });

    // A failure that is not the database being away is not retried.
    const slow = file('slow.ndjson', generated('p-slow', 2000));
    const timedOut = await start([slow, '--quiet'], { MQL_STATEMENT_TIMEOUT_MS: '1' }).done;
    expect(timedOut).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('canceling statement due to statement timeout'),
    });
    expect(timedOut.stderr).not.toContain('retry');
    expect(await totalsOf('p-slow')).toEqual({ rows: 0, volume: 0 });
  });
});

test("the README's import examples import into the demo data as the README says", async () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Importing usage'), readme.indexOf('\n## ', readme.indexOf('## Importing usage') + 1));
  const block = (lang: string) => section.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))![1];
  const folder = mkdtempSync(path.join(dir, 'readme-'));
  writeFileSync(path.join(folder, 'usage.ndjson'), block('ndjson'));
  writeFileSync(path.join(folder, 'usage.csv'), block('csv'));
  expect(block('bash')).toBe('npm run import -- usage.ndjson\n');

  // As a user runs them: on the demo data, whose job meter requires a jobId.
  const demo = await createTestDatabase({ demo: true });
  try {
    const timing = (text: string) => text.replace(/\d+\.\d s \([\d,]+ reports\/s\)/, '<time>');
    const ndjson = await start(['usage.ndjson'], { DATABASE_URL: demo.url }, folder).done;
    expect({ code: ndjson.code, stdout: timing(ndjson.stdout) }).toEqual({ code: 2, stdout: timing(block('text')) });
    expect(readFileSync(path.join(folder, 'usage.ndjson.rejected.ndjson'), 'utf8')).toBe(block('json'));
    const csv = await start(['usage.csv', '--json'], { DATABASE_URL: demo.url }, folder).done;
    expect({ code: csv.code, summary: JSON.parse(csv.stdout) }).toMatchObject({ code: 0, summary: { lines: 3, created: 2, rejected: 0 } });
    const imported = await demo.sql(
      `SELECT m.name AS meter, u.name AS "user", r.external_id AS resource, e.volume, e.additional_data, e.parent_id IS NOT NULL AS child,
              (SELECT json_agg(json_build_array(x.metric, x.volume) ORDER BY x.metric) FROM usage_metrics x WHERE x.event_id = e.id) AS metrics
       FROM usage_events e JOIN meters m ON m.id = e.meter_id LEFT JOIN users u ON u.id = e.user_id LEFT JOIN resources r ON r.id = e.resource_id
       WHERE r.external_id IN ('job-200001', 'job-200002', 'job-200003', 'vm-astro-2')
       ORDER BY e.start_time, e.parent_id NULLS FIRST, m.name, u.name`,
    );
    expect(imported).toMatchObject([
      { meter: 'job.core_hours', user: 'alice', volume: 128, additional_data: { jobId: '200001' }, metrics: [['energy_kwh', 1.5]] },
      { meter: 'cpu.hours', user: 'bob', resource: 'vm-astro-2', volume: 8, child: false },
      { meter: 'memory.gib_hours', user: 'bob', resource: 'vm-astro-2', volume: 16, child: true },
      { meter: 'job.core_hours', user: 'alice', volume: 96, additional_data: { jobId: '200002' }, metrics: [['energy_kwh', 1.1]] },
      { meter: 'job.core_hours', user: 'carol', volume: 24, additional_data: { jobId: '200003' } },
    ]);
    // Inside the demo's month: the dashboard, which opens on the month of the latest usage, still opens on it.
    const [latest] = await demo.sql(`SELECT max(start_time) AS latest FROM usage_events`);
    expect((latest.latest as Date).toISOString() < '2026-11-01T00:00:00.000Z').toBe(true);
  } finally {
    await demo.drop();
  }
});

/** Lines of distinct reports (one a minute, volumes with exact binary sums); the lines in `bad` name an undefined meter. */
function generated(project: string, count: number, bad: ReadonlySet<number> = new Set()): string[] {
  const base = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      project,
      user: `u${i % 50}`,
      meter: bad.has(i + 1) ? 'cpu.hourz' : 'cpu.hours',
      source: 'gen',
      resource: `${project}-vm-${i % 100}`,
      start: new Date(base + i * 60_000).toISOString(),
      end: new Date(base + (i + 1) * 60_000).toISOString(),
      volume: (i % 97) + 0.25,
    }),
  );
}

function generatedVolume(count: number, bad: ReadonlySet<number> = new Set()): number {
  let sum = 0;
  for (let i = 0; i < count; i++) if (!bad.has(i + 1)) sum += (i % 97) + 0.25;
  return sum;
}

/** Waits until the import has written a checkpoint (that satisfies `ready`), failing if it ends first. */
async function firstCheckpoint(state: string, running: Run, ready: (c: Checkpoint) => boolean = () => true): Promise<void> {
  let ended = false;
  void running.done.then(() => (ended = true));
  for (;;) {
    if (existsSync(state) && ready(readCheckpoint(state))) return;
    if (ended) throw new Error(`the import ended before its first checkpoint:\n${running.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
