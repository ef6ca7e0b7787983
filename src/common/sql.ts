/**
 * Collects the values of a statement as bound parameters. Values never become SQL text:
 * `p.add(value)` returns the placeholder ($1, $2, ...) to write in its place.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
