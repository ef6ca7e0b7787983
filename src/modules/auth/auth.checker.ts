import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError, type DomainError } from '../../errors/errors';
import type { Caller } from './auth.types';

/**
 * type-graphql's check behind @Authorized(roles): no caller is unauthenticated, a caller whose
 * role is not among the field's roles is forbidden. Project limits are applied by the services.
 */
export const authChecker: AuthChecker<{ caller: Caller | null; authError?: DomainError }, string> = ({ context }, roles) => {
  const { caller } = context;
  if (!caller) throw context.authError ?? new UnauthenticatedError('An API key is required: send "Authorization: Bearer <API key>"');
  if (roles.length > 0 && !roles.includes(caller.role)) {
    throw new ForbiddenError(`A ${caller.role.toLowerCase()} key may not do this (it needs one of: ${roles.join(', ').toLowerCase()})`);
  }
  return true;
};

/** Roles, for @Authorized(...). */
export const ADMIN = 'ADMIN';
export const REPORTER = 'REPORTER';
export const READER = 'READER';
