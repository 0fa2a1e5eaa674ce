// The baseline for the live bench: a bare graphql-ws server (graphql-ws `useServer` on a `ws`
// server, no yoga, no auth, no database) whose mutation takes the same arguments as reportEvents
// and acknowledges every seq. Run as its own process (`node bench/support/echo-server.ts`), like
// `proctor up`, so its round trip is what the transport and GraphQL execution alone cost on
// this machine. Prints {"port": N} on stdout once listening; stops on SIGTERM.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { GraphQLBoolean, GraphQLID, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/** Shaped like reportEvents' input, so parsing and coercion cost the same as there. */
const EventInput = new GraphQLInputObjectType({
  name: 'EventInput',
  fields: {
    seq: { type: new GraphQLNonNull(GraphQLInt) },
    type: { type: new GraphQLNonNull(GraphQLString) },
    occurredAt: { type: new GraphQLNonNull(GraphQLString) },
    durationMs: { type: GraphQLInt },
  },
});

const EchoPayload = new GraphQLObjectType({
  name: 'EchoPayload',
  fields: { accepted: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLInt))) } },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean, resolve: () => true } } }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      echo: {
        type: new GraphQLNonNull(EchoPayload),
        args: {
          sessionId: { type: new GraphQLNonNull(GraphQLID) },
          events: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(EventInput))) },
        },
        resolve: (_root, args: { events: { seq: number }[] }) => ({ accepted: args.events.map((event) => event.seq) }),
      },
    },
  }),
});

async function main(): Promise<void> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const bridge = useServer({ schema }, wss);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  await once(process, 'SIGTERM');
  await bridge.dispose();
  server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
