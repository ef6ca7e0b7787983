import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import type { ImportFormat } from './import.readers';

/** Tells a file from another, or from itself once changed: its size, its modification time and a hash of its first KiB. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  head: string;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  superseded: number;
  rejected: number;
}

/** What an import had committed when it last wrote its checkpoint. */
export interface Checkpoint {
  version: 1;
  file: string;
  format: ImportFormat;
  identity: FileIdentity;
  /** The byte offset after the last committed record: a rerun reads on from here. */
  offset: number;
  /** The number of the last line read up to that offset. */
  line: number;
  counts: ImportCounts;
  rejectedFile: string;
  /** The rejected file's size at that point: what a rerun keeps of it. */
  rejectedBytes: number;
  complete: boolean;
  updatedAt: string;
}

export const NO_COUNTS: ImportCounts = { created: 0, updated: 0, unchanged: 0, superseded: 0, rejected: 0 };

export function fileIdentity(file: string): FileIdentity {
  const { size, mtimeMs } = statSync(file);
  const head = Buffer.alloc(Math.min(size, 1024));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return { size, mtimeMs, head: createHash('sha256').update(head).digest('hex') };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.head === b.head;
}

/** The checkpoint stored at `path`, or undefined when there is none or it cannot be read. */
export function readCheckpoint(path: string): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const checkpoint = JSON.parse(text) as Checkpoint;
    return checkpoint.version === 1 && Number.isInteger(checkpoint.offset) && Number.isInteger(checkpoint.line) ? checkpoint : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the checkpoint atomically: written to a temporary file, flushed to disk, then renamed
 * over the old one, so that a crash at any moment leaves the old checkpoint or the new one whole.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(checkpoint, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
