import { GraphQLError } from 'graphql';
import { formatError } from '../../src/errors/error-table';
import { ForbiddenError, infrastructureError, TimeoutError, UnavailableError, ValidationError } from '../../src/errors/errors';

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
  expect(infrastructureError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBeInstanceOf(UnavailableError);
  expect(infrastructureError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(UnavailableError);
  // Prisma's driver adapter, when the server cannot be reached at all.
  expect(infrastructureError(Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: 'P1001' }))).toBeInstanceOf(UnavailableError);
  expect(infrastructureError(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBeUndefined();
  expect(infrastructureError(new Error('wrapped', { cause: refused }))).toBeInstanceOf(UnavailableError);
  // A plain object, as some drivers throw, wrapped by graphql-js as a thrown value.
  expect(infrastructureError({ message: 'Unexpected error value', thrownValue: { errno: -111, code: 'ECONNREFUSED' } })).toBeInstanceOf(UnavailableError);
  expect(infrastructureError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBeInstanceOf(TimeoutError);
  expect(infrastructureError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
  expect(formatError({ message: 'x' }, refused).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
});

test('an unexpected error is masked: no SQL, no stack, no internals', () => {
  const formatted = formatError(
    { message: 'relation "usage_events" does not exist', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
    new Error('relation "usage_events" does not exist'),
  );
  expect(formatted).toEqual({ message: 'Internal server error', locations: undefined, path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
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
  expect(formatError(formatted, mismatch)).toEqual({ message: 'provided sha does not match query', locations: undefined, path: undefined, extensions: { code: 'BAD_REQUEST' } });
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
