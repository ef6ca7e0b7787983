import type { AuthCheckerFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError, type DomainError } from '../../errors/errors';
import type { Caller } from './auth.types';

/** What a request's context knows of its caller. */
interface CallerContext {
  caller: Caller | null;
  /** Why there is no caller, when credentials were sent but could not be checked. */
  authError?: DomainError;
}

/**
 * The caller of a request, for a resolver behind @Authorized: authChecker lets it run only with
 * one. Without one it throws as authChecker does, unauthenticated (or why the key could not be
 * checked), never a null caller that a service would read as nobody, or fail on.
 */
export function callerOf(context: CallerContext): Caller {
  if (!context.caller)
    throw context.authError ?? new UnauthenticatedError('An API key is required: send "Authorization: Bearer <API key>"');
  return context.caller;
}

/**
 * type-graphql's check behind @Authorized(roles): no caller is unauthenticated, a caller whose
 * role is not among the field's roles is forbidden. Project limits are applied by the services.
 */
export const authChecker: AuthCheckerFn<CallerContext, string> = ({ context }, roles) => {
  checkRole(callerOf(context), roles);
  return true;
};

/** Refuses a caller whose role is not among `roles` (none: any role), as every endpoint words it. */
export function checkRole(caller: Caller, roles: readonly string[]): void {
  if (roles.length > 0 && !roles.includes(caller.role)) {
    throw new ForbiddenError(`A ${caller.role.toLowerCase()} key may not do this (it needs one of: ${roles.join(', ').toLowerCase()})`);
  }
}

/** Roles, for @Authorized(...). */
export const ADMIN = 'ADMIN';
export const REPORTER = 'REPORTER';
export const READER = 'READER';
