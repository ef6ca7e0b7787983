import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import { infrastructureError, UnavailableError, type Problem } from '../../../errors/errors';
import { SYSTEM } from '../../auth/auth.types';
import type { IngestionService, ReportUsageResult } from '../ingestion.service';
import type { UsageReport } from '../ingestion.validation';
import {
  fileIdentity,
  NO_COUNTS,
  readCheckpoint,
  sameFile,
  writeCheckpoint,
  type Checkpoint,
  type FileIdentity,
  type ImportCounts,
} from './import.checkpoint';
import type { ReportShape } from './import.mapping';
import { openRecords, type ImportFormat, type Position, type SourceRecord } from './import.readers';

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  /** Lines per batch; each batch is one reportEach call, written in one transaction. */
  batchSize: number;
  rejectedFile: string;
  checkpointFile: string;
  /** Ignore the checkpoint: import from the first line. */
  restart: boolean;
  /** The waits before each retry of a batch the database could not take; as many retries as waits. */
  retryDelaysMs?: readonly number[];
}

export interface ImportHooks {
  onRetry?(attempt: number, delayMs: number, error: Error): void;
  onNotice?(message: string): void;
}

/** Where an import is, for a progress display. */
export interface ImportProgress {
  totalBytes: number;
  /** Bytes read, including a batch not committed yet. */
  bytesRead: number;
  /** The last line read. */
  line: number;
  /** The last line of the last committed batch: where a rerun resumes. */
  committedLine: number;
  /** The file's counts so far: earlier runs' and this run's committed batches. */
  counts: ImportCounts;
  /** The line the checkpoint had reached when this run started; null when it started at the first line. */
  resumedAfterLine: number | null;
  /** Reports (accepted or rejected) committed by this run. */
  records: number;
}

export interface ImportSummary {
  status: 'complete' | 'interrupted';
  /** The checkpoint said that the file had been imported completely: nothing was read. */
  alreadyComplete: boolean;
  resumedAfterLine: number | null;
  /** The last line committed. */
  lines: number;
  counts: ImportCounts;
  /** Where the rejected lines are; null when there are none. */
  rejectedFile: string | null;
  /** Reports (accepted or rejected) committed by this run, and how long it took. */
  records: number;
  seconds: number;
}

/** A line that was not imported, as the rejected file holds it. */
interface Rejection {
  line: number;
  endLine?: number;
  problems: Problem[];
  text: string;
}

interface PreparedBatch {
  reports: UsageReport[];
  origins: SourceRecord[];
  rejections: Rejection[];
  after: Position;
}

class Interrupted extends Error {}

const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
// SQLSTATE class 22: a value PostgreSQL cannot store (a NUL character, say); only its own report is refused.
const DATA_EXCEPTION = /^22/;

/**
 * Imports a file of usage reports through the ingestion service, in batches. Each line is checked
 * on its own, so that a bad line is written to the rejected file and never holds back the good
 * ones; each batch is committed atomically, and only then are its rejected lines flushed and the
 * checkpoint moved past it. A rerun resumes after the last committed batch, and resending a batch
 * whose commit was not checkpointed is harmless: ingestion is idempotent.
 */
export class UsageImport {
  readonly progress: ImportProgress = {
    totalBytes: 0,
    bytesRead: 0,
    line: 0,
    committedLine: 0,
    counts: { ...NO_COUNTS },
    resumedAfterLine: null,
    records: 0,
  };
  private stopping = false;
  private wake: (() => void) | undefined;
  private identity!: FileIdentity;
  private committed: Position = { offset: 0, line: 0 };
  private rejectedBytes = 0;
  private rejectedFd: number | undefined;

  constructor(
    private readonly ingestion: Pick<IngestionService, 'reportEach'>,
    private readonly shape: ReportShape,
    private readonly options: ImportOptions,
    private readonly hooks: ImportHooks = {},
  ) {}

