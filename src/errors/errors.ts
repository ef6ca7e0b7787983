/**
 * Domain errors. They carry a category and the paths of the offending input, never a GraphQL
 * type: errors/error-table.ts alone decides how each category reaches a client.
 */
export type ErrorCategory = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE' | 'TIMEOUT';

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

/** No credentials, or credentials that name no valid key. */
export class UnauthenticatedError extends DomainError {
  readonly category = 'UNAUTHENTICATED';
}

/** A valid key whose role or projects do not allow the operation. */
export class ForbiddenError extends DomainError {
  readonly category = 'FORBIDDEN';
}

/** The database cannot be reached or went away; nothing was committed, and the request can be retried. */
export class UnavailableError extends DomainError {
  readonly category = 'UNAVAILABLE';
  constructor() {
    super('The database is unavailable; nothing was written. Retry the request.');
  }
}

/** A statement ran past the configured statement timeout and was cancelled. */
export class TimeoutError extends DomainError {
  readonly category = 'TIMEOUT';
  constructor() {
    super('The request took longer than the statement timeout and was cancelled; narrow it (a shorter range, fewer periods).');
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
  get all(): readonly Problem[] {
    return this.list;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

// SQLSTATE classes and codes that mean the server or the connection went away.
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-4]|53300)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
// Prisma's: the server cannot be reached, did not answer in time, closed the connection.
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1017']);
const UNAVAILABLE_MESSAGE = /Connection terminated|terminating connection|connection (is )?closed|Client has encountered a connection error/i;

/**
 * The domain meaning of a failure of the database or its connection, if it has one: unavailable
 * (retry later; nothing was committed, or the commit's fate is unknown and a resend is safe,
 * since reports are idempotent) or timed out.
 */
export function infrastructureError(error: unknown): DomainError | undefined {
  // Read by shape, not class: pg, Prisma and Node's sockets fail with different kinds of
  // objects, and graphql-js wraps a non-Error in one whose thrownValue holds it.
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, cause, thrownValue } = error as { code?: unknown; message?: unknown; cause?: unknown; thrownValue?: unknown };
  if (code === '57014') return new TimeoutError();
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_PRISMA.has(code))) return new UnavailableError();
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return new UnavailableError();
  for (const inner of [cause, thrownValue]) {
    const found = inner !== error ? infrastructureError(inner) : undefined;
    if (found) return found;
  }
  return undefined;
}
