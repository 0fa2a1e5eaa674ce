// The GraphQL HTTP endpoint: graphql-yoga over the Pothos schema, with the depth limit, error
// mapping and operation metrics. Returns a fetch handler the Koa app mounts at /graphql.
import type { DefinitionNode } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Credential } from '../server/auth/revocations.ts';
import type { Logger } from '../server/log.ts';
import type { Metrics } from '../server/metrics.ts';
import type { Services } from '../server/services/index.ts';
import { buildContext, socketContext, type Context } from './context.ts';
import { endOnRevocation } from './credential-watch.ts';
import { depthLimit } from './depth-limit.ts';
import { toGraphQLError } from './errors.ts';
import { schema } from './index.ts';

export interface GraphQLOptions {
  services: Services;
  logger: Logger;
  metrics: Metrics;
  maxDepth: number;
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
  return createYoga<TransportContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql,
    landingPage: false,
    logging: yogaLogger(logger.child({ component: 'graphql' })),
    context: (init) =>
      init.wsCredential ? socketContext(services, init.wsCredential, init.wsPeer ?? null) : buildContext(services, init.request.headers.get('authorization')),
    maskedErrors: { maskError: (error) => toGraphQLError(error, logger) },
    plugins: [depthLimitPlugin(options.maxDepth), operationMetrics(metrics), endOnRevocation()],
  });
}

function depthLimitPlugin(maxDepth: number): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(depthLimit(maxDepth));
    },
  };
}

function operationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute: ({ args }) => {
      const started = performance.now();
      const operation = args.operationName ?? 'anonymous';
      const definition = args.document.definitions.find((d: DefinitionNode) => d.kind === 'OperationDefinition');
      const type = definition && 'operation' in definition ? String(definition.operation) : 'unknown';
      return {
        onExecuteDone: ({ result }) => {
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          for (const error of errors) metrics.graphqlErrors.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
          metrics.graphqlDuration.observe({ operation, type, outcome: errors.length ? 'error' : 'ok' }, (performance.now() - started) / 1000);
        },
      };
    },
  };
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
