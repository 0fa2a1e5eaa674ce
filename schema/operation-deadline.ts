// A deadline on every query and mutation, over HTTP and WebSockets alike. Database calls have their
// own, shorter bounds (statement_timeout, the embedded database's wait); this one catches anything
// else an operation could wait on, so no caller waits for ever. Subscriptions are exempt: their
// streams are meant to stay open, and their set-up is bounded by the database's own timeouts.
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../server/log.ts';

export const DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED';

export function operationDeadline(timeoutMs: number, logger: Logger, label: (operation: OperationDefinitionNode) => string): Plugin {
  return {
    onExecute: ({ args, executeFn, setExecuteFn }) => {
      // envelop types graphql's objects as any (it supports several graphql versions).
      const operation = getOperationAST(args.document as DocumentNode, args.operationName as string | undefined);
      if (!operation || operation.operation === 'subscription') return;
      setExecuteFn(async (executeArgs) => {
        // Aborting stops graphql from starting resolvers it has not reached yet (the later fields
        // of a mutation among them); the ones already running finish on their own.
        const abort = new AbortController();
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<ExecutionResult>((resolve) => {
          timer = setTimeout(() => {
            abort.abort(new Error('the operation deadline passed'));
            logger.warn(
              { operation: label(operation), type: operation.operation, timeoutMs, elapsedMs: Math.round(performance.now() - started) },
              'operation deadline passed: the caller is answered with DEADLINE_EXCEEDED',
            );
            resolve({ errors: [deadlineError(operation.operation === 'mutation', timeoutMs)] });
          }, timeoutMs);
        });
        try {
          // yoga's executor (graphql-tools) takes the signal as `signal`; keep the request's own.
          const given = (executeArgs as { signal?: AbortSignal }).signal;
          const signal = given ? AbortSignal.any([given, abort.signal]) : abort.signal;
          return await Promise.race([executeFn({ ...executeArgs, signal } as typeof executeArgs) as Promise<ExecutionResult>, deadline]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
}

/**
 * A query past its deadline changed nothing, so it may simply be sent again. A mutation's work
 * cannot be recalled once started and may still commit: repeating it blindly could do it twice,
 * so the caller is told the outcome is unknown rather than invited to retry.
 */
function deadlineError(mutation: boolean, timeoutMs: number): GraphQLError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return mutation
    ? new GraphQLError(`The server gave up waiting for this mutation after ${seconds} s; it may still complete: check its effect before sending it again`, {
        extensions: { code: DEADLINE_EXCEEDED, retriable: false, outcome: 'UNKNOWN' },
      })
    : new GraphQLError(`The server gave up waiting for this query after ${seconds} s; try again`, {
        extensions: { code: DEADLINE_EXCEEDED, retriable: true, retryAfterSeconds: 1 },
      });
}
