import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const CLI = path.resolve(__dirname, '../../dist/cli/keys.js');
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ anonymousAdmin: false });
});
afterAll(async () => {
  await t?.drop();
});

function keys(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.url }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout + result.stderr };
}

test('npm run keys creates, lists (never a secret) and revokes keys', async () => {
  const created = keys('create', '--role', 'reader', '--project', 'P1', '--project', 'P2', '--description', 'dashboard');
  expect(created.code).toBe(0);
  const token = created.out.match(/mql_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/)![0];
  const id = token.split('_')[1];
  expect(created.out).toContain(`Created reader key ${id} for P1, P2.`);
  expect(await t.services.auth.authenticate(`Bearer ${token}`)).toEqual({ role: 'READER', projects: ['P1', 'P2'], keyId: id });

  const listed = keys('list');
  expect(listed.code).toBe(0);
  expect(listed.out).toMatch(new RegExp(`${id}\\s+reader\\s+\\S+\\s+-\\s+P1,P2 / dashboard`));
  expect(listed.out).not.toContain(token.split('_')[2]);

  expect(keys('revoke', id)).toEqual({ code: 0, out: `Revoked key ${id}.\n` });
  expect(keys('revoke', id)).toEqual({ code: 1, out: `No active key ${id}.\n` });
  await expect(t.services.auth.authenticate(`Bearer ${token}`)).rejects.toThrow('The API key is not valid');
  expect(keys('list').out).toMatch(new RegExp(`${id}\\s+reader\\s+\\S+\\s+20\\d\\d-`));
});

test('bad arguments are explained', () => {
  expect(keys('create', '--role', 'owner')).toMatchObject({
    code: 2,
    out: expect.stringContaining('role: must be admin, reporter or reader'),
  });
  expect(keys('create', '--role', 'admin', '--project', 'P1')).toMatchObject({
    code: 2,
    out: expect.stringContaining('an admin key is not limited to projects'),
  });
  expect(keys('rotate')).toMatchObject({ code: 2, out: expect.stringContaining('Usage:') });
});
