import { createHash } from 'node:crypto';
import type { TestDatabase } from '../helpers/database';
import type { TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

/**
 * Requests that are the client's fault, refused before anything runs: each answers a 4xx with a
 * code saying what to change, never INTERNAL_SERVER_ERROR.
 */
let t: TestDatabase;
let api: TestServer;

beforeAll(async () => {
  ({ t, api } = await openTestApi());
});
afterAll(() => closeTestApi({ t, api }));

async function post(body: unknown): Promise<{ status: number; errors: { message: string; extensions: Record<string, unknown> }[] }> {
  const response = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    status: response.status,
    ...((await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] }),
  };
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('a persisted query whose hash is not the hash of its query is a 400 BAD_REQUEST that says so', async () => {
  const query = '{ meters { name } }';
  const answer = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
  expect(answer).toEqual({
    status: 400,
    errors: [
      { message: expect.stringMatching(/sha.*does not match.*query/i), extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } },
    ],
  });
  expect(api.logs().filter((l) => l.msg === 'unexpected error')).toEqual([]);
  // The right hash registers the query, and the hash alone then runs it.
  const hash = sha256(query);
  expect(await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).toMatchObject({
    status: 200,
    data: { meters: [] },
  });
  expect(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).toMatchObject({
    status: 200,
    data: { meters: [] },
  });
});

test('a persisted query of an unknown version is a 400 BAD_REQUEST', async () => {
  const query = '{ meters { name } }';
  const answer = await post({ query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } });
  expect(answer).toEqual({
    status: 400,
    errors: [
      { message: expect.stringMatching(/persisted query version/i), extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } },
    ],
  });
});

test.each([
  'subscription { __typename }',
  'subscription OnUsage { usageEvents { id } }',
  'subscription S($x: Int) { meters(first: $x) { name } }',
  'query Q { meters { name } }\nsubscription S { __typename }',
])('a subscription is a 400 GRAPHQL_VALIDATION_FAILED: meterql serves none (%s)', async (query) => {
  const answer = await post({ query, operationName: query.startsWith('query Q') ? 'Q' : undefined });
  expect(answer).toEqual({
    status: 400,
    errors: [
      {
        message:
          'Subscriptions are not supported: meterql answers queries and mutations over HTTP, one answer per request; poll with a query instead.',
        locations: [{ line: query.startsWith('query Q') ? 2 : 1, column: 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
      },
    ],
  });
});

test("a client's text that reads like a database failure is the client's error, not SERVICE_UNAVAILABLE", async () => {
  const variable = await post({
    query: 'query Q($at: DateTime!) { prices(at: $at) { meter } }',
    variables: { at: 'Connection terminated unexpectedly' },
  });
  expect([variable.status, variable.errors.map((e) => e.extensions.code)]).toEqual([400, ['BAD_USER_INPUT']]);
  const literal = await post({ query: '{ meters(component: 7) { name } } # terminating connection' });
  expect([literal.status, literal.errors.map((e) => e.extensions.code)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
  const quoted = await post({ query: '{ prices(at: "terminating connection") { meter } }' });
  expect([quoted.status, quoted.errors.map((e) => e.extensions.code)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
});
