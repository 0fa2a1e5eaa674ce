// The GraphQL HTTP endpoint: graphql-yoga over the Pothos schema, with the query limits, error
// mapping and operation metrics. Returns a fetch handler the Koa app mounts at /graphql.
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Credential } from '../server/auth/revocations.ts';
import type { Logger } from '../server/log.ts';
import type { Metrics } from '../server/metrics.ts';
import type { Services } from '../server/services/index.ts';
import { buildContext, socketContext, type Context } from './context.ts';
import { endOnRevocation } from './credential-watch.ts';
import { toGraphQLError } from './errors.ts';
import { schema } from './index.ts';
import { operationDeadline } from './operation-deadline.ts';
import { queryLimitPlugins, type QueryLimits } from './query-limits.ts';

export interface GraphQLOptions {
  services: Services;
  logger: Logger;
  metrics: Metrics;
  limits: QueryLimits;
  /** Longest a query or mutation may take before its caller gets DEADLINE_EXCEEDED. */
  operationTimeoutMs: number;
  graphiql: boolean;
}

/** Server context a transport hands to yoga: HTTP passes the request, WebSockets the credential they verified. */
export interface TransportContext {
  wsCredential?: Credential;
  /** The WebSocket connection's id, for media signaling. */
  wsPeer?: string;
}

export type GraphQLServer = YogaServerInstance<TransportContext, Context>;

export function createGraphQLServer(options: GraphQLOptions): GraphQLServer {
  const { services, logger, metrics } = options;
  const graphqlLogger = logger.child({ component: 'graphql' });
  return createYoga<TransportContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql,
    landingPage: false,
    logging: yogaLogger(graphqlLogger),
    context: (init) => (init.wsCredential ? socketContext(services, init.wsCredential, init.wsPeer ?? null) : buildContext(services, init.request.headers.get('authorization'))),
    maskedErrors: { maskError: (error) => toGraphQLError(error, logger) },
    plugins: [
      ...queryLimitPlugins(options.limits),
      operationMetrics(metrics),
      operationDeadline(options.operationTimeoutMs, graphqlLogger, (operation) => rootFieldOf(schema, operation)),
      endOnRevocation(),
    ],
  });
}

function operationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute: ({ args }) => {
      const started = performance.now();
      // envelop types graphql's objects as any (it supports several graphql versions).
      const definition = getOperationAST(args.document as DocumentNode, args.operationName as string | undefined);
      const operation = definition ? rootFieldOf(args.schema as GraphQLSchema, definition) : 'other';
      const type = definition?.operation ?? 'unknown';
      return {
        onExecuteDone: ({ result }) => {
          const errors: readonly GraphQLError[] = 'errors' in result ? ((result as ExecutionResult).errors ?? []) : [];
          for (const error of errors) metrics.graphqlErrors.inc({ code: typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN' });
          metrics.graphqlDuration.observe({ operation, type, outcome: errors.length ? 'error' : 'ok' }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/**
 * The operation's label in metrics: its root field ("me", "logIn"), one of a set the schema
 * bounds. Not the operationName: clients choose it freely, and every new name would be a new
 * time series. Several root fields, or a fragment at the root, count as "other".
 */
function rootFieldOf(schema: GraphQLSchema, operation: OperationDefinitionNode): string {
  const [only, ...more] = operation.selectionSet.selections;
  if (more.length > 0 || only?.kind !== Kind.FIELD) return 'other';
  const name = only.name.value;
  return name === '__typename' || name === '__schema' || name === '__type' || schema.getRootType(operation.operation)?.getFields()[name] ? name : 'other';
}

/** Yoga logs every error it returns; client errors are routine, and unexpected ones are logged by toGraphQLError. */
function yogaLogger(logger: Logger) {
  return {
    debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
    info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
    warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
    error: (...args: unknown[]) => logger.debug({ args }, 'yoga error'),
  };
}