  /** Stops after the batch being written commits (or is abandoned while it waits to be retried). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(): Promise<ImportSummary> {
    const started = process.hrtime.bigint();
    const { file, format, batchSize } = this.options;
    this.identity = fileIdentity(file);
    this.progress.totalBytes = this.identity.size;
    const checkpoint = this.usableCheckpoint();
    if (checkpoint) {
      this.committed = { offset: checkpoint.offset, line: checkpoint.line };
      Object.assign(this.progress, {
        bytesRead: checkpoint.offset,
        line: checkpoint.line,
        committedLine: checkpoint.line,
        counts: { ...checkpoint.counts },
        resumedAfterLine: checkpoint.line,
      });
      if (checkpoint.complete) return this.summary('complete', true, started);
      this.keepRejected(checkpoint.rejectedBytes);
    } else {
      rmSync(this.options.rejectedFile, { force: true });
    }

    const records = await openRecords(file, format, this.committed, this.shape);
    let inflight: Promise<void> | undefined;
    let batch: SourceRecord[] = [];
    let finished = false;
    try {
      try {
        for await (const record of records) {
          if (this.stopping) break;
          batch.push(record);
          this.progress.bytesRead = record.end;
          this.progress.line = record.endLine;
          if (batch.length < batchSize) continue;
          // The next batch is decoded while the previous one is being written.
          const prepared = this.prepare(batch);
          batch = [];
          await inflight;
          if (this.stopping) break;
          inflight = this.commit(prepared);
          inflight.catch(() => undefined);
        }
        await inflight;
        if (!this.stopping) {
          if (batch.length > 0) await this.commit(this.prepare(batch));
          finished = true;
        }
      } finally {
        if (this.rejectedFd !== undefined) closeSync(this.rejectedFd);
      }
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
    }
    if (!finished) return this.summary('interrupted', false, started);
    this.saveCheckpoint(true);
    return this.summary('complete', false, started);
  }

  /** The checkpoint, when there is one for this very file (same identity, format and rejected file) and no restart was asked for. */
  private usableCheckpoint(): Checkpoint | undefined {
    if (this.options.restart) return undefined;
    const checkpoint = readCheckpoint(this.options.checkpointFile);
    if (!checkpoint) return undefined;
    const reasons = [
      !sameFile(checkpoint.identity, this.identity) && 'the file has changed since',
      checkpoint.format !== this.options.format && `it was read as ${checkpoint.format}`,
      path.resolve(checkpoint.rejectedFile) !== path.resolve(this.options.rejectedFile) &&
        `its rejected lines went to ${checkpoint.rejectedFile}`,
    ].filter(Boolean);
    if (reasons.length === 0) return checkpoint;
    this.hooks.onNotice?.(`Ignoring the checkpoint ${this.options.checkpointFile} (${reasons.join('; ')}): importing from the first line.`);
    return undefined;
  }

  /** Keeps the rejected lines the checkpoint covers and drops any written after it (by a run that was killed before its next checkpoint). */
  private keepRejected(bytes: number): void {
    const file = this.options.rejectedFile;
    if (bytes === 0) rmSync(file, { force: true });
    else if (existsSync(file) && statSync(file).size > bytes) truncateSync(file, bytes);
    this.rejectedBytes = existsSync(file) ? statSync(file).size : 0;
  }

  /** Decodes a batch's lines into reports; the lines that are not reports are rejected here. */
  private prepare(batch: SourceRecord[]): PreparedBatch {
    const prepared: PreparedBatch = {
      reports: [],
      origins: [],
      rejections: [],
      after: { offset: batch[batch.length - 1].end, line: batch[batch.length - 1].endLine },
    };
    for (const record of batch) {
      const decoded = record.decoded.problems ? record.decoded : this.shape.toReport(record.decoded.value);
      if (decoded.problems) {
        prepared.rejections.push(rejection(record, decoded.problems));
      } else {
        prepared.reports.push(decoded.report);
        prepared.origins.push(record);
      }
    }
    return prepared;
  }

