import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ValidationError, type ErrorCategory } from './errors';

/** The one place where a domain error category becomes a client-visible code. */
export const errorCodes = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
} as const satisfies Record<ErrorCategory, string>;

/** Codes that GraphQL execution and Apollo Server produce themselves and that are safe to show. */
const passThroughCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

export interface ErrorLogger {
  error(message: string, details: Record<string, unknown>): void;
}

/**
 * Apollo's formatError: domain errors keep their message and gain their code (and, for
 * validation errors, the path of every problem); GraphQL's own errors pass; anything else is
 * masked as INTERNAL_SERVER_ERROR with an id that is also logged.
 */
export function createErrorFormatter(logger: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      const extensions: Record<string, unknown> = { code: errorCodes[original.category] };
      if (original instanceof ValidationError) {
        extensions.problems = original.problems.map((p) => ({ path: p.path, message: p.message }));
      }
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && passThroughCodes.has(code)) return formatted;
    const errorId = randomUUID();
    logger.error('unexpected error', {
      errorId,
      error: original instanceof Error ? original.message : String(original),
      stack: original instanceof Error ? original.stack : undefined,
      path: formatted.path,
    });
    return {
      message: `Internal server error (id ${errorId})`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}
