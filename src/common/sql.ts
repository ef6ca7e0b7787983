import { createHash } from 'node:crypto';

/**
 * Collects the values of a statement as bound parameters. Values never become SQL text:
 * `p.add(value)` returns the placeholder ($1, $2, ...) to write in its place.
 */
/**
 * A statement named after its text: each connection prepares it once and reuses the plan. The
 * statistics and event-page statements take milliseconds to plan, as long as they take to run.
 */
export function prepared(text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `mql_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}

export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
