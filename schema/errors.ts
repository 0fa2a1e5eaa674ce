// The single mapping from domain errors to GraphQL errors: a code in `extensions.code`, the
// domain message as is. Anything unexpected is logged and masked.
import { GraphQLError } from 'graphql';
import { asUnavailable } from '../server/db/unavailable.ts';
import { DomainError } from '../server/errors.ts';
import type { Logger } from '../server/log.ts';

export function toGraphQLError(error: unknown, logger: Logger): GraphQLError {
  const thrown = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const unavailable = asUnavailable(thrown);
  if (unavailable) logger.warn({ err: thrown }, 'database unavailable: the client is told to retry');
  const original = unavailable ?? thrown;
  const location = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, { ...location, extensions: { code: original.code, ...original.details } });
  }
  // Errors graphql itself raised (syntax, validation, variable coercion) are the client's. Syntax
  // and validation errors carry their code already, and so do our scalars' refusals; a variable
  // that does not fit a built-in type (which graphql wraps around the scalar's own error) is bad
  // input and says so like every other refusal.
  if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
    const cause = error.originalError instanceof GraphQLError ? error.originalError : error;
    if (cause.extensions?.code) return cause;
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
    });
  }
  logger.error({ err: original }, 'unexpected error in a resolver');
  return new GraphQLError('Unexpected server error', { ...location, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
