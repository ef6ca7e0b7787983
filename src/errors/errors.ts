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
  constructor(
    readonly problems: Problem[],
    summary?: string,
  ) {
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

/**
 * The database cannot be reached or went away: the request can be retried. Nothing was committed,
 * unless the connection was lost with a COMMIT in flight: the server may have committed before it
 * went, and nobody can tell the client which.
 */
export class UnavailableError extends DomainError {
  readonly category = 'UNAVAILABLE';
  constructor(
    readonly outcome: 'not written' | 'unknown' = 'not written',
    options?: ErrorOptions,
  ) {
    super(
      outcome === 'unknown'
        ? 'The connection to the database was lost while the changes were being committed: they may or may not have been written. Resending a usage report is safe (reports are idempotent); check other changes before repeating them.'
        : 'The database is unavailable; nothing was written. Retry the request.',
      options,
    );
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

// SQLSTATE classes and codes that mean the server or the connection went away, or that the
// server takes no connections now (57P03: starting up, shutting down, a standby without hot standby).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-4]|53300)/;
const TIMEOUT_SQLSTATE = '57014';
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
// Prisma's: the server cannot be reached, did not answer in time, timed out on its socket, closed
// the connection, has too many connections.
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2037']);
// A driver adapter's names for the same failures (the `kind` of a DriverAdapterError's cause).
const UNAVAILABLE_KIND = new Set(['DatabaseNotReachable', 'SocketTimeout', 'ConnectionClosed', 'TooManyConnections']);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|terminating connection|connection (is )?closed|Client has encountered a connection error/i;
/**
 * Where a wrapper keeps what it wraps: an Error's cause (a DriverAdapterError's holds the driver's
 * failure, its SQLSTATE in `originalCode`), graphql-js's thrownValue and originalError, Prisma's
 * meta (its driverAdapterError; the SQLSTATE itself in `code` for the query engine's P2010).
 */
const WRAPPERS = ['cause', 'thrownValue', 'originalError', 'meta', 'driverAdapterError'] as const;

/**
 * The domain meaning of a failure of the database or its connection, if it has one: unavailable
 * (retry later; nothing was committed, or the commit's fate is unknown and a resend is safe,
 * since reports are idempotent) or timed out.
 */
export function infrastructureError(error: unknown): DomainError | undefined {
  return classify(error, 0);
}

function classify(error: unknown, depth: number): DomainError | undefined {
  // Read by shape, not class: pg, Prisma and Node's sockets fail with different kinds of objects,
  // and wrap one another (Prisma's P2039 is any SQLSTATE it has no code of its own for, with the
  // SQLSTATE three levels down). The depth bounds a cycle of causes.
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  // Already given its meaning, by code that knew more (whether a COMMIT was sent); any other
  // domain error is the client's, and its message may quote the client's input.
  if (error instanceof DomainError) return error instanceof UnavailableError || error instanceof TimeoutError ? error : undefined;
  const { code, originalCode, kind, message, extensions } = error as {
    code?: unknown;
    originalCode?: unknown;
    kind?: unknown;
    message?: unknown;
    extensions?: unknown;
  };
  for (const c of [code, originalCode]) {
    if (typeof c !== 'string') continue;
    if (c === TIMEOUT_SQLSTATE) return new TimeoutError();
    if (UNAVAILABLE_SQLSTATE.test(c) || UNAVAILABLE_ERRNO.has(c) || UNAVAILABLE_PRISMA.has(c)) return new UnavailableError();
  }
  if (typeof kind === 'string' && UNAVAILABLE_KIND.has(kind)) return new UnavailableError();
  // A GraphQL error (it has extensions) words its message itself, quoting the client's input
  // ("got invalid value ..."): only what it wraps counts.
  if (extensions === undefined && typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return new UnavailableError();
  for (const key of WRAPPERS) {
    const inner = (error as Record<string, unknown>)[key];
    const found = inner !== error ? classify(inner, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}
