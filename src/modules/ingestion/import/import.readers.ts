import { createReadStream } from 'node:fs';
import { ValidationError } from '../../../errors/errors';
import { CsvRecordScanner } from './import.csv';
import { jsonError } from '../ingestion.mapping';
import type { CsvColumns, Decoded, ReportShape } from './import.mapping';

export type ImportFormat = 'ndjson' | 'csv';

/** Where reading starts: a byte offset at the start of a line, and the number of the line before it. */
export interface Position {
  offset: number;
  line: number;
}

/** One report of a file: where it is, its original text and what it decoded to. */
export interface SourceRecord {
  /** The line it starts on, from 1. */
  line: number;
  /** The line it ends on (a quoted CSV field may hold line ends). */
  endLine: number;
  /** The byte offset just after it: where reading resumes once it is committed. */
  end: number;
  /** Its text as in the file (without the line end), for the rejected file. */
  text: string;
  decoded: Decoded;
}

interface PhysicalLine {
  /** The text, without its line end (LF or CRLF). */
  text: string;
  line: number;
  end: number;
}

/**
 * The lines of a file from a position, with the byte offset after each. Lines are split on LF
 * bytes, which never occur inside a UTF-8 character, so offsets stay exact.
 */
async function* physicalLines(file: string, from: Position): AsyncGenerator<PhysicalLine> {
  const stream = createReadStream(file, { start: from.offset, highWaterMark: 1 << 20 });
  let carry: Buffer | undefined;
  let base = from.offset;
  let line = from.line;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buffer = carry && carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let at = 0;
      for (let lf = buffer.indexOf(10, at); lf >= 0; lf = buffer.indexOf(10, at)) {
        const stop = lf > at && buffer[lf - 1] === 13 ? lf - 1 : lf;
        yield { text: buffer.toString('utf8', at, stop), line: ++line, end: base + lf + 1 };
        at = lf + 1;
      }
      carry = buffer.subarray(at);
      base += at;
    }
    if (carry && carry.length > 0) {
      const stop = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
      yield { text: carry.toString('utf8', 0, stop), line: ++line, end: base + carry.length };
    }
  } finally {
    stream.destroy();
  }
}

const BOM = '\uFEFF';
const blank = (text: string) => text.trim() === '';

/** NDJSON: one JSON object per line; blank lines are skipped. */
async function* ndjsonRecords(file: string, from: Position): AsyncGenerator<SourceRecord> {
  for await (const { text: raw, line, end } of physicalLines(file, from)) {
    const text = line === 1 && raw.startsWith(BOM) ? raw.slice(1) : raw;
    if (blank(text)) continue;
    let decoded: Decoded;
    try {
      decoded = { value: JSON.parse(text) };
    } catch (error) {
      decoded = { problems: [{ path: [], message: `is not valid JSON: ${jsonError(error)}` }] };
    }
    yield { line, endLine: line, end, text, decoded };
  }
}

/** A CSV file's header: its columns and where the records after it start. */
export async function readCsvHeader(file: string, shape: ReportShape): Promise<{ columns: CsvColumns; after: Position } | undefined> {
  const scanner = new CsvRecordScanner();
  for await (const { text: raw, line, end } of physicalLines(file, { offset: 0, line: 0 })) {
    const text = line === 1 && raw.startsWith(BOM) ? raw.slice(1) : raw;
    if (!scanner.open && blank(text)) continue;
    const result = scanner.line(text);
    if (result === undefined) continue;
    if (result.error !== undefined) throw new ValidationError([{ path: ['header'], message: result.error }]);
    return { columns: shape.csvColumns(result.fields), after: { offset: end, line } };
  }
  const unfinished = scanner.end();
  if (unfinished?.error) throw new ValidationError([{ path: ['header'], message: unfinished.error }]);
  return undefined;
}

/** CSV: a header row naming the report's fields, then one report per record; blank lines are skipped. */
async function* csvRecords(file: string, columns: CsvColumns, from: Position, shape: ReportShape): AsyncGenerator<SourceRecord> {
  const scanner = new CsvRecordScanner();
  let first = 0;
  let lines: string[] = [];
  let last = { line: from.line, end: from.offset };
  for await (const { text, line, end } of physicalLines(file, from)) {
    last = { line, end };
    if (!scanner.open) {
      if (blank(text)) continue;
      first = line;
      lines = [];
    }
    lines.push(text);
    const result = scanner.line(text);
    if (result === undefined) continue;
    const decoded: Decoded =
      result.error !== undefined
        ? { problems: [{ path: [], message: `is not valid CSV: ${result.error}` }] }
        : shape.fromCsv(columns, result.fields);
    yield { line: first, endLine: line, end, text: lines.join('\n'), decoded };
  }
  const unfinished = scanner.end();
  if (unfinished?.error !== undefined) {
    // A quote left open takes the rest of the file into one record, refused whole.
    const problems = [{ path: [], message: `is not valid CSV: ${unfinished.error}` }];
    yield { line: first, endLine: last.line, end: last.end, text: lines.join('\n'), decoded: { problems } };
  }
}

/**
 * The records of a file from a position. A CSV file's header is read and checked first (a bad
 * header fails the whole file, with a ValidationError); reading then goes on from the position,
 * or from just after the header.
 */
export async function openRecords(
  file: string,
  format: ImportFormat,
  from: Position,
  shape: ReportShape,
): Promise<AsyncGenerator<SourceRecord>> {
  if (format === 'ndjson') return ndjsonRecords(file, from);
  const header = await readCsvHeader(file, shape);
  if (!header) return (async function* () {})();
  return csvRecords(file, header.columns, from.offset > header.after.offset ? from : header.after, shape);
}
