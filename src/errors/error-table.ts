import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, infrastructureError, ValidationError, type ErrorCategory } from './errors';

/**
 * Refusals of an HTTP request before GraphQL reads it, which no domain error describes: a body
 * larger than the limit, in a charset or Content-Encoding meterql does not read, or not JSON.
 */
export type RequestRefusal = 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_REQUEST';

/** The one place where a domain error category becomes a client-visible code. */
export const errorCodes = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
} as const satisfies Record<ErrorCategory, string>;

/** Whether resending the same request may succeed. */
const retryable = {
  BAD_USER_INPUT: false,
  UNAUTHENTICATED: false,
  FORBIDDEN: false,
  UNAVAILABLE: true,
  TIMEOUT: false,
} as const satisfies Record<ErrorCategory, boolean>;

/** The HTTP status of a request that a domain error, or a refusal, ends before any field runs. */
const requestStatus = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
  TIMEOUT: 503,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BAD_REQUEST: 400,
} as const satisfies Record<ErrorCategory | RequestRefusal, number>;

/**
 * A domain error that ends the request before any field runs, as Apollo answers it when the
 * context function throws it: with its category's HTTP status (else 500), and, through
 * formatError, its message and code.
 */
export function requestFailure(domain: DomainError): GraphQLError {
  return new GraphQLError(domain.message, { originalError: domain, extensions: { http: { status: requestStatus[domain.category] } } });
}

/** An answer written outside GraphQL: its HTTP status and its body, shaped as GraphQL's. */
export interface ErrorAnswer {
  status: number;
  body: { errors: [GraphQLFormattedError] };
}

/**
 * The answer to a request that ends before GraphQL runs (its body refused, its deadline passed),
 * in the shape of a GraphQL answer, so that a client reads every error the same way: its
 * category's status, and one error with the message and the category's code (retryable when it is).
 */
export function errorAnswer(kind: ErrorCategory | RequestRefusal, message: string): ErrorAnswer {
  return { status: requestStatus[kind], body: { errors: [{ message, extensions: extensionsOf(kind) }] } };
}

/**
 * The answer to a request that a domain error ends outside GraphQL (a bulk upload): the
 * category's status, and the error as formatError words it inside GraphQL.
 */
export function domainErrorAnswer(domain: DomainError): ErrorAnswer {
  return { status: requestStatus[domain.category], body: { errors: [{ message: domain.message, extensions: domainExtensions(domain) }] } };
}

/** A domain error's extensions: its category's, and for a validation error the path of every problem. */
function domainExtensions(domain: DomainError): Record<string, unknown> {
  const extensions = extensionsOf(domain.category);
  if (domain instanceof ValidationError) extensions.problems = domain.problems.map((p) => ({ path: p.path, message: p.message }));
  return extensions;
}

/** What every error of a category (or refusal) says of itself: its code, and whether a resend may succeed. */
function extensionsOf(kind: ErrorCategory | RequestRefusal): Record<string, unknown> {
  if (kind === 'PAYLOAD_TOO_LARGE' || kind === 'UNSUPPORTED_MEDIA_TYPE' || kind === 'BAD_REQUEST') return { code: kind };
  return retryable[kind] ? { code: errorCodes[kind], retryable: true } : { code: errorCodes[kind] };
}

/** graphql-js's own words when a request's variables have more than 50 problems. */
const TOO_MANY_VARIABLE_ERRORS = 'Too many errors processing variables, error limit reached. Execution aborted.';

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

/**
 * The code of an error that GraphQL or Apollo raised about the request itself, whose message is
 * written for the client; undefined for anything else.
 */
function requestErrorCode(code: unknown, error: unknown): string | undefined {
  if (typeof code === 'string' && passThroughCodes.has(code)) return code;
  // graphql-js stops coercing variables after 50 problems with this error of its own, which names
  // no variable and so carries no code; the 50 before it were the client's, and so is this one.
  if (error instanceof GraphQLError && error.message === TOO_MANY_VARIABLE_ERRORS) return 'BAD_USER_INPUT';
  // Apollo refuses some malformed requests with a 4xx status but no code (a persisted query whose
  // hash is not its query's, an unknown persisted-query version); the code would default to
  // INTERNAL_SERVER_ERROR, and the client's mistake would read as the server's.
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return undefined;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : undefined;
}

function domainErrorOf(error: unknown): DomainError | undefined {
  // A resolver's error, or one thrown outside any resolver (by the context function), which has no path.
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  return original instanceof DomainError ? original : infrastructureError(original);
}

/**
 * Apollo's formatError: domain errors keep their message and gain their code (and, for
 * validation errors, the path of every problem); GraphQL's and Apollo's own errors about the
 * request pass; anything else is masked as INTERNAL_SERVER_ERROR, with no SQL, stack or internals.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const domain = domainErrorOf(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (domain) return { ...base, message: domain.message, extensions: domainExtensions(domain) };
  const code = requestErrorCode(formatted.extensions?.code, error);
  if (code) return { ...base, extensions: { code } };
  return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** The request's logger; pino's satisfies it. */
export interface RequestLogger {
  error(details: Record<string, unknown>, message: string): void;
}

/**
 * Every error a client sees carries the request's id, and every unexpected one is logged
 * with it, so that a report from a client finds its log line.
 */
export function requestIdPlugin(): ApolloServerPlugin<{ requestId: string; log: RequestLogger }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (domainErrorOf(error)) continue;
            if (requestErrorCode(error.extensions?.code, error)) continue;
            contextValue.log.error({ err: unwrapResolverError(error), path: error.path }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue }) {
          const requestId = contextValue?.requestId;
          if (!requestId) return;
          response.http.headers.set('x-request-id', requestId);
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
              ...e,
              extensions: { ...e.extensions, requestId },
            }));
          }
        },
      };
    },
  };
}
