import 'reflect-metadata';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/database';
import { openDatabase } from '../db/open';
import { ValidationError } from '../errors/errors';
import type { ImportCounts } from '../modules/ingestion/import/import.checkpoint';
import { ReportShape } from '../modules/ingestion/import/import.mapping';
import { ReportDecoder } from '../modules/ingestion/ingestion.mapping';
import type { ImportFormat } from '../modules/ingestion/import/import.readers';
import { UsageImport, type ImportProgress, type ImportSummary } from '../modules/ingestion/import/import.service';
import { createSchema } from '../schema';
import { createServices } from '../services';

const USAGE = `Usage: npm run import -- FILE [options]

Loads usage reports from FILE, one report a line (NDJSON) or a record (CSV, with a header row of
field names), through the same ingestion as reportUsage. Lines that are not valid reports go to the
rejected file with their line numbers and reasons; the others are imported. An interrupted import
resumes after its last committed batch when run again.

Options:
  --format ndjson|csv   the file's format (default: from its extension, .ndjson/.jsonl or .csv)
  --batch-size N        lines per batch (default 5000, at most MQL_MAX_BATCH_SIZE)
  --rejected PATH       where rejected lines go (default FILE.rejected.ndjson)
  --checkpoint PATH     where progress is kept (default FILE.import-state.json)
  --restart             ignore the checkpoint and import from the first line
  --json                print the summary as JSON
  --quiet               no progress display

Exit status: 0 every line was imported, 2 some lines were rejected, 130 interrupted, 1 failure.`;

const FORMATS: Record<string, ImportFormat> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };
const number = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'batch-size': { type: 'string' },
      rejected: { type: 'string' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'Which file? Give one file to import.' : 'Give one file to import.');
  const file = positionals[0];
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new UsageError(`Cannot read ${file}.`);
  }
  // An import resumes at a byte offset of the file it checkpointed: a pipe has neither.
  if (!statSync(file).isFile()) throw new UsageError(`${file} is not a regular file.`);
  const format: ImportFormat | undefined =
    values.format === 'ndjson' || values.format === 'csv'
      ? values.format
      : values.format
        ? undefined
        : FORMATS[path.extname(file).toLowerCase()];
  if (format === undefined) {
    throw new UsageError(
      values.format
        ? `--format must be ndjson or csv, got "${values.format}".`
        : `Cannot tell the format of ${file} from its extension: give --format ndjson or --format csv.`,
    );
  }
  const config = loadConfig();
  const maxBatch = config.limits.maxBatchSize;
  const batchSize = values['batch-size'] === undefined ? Math.min(5000, maxBatch) : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    throw new UsageError(
      `--batch-size must be a whole number from 1 to ${number(maxBatch)} (MQL_MAX_BATCH_SIZE), got "${values['batch-size']}".`,
    );
  }

  const decoder = ReportDecoder.of(await createSchema());
  // A running meterql's embedded database is used as it is; otherwise one is started for this command.
  const database = await openDatabase(config, (m) => console.error(m), { shareRunning: true });
  const db = connectDatabase(database.url, { max: 2, statementTimeoutMs: config.limits.statementTimeoutMs });
  const services = createServices(db, { limits: config.limits, anonymousAdmin: false, rollupTimeZones: config.rollupTimeZones });
  const options = {
    file,
    format,
    batchSize,
    rejectedFile: values.rejected ?? `${file}.rejected.ndjson`,
    checkpointFile: values.checkpoint ?? `${file}.import-state.json`,
    restart: values.restart ?? false,
  };
  const importer = new UsageImport(services.ingestion, new ReportShape(decoder), options, {
    onNotice: (message) => console.error(message),
    onRetry: (attempt, delayMs, error) =>
      console.error(`The database is unavailable (${error.message}); retry ${attempt} in ${delayMs / 1000} s.`),
  });

  let signals = 0;
  const onSignal = () => {
    // A second signal does not wait: the batch in flight is rolled back with its connection.
    if (++signals > 1) process.exit(130);
    console.error('\nStopping after the batch being written; interrupt again to stop at once.');
    importer.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const display = values.quiet ? undefined : progressDisplay(importer.progress);
  try {
    const summary = await importer.run();
    display?.stop();
    print(summary, options, values.json ?? false);
    if (summary.status === 'interrupted') return 130;
    return summary.counts.rejected > 0 ? 2 : 0;
  } catch (error) {
    display?.stop();
    if (!(error instanceof ValidationError) && importer.progress.committedLine > 0) {
      const line = number(importer.progress.committedLine);
      console.error(`The import failed. Lines up to ${line} are imported; running the same command again resumes after line ${line}.`);
    }
    throw error;
  } finally {
    await db.close();
    await database.release();
  }
}

