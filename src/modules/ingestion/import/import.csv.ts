/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by line ends (LF or CRLF); a
 * field in double quotes may hold commas, line ends and doubled quotes (""). Anything else with a
 * quote in it is refused rather than guessed at, and a refused record ends at the end of its line,
 * so that one bad record never swallows the ones after it.
 */
export type CsvResult = { fields: string[]; error?: undefined } | { fields?: undefined; error: string };

export class CsvRecordScanner {
  private fields: string[] = [];
  private field = '';
  private quoted = false;

  /** Whether the record so far continues on the next line (a quoted field holds a line end). */
  get open(): boolean {
    return this.quoted;
  }

  /**
   * Reads one line (without its line end). Returns the record it completes, or undefined while a
   * quoted field goes on to the next line.
   */
  line(text: string): CsvResult | undefined {
    let i = 0;
    if (this.quoted) {
      this.field += '\n';
      const closed = this.readQuoted(text, 0);
      if (closed < 0) return undefined;
      i = closed;
      const next = this.afterQuote(text, i);
      if (next.error) return this.fail(next.error);
      if (next.end) return this.finish();
      i = next.at;
    }
    for (;;) {
      if (text.charCodeAt(i) === 34 /* " */) {
        const closed = this.readQuoted(text, i + 1);
        if (closed < 0) return undefined;
        const next = this.afterQuote(text, closed);
        if (next.error) return this.fail(next.error);
        if (next.end) return this.finish();
        i = next.at;
        continue;
      }
      const comma = text.indexOf(',', i);
      const stop = comma < 0 ? text.length : comma;
      const value = text.slice(i, stop);
      if (value.includes('"')) {
        return this.fail(
          `field ${this.fields.length + 1}: a quote may only open a field; write the field in quotes and double the quotes inside it`,
        );
      }
      this.fields.push(value);
      if (comma < 0) return this.finish();
      i = comma + 1;
    }
  }

  /** At the end of the file: the error of a record left unfinished, if any. */
  end(): CsvResult | undefined {
    if (!this.quoted) return undefined;
    return this.fail(`field ${this.fields.length + 1}: its opening quote is never closed`);
  }

  /** Reads a quoted field's text from `from`; the index after its closing quote, or -1 if the line ends inside it. */
  private readQuoted(text: string, from: number): number {
    let i = from;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote < 0) {
        this.field += text.slice(i);
        this.quoted = true;
        return -1;
      }
      this.field += text.slice(i, quote);
      if (text.charCodeAt(quote + 1) === 34) {
        this.field += '"';
        i = quote + 2;
        continue;
      }
      this.quoted = false;
      this.fields.push(this.field);
      this.field = '';
      return quote + 1;
    }
  }

  private afterQuote(text: string, at: number): { end?: boolean; at: number; error?: string } {
    if (at === text.length) return { end: true, at };
    if (text.charCodeAt(at) === 44 /* , */) return { at: at + 1 };
    return { at, error: `field ${this.fields.length}: a closing quote must be followed by a comma or the end of the line` };
  }

  private finish(): CsvResult {
    const fields = this.fields;
    this.reset();
    return { fields };
  }

  private fail(error: string): CsvResult {
    this.reset();
    return { error };
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.quoted = false;
  }
}
