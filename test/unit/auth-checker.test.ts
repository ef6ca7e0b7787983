import type { ResolverData } from 'type-graphql';
import { UnauthenticatedError, UnavailableError } from '../../src/errors/errors';
import { authChecker, callerOf } from '../../src/modules/auth/auth.checker';
import { ApiRole, type Caller } from '../../src/modules/auth/auth.types';

const reader: Caller = { role: ApiRole.READER, projects: ['astro'], keyId: 'k1' };
const check = (context: { caller: Caller | null; authError?: UnavailableError }, roles: string[]) =>
  authChecker({ context } as ResolverData<typeof context>, roles);

describe('callerOf', () => {
  test('the caller of an authenticated request', () => {
    expect(callerOf({ caller: reader })).toBe(reader);
  });

  test('none: unauthenticated, or why the key could not be checked, as authChecker says', () => {
    expect(() => callerOf({ caller: null })).toThrow(UnauthenticatedError);
    expect(() => callerOf({ caller: null })).toThrow('An API key is required: send "Authorization: Bearer <API key>"');
    const unavailable = new UnavailableError();
    expect(() => callerOf({ caller: null, authError: unavailable })).toThrow(unavailable);
    expect(() => check({ caller: null }, [])).toThrow(UnauthenticatedError);
    expect(() => check({ caller: null, authError: unavailable }, [])).toThrow(unavailable);
  });

  test("authChecker lets a caller of one of the field's roles through, and forbids the others", () => {
    expect(check({ caller: reader }, ['ADMIN', 'READER'])).toBe(true);
    expect(() => check({ caller: reader }, ['ADMIN'])).toThrow('A reader key may not do this (it needs one of: admin)');
  });
});
