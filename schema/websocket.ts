// GraphQL over WebSocket (graphql-ws protocol) on the HTTP server's port and /graphql path, run
// through yoga's own pipeline so validation rules, error masking and plugins apply as over HTTP.
// The token travels in connection_init ({ authorization: "Bearer …" }); a bad one closes the
// socket with 4401 (not authenticated) or 4403 (not allowed) and the reason, and so does one
// revoked or expired later (socket-credential.ts); an org already at its connection cap gets 4429.
// Operations run with the connection's client address (login and sign-up limits), by the same rule
// as HTTP requests: X-Forwarded-For of the upgrade request only behind trusted proxies.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, Kind, getOperationAST, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode, type ExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Credential } from '../server/auth/revocations.ts';
import type { Logger } from '../server/log.ts';
import { clientAddress, forwardedOrigin } from '../server/http/client-address.ts';
import { OrgConnectionLimit } from '../server/org-connection-limit.ts';
import { requestContext, type RequestContext } from '../server/request-context.ts';
import { toGraphQLError } from './errors.ts';
import { closeCode, SocketCredential } from './socket-credential.ts';
import type { GraphQLServer } from './yoga.ts';
import type { Services } from '../server/services/index.ts';

const KEEP_ALIVE_MS = 12_000;

/** What graphql-ws keeps per connection (a type alias: graphql-ws wants a Record). */
type Connection = {
  credential: SocketCredential;
  /** This connection's media peer id: its SFU transports close with it. */
  peer: string;
  /** Subscription id → its root field: one subscription of each kind per connection. */
  subscriptions: Map<string, string>;
  /** Gives the connection's place under its org's cap back. */
  releaseOrgSlot: () => void;
};

export interface WebSocketBridge {
  /** Closes every socket (1001) and waits until each one's clean-up has run. */
  close(): Promise<void>;
}

