import { createHash } from 'node:crypto';

/**
 * SQL as typed fragments. A value is always a bound parameter, never text; an identifier or
 * keyword is text only when the code names it (ident() takes string literals alone), so no
 * input can reach a statement's text. Repositories write statements with sql`...` and send
 * query(fragment); the larger builders number their values with SqlParams, which inlines
 * fragments too.
 */

/** A value bound once, however many times a statement uses it. */
export class Param {
  constructor(readonly value: unknown) {}
}

/** A piece of SQL: its text around the values and fragments interpolated in it. */
export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly parts: readonly (Param | Sql)[],
  ) {}
}

/** sql`SELECT ... WHERE id = ${id}`: a value becomes a parameter, an Sql fragment is inlined, a Param is reused. */
export function sql(strings: TemplateStringsArray, ...parts: unknown[]): Sql {
  return new Sql(
    strings,
    parts.map((part) => (part instanceof Sql || part instanceof Param ? part : new Param(part))),
  );
}

/** A value to use in several places of one statement as one parameter. */
export function bind(value: unknown): Param {
  return new Param(value);
}

/** An identifier or keyword written by the code: a string literal type only, never a computed string. */
export function ident<T extends string>(name: string extends T ? never : T): Sql {
  return new Sql([name], []);
}

/** The fragments with the separator between them. */
export function join(fragments: readonly Sql[], separator: ', ' | ' AND ' | ' OR ' | ' UNION ALL ' | '\n' = ', '): Sql {
  if (fragments.length === 0) return new Sql([''], []);
  return new Sql(['', ...fragments.slice(1).map(() => separator), ''], fragments);
}

/** A statement ready for pg: its text, with $1, $2, ... for its values in order. */
export function query(fragment: Sql): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const text = p.sql(fragment);
  return { text, values: p.values };
}

/**
 * Numbers the values of a statement that a builder writes as text: `p.add(value)` returns the
 * placeholder ($1, $2, ...) to write in its place, and `p.sql(fragment)` a fragment's text with
 * its values numbered in the same list.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  private readonly bound = new Map<Param, string>();

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  sql(fragment: Sql): string {
    let text = fragment.strings[0];
    fragment.parts.forEach((part, i) => {
      text += (part instanceof Sql ? this.sql(part) : this.param(part)) + fragment.strings[i + 1];
    });
    return text;
  }

  private param(param: Param): string {
    let placeholder = this.bound.get(param);
    if (placeholder === undefined) {
      placeholder = this.add(param.value);
      this.bound.set(param, placeholder);
    }
    return placeholder;
  }
}

/**
 * A statement named after its text: each connection prepares it once and reuses the plan. The
 * statistics and event-page statements take milliseconds to plan, as long as they take to run.
 */
export function prepared(statement: { text: string; values: unknown[] }): { name: string; text: string; values: unknown[] } {
  return { name: `mql_${createHash('sha1').update(statement.text).digest('hex').slice(0, 20)}`, ...statement };
}
