import { GraphQLError } from 'graphql';
import { createErrorFormatter } from '../../src/errors/error-table';
import { ValidationError } from '../../src/errors/errors';

const logged: Record<string, unknown>[] = [];
const format = createErrorFormatter({ error: (message, details) => logged.push({ message, ...details }) });

test('a validation error keeps its message and gains BAD_USER_INPUT with every problem', () => {
  const error = new ValidationError([{ path: ['input', 'name'], message: 'is required' }]);
  expect(format({ message: 'x', path: ['defineMeter'] }, error)).toEqual({
    message: 'Invalid input (1 problem): input.name: is required',
    path: ['defineMeter'],
    locations: undefined,
    extensions: { code: 'BAD_USER_INPUT', problems: [{ path: ['input', 'name'], message: 'is required' }] },
  });
});

test('an unexpected error is masked, and its details go to the log under the same id', () => {
  const formatted = format(
    { message: 'relation "usage_events" does not exist', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    new Error('relation "usage_events" does not exist'),
  );
  expect(formatted.message).toMatch(/^Internal server error \(id [0-9a-f-]{36}\)$/);
  expect(formatted.message).not.toContain('usage_events');
  expect(logged.at(-1)).toMatchObject({ message: 'unexpected error', errorId: formatted.extensions?.errorId });
});

test("GraphQL's own input errors pass as they are", () => {
  const formatted = { message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  expect(format(formatted, new GraphQLError('Cannot query field "x"'))).toBe(formatted);
});