  private async commit(batch: PreparedBatch): Promise<void> {
    const { result, rejections } = await this.write(batch.reports, batch.origins);
    const all = [...batch.rejections, ...rejections].sort((a, b) => a.line - b.line);
    this.appendRejected(all);
    const counts = this.progress.counts;
    counts.created += result.created;
    counts.updated += result.updated;
    counts.unchanged += result.unchanged;
    counts.superseded += result.superseded;
    counts.rejected += all.length;
    this.progress.records += batch.reports.length + batch.rejections.length;
    this.committed = batch.after;
    this.saveCheckpoint(false);
    this.progress.committedLine = batch.after.line;
  }

  /** Writes reports with retries; a batch that PostgreSQL refuses for a value is halved until the report at fault is found and rejected. */
  private async write(reports: UsageReport[], origins: SourceRecord[]): Promise<{ result: ReportUsageResult; rejections: Rejection[] }> {
    if (reports.length === 0) return { result: { created: 0, updated: 0, unchanged: 0, superseded: 0 }, rejections: [] };
    try {
      const { rejected, ...result } = await this.retrying(() => this.ingestion.reportEach(SYSTEM, reports));
      return { result, rejections: rejected.map(({ index, problems }) => rejection(origins[index], problems)) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !DATA_EXCEPTION.test(code)) throw error;
      if (reports.length === 1) {
        return {
          result: { created: 0, updated: 0, unchanged: 0, superseded: 0 },
          rejections: [rejection(origins[0], [{ path: [], message: `PostgreSQL cannot store it: ${(error as Error).message}` }])],
        };
      }
      const half = Math.ceil(reports.length / 2);
      const first = await this.write(reports.slice(0, half), origins.slice(0, half));
      const second = await this.write(reports.slice(half), origins.slice(half));
      const sum = (k: keyof ReportUsageResult) => first.result[k] + second.result[k];
      return {
        result: { created: sum('created'), updated: sum('updated'), unchanged: sum('unchanged'), superseded: sum('superseded') },
        rejections: [...first.rejections, ...second.rejections],
      };
    }
  }

  /** Runs fn again, after a wait, while the database is unavailable; a batch is atomic and idempotent, so a resend is safe. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(infrastructureError(error) instanceof UnavailableError) || attempt >= delays.length) throw error;
        if (this.stopping) throw new Interrupted();
        this.hooks.onRetry?.(attempt + 1, delays[attempt], error as Error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delays[attempt]);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        if (this.stopping) throw new Interrupted();
      }
    }
  }

  private appendRejected(rejections: Rejection[]): void {
    if (rejections.length === 0) return;
    this.rejectedFd ??= openSync(this.options.rejectedFile, 'a');
    const text = rejections.map((r) => `${JSON.stringify(r)}\n`).join('');
    writeSync(this.rejectedFd, text);
    // On disk before the checkpoint that counts them.
    fsyncSync(this.rejectedFd);
    this.rejectedBytes += Buffer.byteLength(text);
  }

  private saveCheckpoint(complete: boolean): void {
    writeCheckpoint(this.options.checkpointFile, {
      version: 1,
      file: path.resolve(this.options.file),
      format: this.options.format,
      identity: this.identity,
      offset: this.committed.offset,
      line: this.committed.line,
      counts: this.progress.counts,
      rejectedFile: path.resolve(this.options.rejectedFile),
      rejectedBytes: this.rejectedBytes,
      complete,
      updatedAt: new Date().toISOString(),
    });
  }

  private summary(status: ImportSummary['status'], alreadyComplete: boolean, started: bigint): ImportSummary {
    return {
      status,
      alreadyComplete,
      resumedAfterLine: this.progress.resumedAfterLine,
      lines: this.committed.line,
      counts: { ...this.progress.counts },
      rejectedFile: this.progress.counts.rejected > 0 ? this.options.rejectedFile : null,
      records: this.progress.records,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }
}

function rejection(record: SourceRecord, problems: Problem[]): Rejection {
  return { line: record.line, ...(record.endLine !== record.line ? { endLine: record.endLine } : {}), problems, text: record.text };
}