/** A progress bar on a terminal; elsewhere (a log, a pipe) a line every few seconds. */
function progressDisplay(progress: ImportProgress): { stop(): void } {
  const started = Date.now();
  const firstLine = progress.line;
  const tty = process.stderr.isTTY;
  const counts = (c: ImportCounts, all: boolean) =>
    [
      `created ${number(c.created)}`,
      `updated ${number(c.updated)}`,
      `unchanged ${number(c.unchanged)}`,
      ...(all ? [`superseded ${number(c.superseded)}`] : []),
      `rejected ${number(c.rejected)}`,
    ].join(all ? ', ' : '  ');
  const render = () => {
    const share = progress.totalBytes > 0 ? progress.bytesRead / progress.totalBytes : 1;
    const seconds = (Date.now() - started) / 1000;
    const rate = `${number(seconds > 0 ? (progress.line - firstLine) / seconds : 0)} lines/s`;
    const percent = `${(share * 100).toFixed(0).padStart(3)}%`;
    const size = `${mib(progress.bytesRead)}/${mib(progress.totalBytes)} MiB`;
    if (!tty)
      return void console.error(
        `import: ${percent.trim()} (${size}), line ${number(progress.line)}, ${rate}; ${counts(progress.counts, true)}`,
      );
    const width = 20;
    const filled = Math.round(share * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${size}  ${rate}  ${counts(progress.counts, false)}`;
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 120) - 1)}\x1b[K`);
  };
  const timer = setInterval(render, tty ? 200 : 5000);
  return {
    stop() {
      clearInterval(timer);
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

function print(summary: ImportSummary, options: { file: string; format: string; checkpointFile: string }, json: boolean): void {
  const rate = summary.seconds > 0 ? summary.records / summary.seconds : 0;
  if (json) {
    const { counts: c } = summary;
    console.log(
      JSON.stringify({
        file: options.file,
        format: options.format,
        status: summary.status,
        alreadyComplete: summary.alreadyComplete,
        resumedAfterLine: summary.resumedAfterLine,
        lines: summary.lines,
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        superseded: c.superseded,
        rejected: c.rejected,
        rejectedFile: summary.rejectedFile,
        checkpointFile: options.checkpointFile,
        records: summary.records,
        seconds: Number(summary.seconds.toFixed(3)),
        reportsPerSecond: Math.round(rate),
      }),
    );
    return;
  }
  const c = summary.counts;
  if (summary.alreadyComplete) {
    console.log(
      `${options.file} was imported completely before (see ${options.checkpointFile}); nothing to do. --restart imports it again.`,
    );
  } else if (summary.resumedAfterLine !== null) {
    console.log(`Resumed after line ${number(summary.resumedAfterLine)}, where the last run's checkpoint was.`);
  }
  if (summary.status === 'interrupted') {
    console.log(`Interrupted: lines up to ${number(summary.lines)} are imported; run the same command again to resume.`);
  } else if (!summary.alreadyComplete) {
    console.log(`Imported ${options.file}: ${number(summary.lines)} lines.`);
  }
  console.log(`This run: ${number(summary.records)} reports in ${summary.seconds.toFixed(1)} s (${number(rate)} reports/s).`);
  const rows: [string, number, string?][] = [
    ['created', c.created],
    ['updated', c.updated],
    ['unchanged', c.unchanged],
    ['superseded', c.superseded],
    ['rejected', c.rejected, summary.rejectedFile ? `see ${summary.rejectedFile}` : undefined],
  ];
  for (const [name, value, note] of rows) console.log(`  ${name.padEnd(11)}${number(value).padStart(12)}${note ? `  ${note}` : ''}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
