/**
 * Domain errors. They carry a category and the paths of the offending input, never a GraphQL
 * type: errors/error-table.ts alone decides how each category reaches a client.
 */
export type ErrorCategory = 'BAD_USER_INPUT';

export type Path = ReadonlyArray<string | number>;

export interface Problem {
  path: Path;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly category: ErrorCategory;
}

/** Every problem found in one input, reported at once. */
export class ValidationError extends DomainError {
  readonly category = 'BAD_USER_INPUT';
  constructor(readonly problems: Problem[], summary?: string) {
    super(summary ?? ValidationError.describe(problems));
    this.name = 'ValidationError';
  }

  static describe(problems: Problem[]): string {
    const shown = problems.slice(0, 10).map((p) => `${formatPath(p.path)}: ${p.message}`);
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
    return `Invalid input (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${shown.join('; ')}${more}`;
  }
}

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Collects problems while an input is checked, then throws them together. */
export class Problems {
  private readonly list: Problem[] = [];
  add(path: Path, message: string): void {
    this.list.push({ path, message });
  }
  get count(): number {
    return this.list.length;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}
