import { Problems, ValidationError } from '../../errors/errors';
import { jsonError, type ReportDecoder } from './ingestion.mapping';
import type { UsageReport } from './ingestion.validation';

/**
 * A bulk upload of usage reports in NDJSON, read as its chunks arrive: one report a line, the
 * k-th at `reports[k - 1]` as a batch of reportUsage would hold it; blank lines are skipped, as
 * the import skips them. Each line is decoded as soon as it is whole, so decoding keeps pace with
 * the upload; lines are split on LF bytes (a CR before it is dropped), which never occur inside a
 * UTF-8 character. The last line may end without a line end.
 */
export class NdjsonReports {
  private readonly reports: UsageReport[] = [];
  private readonly problems = new Problems();
  private carry: Buffer | undefined;
  /** Reports (lines that are not blank) so far. */
  private lines = 0;

  constructor(
    private readonly decoder: ReportDecoder,
    private readonly maxReports: number,
  ) {}

  push(chunk: Buffer): void {
    const buffer = this.carry && this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let at = 0;
    for (let lf = buffer.indexOf(10, at); lf >= 0; lf = buffer.indexOf(10, at)) {
      this.line(buffer.toString('utf8', at, lf > at && buffer[lf - 1] === 13 ? lf - 1 : lf));
      at = lf + 1;
    }
    this.carry = buffer.subarray(at);
  }

  /**
   * The reports of the whole upload, once it has arrived; throws every problem of its lines (or
   * that it has too many) instead: with any, none of it may be written.
   */
  end(): UsageReport[] {
    if (this.carry && this.carry.length > 0) this.line(this.carry.toString('utf8'));
    this.carry = undefined;
    if (this.lines > this.maxReports) {
      throw new ValidationError([{ path: ['reports'], message: `at most ${this.maxReports} reports per request, got ${this.lines}` }]);
    }
    if (this.lines === 0)
      throw new ValidationError([{ path: ['reports'], message: 'the request has no report: send one JSON object a line' }]);
    this.problems.throwIfAny();
    return this.reports;
  }

  private line(text: string): void {
    if (text.trim() === '') return;
    const index = this.lines++;
    // Counted only: the upload is refused for its size, and nothing past the limit is kept.
    if (index >= this.maxReports) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return this.problems.add(['reports', index], `is not valid JSON: ${jsonError(error)}`);
    }
    const decoded = this.decoder.decode(value);
    if (decoded.report) this.reports.push(decoded.report);
    else for (const { path, message } of decoded.problems) this.problems.add(['reports', index, ...path], message);
  }
}