export function attachWebSockets(
  server: Server,
  graphql: GraphQLServer,
  options: {
    services: Services;
    logger: Logger;
    maxPayloadBytes: number;
    maxSocketsPerOrg: number;
    /** Reverse proxies whose X-Forwarded-* are believed, as for HTTP requests. */
    trustProxyHops: number;
    /** Longest a socket's credential goes without being verified against the database again. */
    recheckIntervalMs: number;
  },
): WebSocketBridge {
  const { services, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  /** Each operation's yoga pipeline and request context, by its context value. */
  const operations = new WeakMap<object, { pipeline: ReturnType<GraphQLServer['getEnveloped']>; request: RequestContext }>();
  const run = <T>(args: ExecutionArgs, step: (pipeline: ReturnType<GraphQLServer['getEnveloped']>) => T): T => {
    const { pipeline, request } = operations.get(args.contextValue as object)!;
    return requestContext.run(request, () => step(pipeline));
  };
  const orgSockets = new OrgConnectionLimit(options.maxSocketsPerOrg);
  let open = 0;
  let lastClosed: (() => void) | undefined;

  const bridge = useServer<{ authorization?: unknown }, Partial<Connection>>(
    {
      execute: (args) => run(args, (pipeline) => pipeline.execute(args) as Promise<ExecutionResult>),
      subscribe: (args) => run(args, (pipeline) => pipeline.subscribe(args) as Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>),
      onConnect: async (ctx) => {
        try {
          const credential = await SocketCredential.open(services, ctx.connectionParams?.authorization, ctx.extra.socket, options.recheckIntervalMs);
          const { actor } = credential.current;
          try {
            ctx.extra.releaseOrgSlot = orgSockets.acquire(actor.orgId);
          } catch (error) {
            credential.close();
            throw error;
          }
          ctx.extra.credential = credential;
          ctx.extra.peer = randomUUID();
          ctx.extra.subscriptions = new Map();
          if (actor.kind === 'candidate') services.monitoring.connected(actor);
          return { actor: actor.kind };
        } catch (error) {
          // Our own close code: graphql-ws's plain `false` would close with 4403, which clients retry.
          // A database outage while checking the token is mapped like any operation's error
          // (UNAVAILABLE), so the client is told to come back rather than that its token is bad.
          const refusal = toGraphQLError(error, logger);
          ctx.extra.socket.close(closeCode(refusal), refusal.message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const { credential, peer, subscriptions } = ctx.extra as Connection;
        let verified: Credential;
        try {
          verified = await credential.recheck();
        } catch (error) {
          return [toGraphQLError(error, logger)];
        }
        // `req`, not `request`: yoga would take the upgrade GET for an HTTP GET and refuse mutations.
        const pipeline = graphql.getEnveloped({ wsCredential: verified, wsPeer: peer, params: payload, req: ctx.extra.request });
        // envelop types graphql's objects as any (it supports several graphql versions).
        const schema = pipeline.schema as GraphQLSchema;
        let document: DocumentNode;
        try {
          document = pipeline.parse(payload.query) as DocumentNode;
        } catch (error) {
          // Over HTTP yoga gives a syntax error this code; the same document gets the same answer here.
          return [clientError(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = pipeline.validate(schema, document) as readonly GraphQLError[];
        if (errors.length) return errors.map((error) => clientError(error));
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation === 'subscription') {
          // Checked and reserved before any await, so two racing subscribes cannot both pass.
          const field = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD)?.name.value ?? 'unknown';
          for (const [otherId, otherField] of subscriptions) {
            if (otherField === field && otherId !== id && otherId in ctx.subscriptions) {
              return [new GraphQLError(`Only one ${field} subscription per connection`, { extensions: { code: 'RATE_LIMITED' } })];
            }
          }
          subscriptions.set(id, field);
        }
        try {
          const contextValue = (await pipeline.contextFactory()) as object;
          operations.set(contextValue, {
            pipeline,
            request: {
              requestId: randomUUID(),
              clientAddress: clientAddress(ctx.extra.request, options.trustProxyHops),
              origin: forwardedOrigin(ctx.extra.request, options.trustProxyHops),
            },
          });
          return {
            schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue,
          };
        } catch (error) {
          subscriptions.delete(id);
          return [toGraphQLError(error, logger)];
        }
      },
      onComplete: (ctx, id) => {
        ctx.extra.subscriptions?.delete(id);
      },
      // Runs for every socket, after its subscriptions are cleaned up.
      onClose: async (ctx) => {
        const { credential, peer } = ctx.extra;
        credential?.close();
        const actor = credential?.current.actor;
        try {
          if (peer) await services.media.peerLeft(peer);
          if (actor?.kind === 'candidate') await services.monitoring.disconnected(actor);
        } catch (error) {
          logger.error({ err: error }, 'candidate disconnect handling failed');
        } finally {
          ctx.extra.releaseOrgSlot?.();
          if (--open === 0) lastClosed?.();
        }
      },
    },
    wss,
    KEEP_ALIVE_MS,
  );

  // Counted here (not in onConnect) so sockets that never send connection_init are waited for too;
  // the TCP connection itself is already in proctor_open_sockets.
  wss.on('connection', () => open++);
  // ws reports a client breaking the protocol (a message over maxPayload, a bad frame) as an
  // 'error' on the socket, which it closes itself (1009, 1002, …). graphql-ws's listener, added
  // just before this one, would print each to stderr as an internal error with its stack, for any
  // client that cares to send such frames. This one logs it as what it is.
  wss.on('connection', (socket: WebSocket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) {
        logger.info({ code: error.code, reason: error.message }, 'websocket closed: the client broke the protocol');
        return;
      }
      logger.error({ err: error }, 'websocket error');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  return {
    async close() {
      await bridge.dispose();
      if (open > 0) await new Promise<void>((resolve) => (lastClosed = resolve));
    },
  };
}

/**
 * Yoga marks parse/validation errors with an HTTP status its HTTP layer strips; do the same here,
 * and give the error `code` unless it has one (a query limit's BAD_USER_INPUT).
 */
function clientError(error: GraphQLError, code?: string): GraphQLError {
  const { http: _http, ...extensions } = error.extensions ?? {};
  if (code && !extensions.code) extensions.code = code;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}
