import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database';
import { startTestServer, type TestServer } from './server';
import type { ServerOptions } from '../../src/server';

/** What most test files share: a database of their own, cloned from the template, and a server over it. */
export interface TestApi {
  t: TestDatabase;
  api: TestServer;
}

export async function openTestApi(options: TestDatabaseOptions & { server?: Partial<ServerOptions> } = {}): Promise<TestApi> {
  const t = await createTestDatabase(options);
  return { t, api: await startTestServer(t.services, options.server) };
}

/** Closes what openTestApi opened, whatever of it was opened before a failure. */
export async function closeTestApi(env: Partial<TestApi>): Promise<void> {
  await env.api?.close();
  await env.t?.drop();
}
