/**
 * The one place GraphQL errors are made. Every error a client sees carries a stable
 * `extensions.code`; messages are written for people and never contain SQL or stacks.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

function make(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'You must be signed in to do this.'): GraphQLError =>
  make(ErrorCode.UNAUTHENTICATED, message);
/**
 * A subgraph refusing the gateway's assertion (missing, forged or too old): the gateway
 * may ask again with a fresh one. `extensions.assertion` tells it from a viewer who must sign in.
 */
export const assertionRefused = (message: string): GraphQLError => make(ErrorCode.UNAUTHENTICATED, message, { assertion: 'refused' });
export const forbidden = (message = 'You are not allowed to do this.'): GraphQLError =>
  make(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id?: string): GraphQLError =>
  make(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
export const badInput = (message: string, field?: string): GraphQLError =>
  make(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const conflict = (message: string): GraphQLError => make(ErrorCode.CONFLICT, message);
export const rateLimited = (retryAfterSeconds: number): GraphQLError =>
  make(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${retryAfterSeconds}s.`, { retryAfter: retryAfterSeconds });
/**
 * graphql-js's syntax and validation errors, with the codes Apollo Server gives them over
 * HTTP, for the WebSocket path (which has no Apollo Server). Locations are kept.
 */
export const parseFailed = (cause: GraphQLError): GraphQLError => withLocations(cause, ErrorCode.GRAPHQL_PARSE_FAILED);
export const validationFailed = (cause: GraphQLError): GraphQLError => withLocations(cause, ErrorCode.GRAPHQL_VALIDATION_FAILED);
/** Something on our side failed in a way the client should know about (a live subscription that has to end). */
export const internalError = (message = 'Internal server error.'): GraphQLError => make(ErrorCode.INTERNAL_SERVER_ERROR, message);

function withLocations(cause: GraphQLError, code: ErrorCode): GraphQLError {
  return new GraphQLError(cause.message, {
    ...(cause.nodes ? { nodes: cause.nodes } : {}),
    ...(cause.source ? { source: cause.source } : {}),
    ...(cause.positions ? { positions: cause.positions } : {}),
    extensions: { code },
  });
}

/** True when `e` is already a client-facing error with a code. */
export function hasCode(e: unknown): e is GraphQLError {
  return e instanceof GraphQLError && typeof e.extensions['code'] === 'string';
}
