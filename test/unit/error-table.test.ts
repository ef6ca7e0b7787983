import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { GraphQLError } from 'graphql';
import { DatabaseError } from 'pg';
import { errorAnswer, formatError, requestFailure } from '../../src/errors/error-table';
import { ForbiddenError, infrastructureError, TimeoutError, UnavailableError, ValidationError } from '../../src/errors/errors';
import { Prisma } from '../../src/generated/prisma/client';

test('a validation error keeps its message and gains BAD_USER_INPUT with every problem', () => {
  const error = new ValidationError([{ path: ['input', 'name'], message: 'is required' }]);
  expect(formatError({ message: 'x', path: ['defineMeter'] }, error)).toEqual({
    message: 'Invalid input (1 problem): input.name: is required',
    path: ['defineMeter'],
    locations: undefined,
    extensions: { code: 'BAD_USER_INPUT', problems: [{ path: ['input', 'name'], message: 'is required' }] },
  });
});

test('each domain category has its code; unavailability says it can be retried', () => {
  expect(formatError({ message: 'x' }, new ForbiddenError('no')).extensions).toEqual({ code: 'FORBIDDEN' });
  expect(formatError({ message: 'x' }, new UnavailableError()).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
  expect(formatError({ message: 'x' }, new TimeoutError()).extensions).toEqual({ code: 'TIMEOUT' });
});

test('database failures are classified, wherever they are wrapped', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  expect(infrastructureError(refused)).toBeInstanceOf(UnavailableError);
  expect(
    infrastructureError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
  ).toBeInstanceOf(UnavailableError);
  expect(infrastructureError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(UnavailableError);
  // Prisma's driver adapter, when the server cannot be reached at all.
  expect(infrastructureError(Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: 'P1001' }))).toBeInstanceOf(
    UnavailableError,
  );
  expect(infrastructureError(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBeUndefined();
  expect(infrastructureError(new Error('wrapped', { cause: refused }))).toBeInstanceOf(UnavailableError);
  // A plain object, as some drivers throw, wrapped by graphql-js as a thrown value.
  expect(infrastructureError({ message: 'Unexpected error value', thrownValue: { errno: -111, code: 'ECONNREFUSED' } })).toBeInstanceOf(
    UnavailableError,
  );
  expect(infrastructureError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBeInstanceOf(
    TimeoutError,
  );
  expect(infrastructureError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
  expect(formatError({ message: 'x' }, refused).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
});

test('an unexpected error is masked: no SQL, no stack, no internals', () => {
  const formatted = formatError(
    { message: 'relation "usage_events" does not exist', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
    new Error('relation "usage_events" does not exist'),
  );
  expect(formatted).toEqual({
    message: 'Internal server error',
    locations: undefined,
    path: undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
});

test("GraphQL's own input errors pass, without stack traces", () => {
  const formatted = { message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at y'] } };
  expect(formatError(formatted, new GraphQLError('Cannot query field "x"'))).toEqual({
    message: 'Cannot query field "x"',
    locations: undefined,
    path: undefined,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
});

test("Apollo's refusal of a malformed request, a 4xx without a code, is the client's BAD_REQUEST", () => {
  const mismatch = new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } });
  const formatted = { message: mismatch.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  expect(formatError(formatted, mismatch)).toEqual({
    message: 'provided sha does not match query',
    locations: undefined,
    path: undefined,
    extensions: { code: 'BAD_REQUEST' },
  });
  // A 5xx, or a code of its own that is not known safe, is still masked.
  for (const error of [
    new GraphQLError('pool exhausted', { extensions: { http: { status: 503 } } }),
    new GraphQLError('secret detail', { extensions: { code: 'SOMETHING_ELSE', http: { status: 400 } } }),
  ]) {
    expect(formatError({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error)).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }
});

/** pg's error for a SQLSTATE the server sent, as pg-protocol builds it from an ErrorResponse. */
function pgError(code: string, message: string, severity = 'ERROR'): DatabaseError {
  return Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity });
}

/**
 * What Prisma 7 throws when a query through @prisma/adapter-pg fails with a SQLSTATE it has no code
 * of its own for: adapter-pg wraps pg's error in a DriverAdapterError whose cause keeps the SQLSTATE
 * (kind "postgres", originalCode), and the client raises P2039 with that in meta.driverAdapterError.
 */
function prismaDatabaseError(error: DatabaseError): Prisma.PrismaClientKnownRequestError {
  const driverAdapterError = new DriverAdapterError({
    originalCode: error.code,
    originalMessage: error.message,
    kind: 'postgres',
    code: error.code ?? 'N/A',
    severity: error.severity ?? 'N/A',
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
  });
  return new Prisma.PrismaClientKnownRequestError(
    `Invalid \`prisma.apiKey.findFirst()\` invocation:\n\nDatabase error. Code: \`${error.code}\`. Message: \`${error.message}\``,
    {
      code: 'P2039',
      clientVersion: Prisma.prismaVersion.client,
      meta: { modelName: 'ApiKey', driverAdapterError },
    },
  );
}

test("a driver adapter's failure is classified however deep Prisma nests its SQLSTATE", () => {
  const startingUp = prismaDatabaseError(pgError('57P03', 'the database system is starting up', 'FATAL'));
  expect(infrastructureError(startingUp)).toBeInstanceOf(UnavailableError);
  expect(formatError({ message: startingUp.message }, startingUp)).toEqual({
    message: 'The database is unavailable; nothing was written. Retry the request.',
    locations: undefined,
    path: undefined,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
  });
  for (const [code, message] of [
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P04', 'database "x" was dropped'],
    ['08006', 'server closed the connection'],
    ['08P01', 'invalid frontend message type'],
  ]) {
    expect([code, infrastructureError(prismaDatabaseError(pgError(code, message)))]).toEqual([code, expect.any(UnavailableError)]);
  }
  expect(infrastructureError(prismaDatabaseError(pgError('57014', 'canceling statement due to statement timeout')))).toBeInstanceOf(
    TimeoutError,
  );
  // Any other SQLSTATE is not the infrastructure's: masked as internal.
  expect(infrastructureError(prismaDatabaseError(pgError('42P01', 'relation "x" does not exist')))).toBeUndefined();

  // The kinds adapter-pg gives socket failures and too many connections, with the codes Prisma maps them to.
  const mapped = (code: string, cause: ConstructorParameters<typeof DriverAdapterError>[0]) =>
    new Prisma.PrismaClientKnownRequestError('x', {
      code,
      clientVersion: Prisma.prismaVersion.client,
      meta: { driverAdapterError: new DriverAdapterError(cause) },
    });
  expect(infrastructureError(mapped('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBeInstanceOf(
    UnavailableError,
  );
  expect(infrastructureError(mapped('P1008', { kind: 'SocketTimeout' }))).toBeInstanceOf(UnavailableError);
  expect(infrastructureError(mapped('P1017', { kind: 'ConnectionClosed' }))).toBeInstanceOf(UnavailableError);
  expect(
    infrastructureError(mapped('P2037', { kind: 'TooManyConnections', cause: 'sorry, too many clients already', originalCode: '53300' })),
  ).toBeInstanceOf(UnavailableError);
  // The kind alone, whatever code a later Prisma gives it.
  expect(infrastructureError(mapped('P9999', { kind: 'ConnectionClosed' }))).toBeInstanceOf(UnavailableError);
  expect(
    infrastructureError(mapped('P2002', { kind: 'UniqueConstraintViolation', constraint: { fields: ['id'] }, originalCode: '23505' })),
  ).toBeUndefined();
  // Prisma's query engine put a raw query's SQLSTATE in meta.code.
  const raw = new Prisma.PrismaClientKnownRequestError('Raw query failed. Code: `57P03`.', {
    code: 'P2010',
    clientVersion: Prisma.prismaVersion.client,
    meta: { code: '57P03', message: 'the database system is starting up' },
  });
  expect(infrastructureError(raw)).toBeInstanceOf(UnavailableError);
  // Apollo's wrapping of a failure outside a resolver (the context function) keeps it in originalError.
  expect(infrastructureError(new GraphQLError('Context creation failed: x', { originalError: startingUp }))).toBeInstanceOf(
    UnavailableError,
  );
});

test('a cycle of causes ends the search', () => {
  const a: Record<string, unknown> = { message: 'a' };
  const b: Record<string, unknown> = { message: 'b', cause: a };
  a.cause = b;
  expect(infrastructureError(a)).toBeUndefined();
});

test("a client's text is never taken for a database failure: GraphQL's messages and domain errors may quote it", () => {
  const coercion = new GraphQLError(
    'Variable "$at" got invalid value "Connection terminated unexpectedly"; DateTime cannot represent an invalid date-time-string',
    {
      extensions: { code: 'BAD_USER_INPUT' },
    },
  );
  expect(infrastructureError(coercion)).toBeUndefined();
  expect(infrastructureError(new ValidationError([{ path: ['note'], message: 'terminating connection is not a meter' }]))).toBeUndefined();
  // What a GraphQL error wraps still counts, and a domain error that already says unavailable is kept as it is.
  expect(infrastructureError(new GraphQLError('x', { originalError: new Error('Connection terminated unexpectedly') }))).toBeInstanceOf(
    UnavailableError,
  );
  const unavailable = new UnavailableError();
  expect(infrastructureError(unavailable)).toBe(unavailable);
});

test('a domain error that ends a request before any field runs has its HTTP status, and its message and code', () => {
  const failure = requestFailure(new UnavailableError());
  expect(failure.extensions.http).toEqual({ status: 503 });
  expect(formatError({ message: failure.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, failure)).toEqual({
    message: 'The database is unavailable; nothing was written. Retry the request.',
    locations: undefined,
    path: undefined,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
  });
});

test('an answer written before GraphQL runs is shaped as a GraphQL answer, with the status and code of its category', () => {
  expect(errorAnswer('TIMEOUT', 'The request was not answered within 5 ms')).toEqual({
    status: 503,
    body: { errors: [{ message: 'The request was not answered within 5 ms', extensions: { code: 'TIMEOUT' } }] },
  });
  expect(errorAnswer('PAYLOAD_TOO_LARGE', 'too large')).toEqual({
    status: 413,
    body: { errors: [{ message: 'too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
  });
  expect(errorAnswer('BAD_REQUEST', 'not JSON')).toEqual({
    status: 400,
    body: { errors: [{ message: 'not JSON', extensions: { code: 'BAD_REQUEST' } }] },
  });
  // The same code and retryable as formatError gives the category's errors.
  expect(errorAnswer('UNAVAILABLE', 'down')).toEqual({
    status: 503,
    body: { errors: [{ message: 'down', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] },
  });
  expect(errorAnswer('FORBIDDEN', 'no').status).toBe(403);
});
