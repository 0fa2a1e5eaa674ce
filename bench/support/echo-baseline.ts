// Runs the bare graphql-ws echo server (echo-server.ts) in a child process and offers it the
// live bench's candidate load shape: one socket per candidate, one batch per 500 ms each. Its
// round trip is the floor under reportEvents' ack and the alert path (both cross the same
// transport and GraphQL execution, plus the server's own work).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './cpu.ts';
import { GraphQLWsSocket } from './graphql-ws-client.ts';
import { summarizeLatencies, type LatencySummary } from './latency.ts';
import { Limit } from './limits.ts';
import { BATCH_PERIOD_MS } from './live-load.ts';
import { ownChild } from './run.ts';
import { roundRobin } from './schedule.ts';

const ECHO_SERVER = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
const START_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 5_000;
const ECHO = 'mutation($sessionId: ID!, $events: [EventInput!]!) { echo(sessionId: $sessionId, events: $events) { accepted } }';

export interface EchoBaseline {
  sockets: number;
  requestsPerSecond: number;
  roundTrip: LatencySummary;
  errors: number;
  serverCpuPercent: number;
}

/** `sockets` clients, one echo every 500 ms each, warm-up first, then `durationMs` measured. */
export async function measureEcho(sockets: number, warmUpMs: number, durationMs: number): Promise<EchoBaseline> {
  const child = ownChild(spawn(process.execPath, [ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const clients: GraphQLWsSocket[] = [];
  try {
    const port = await portOf(child);
    const opened = await Promise.allSettled(Array.from({ length: sockets }, () => GraphQLWsSocket.open(`ws://127.0.0.1:${port}/graphql`, 'none')));
    for (const socket of opened) if (socket.status === 'fulfilled') clients.push(socket.value);
    const failed = opened.find((socket) => socket.status === 'rejected');
    if (failed) throw failed.reason;
    await offer(clients, warmUpMs);
    const cpuBefore = await processCpuSeconds(child.pid!);
    const started = performance.now();
    const measured = await offer(clients, durationMs);
    const seconds = (performance.now() - started) / 1000;
    const serverCpuPercent = (100 * ((await processCpuSeconds(child.pid!)) - cpuBefore)) / seconds;
    return {
      sockets,
      requestsPerSecond: measured.roundTrips.length / seconds,
      roundTrip: summarizeLatencies(measured.roundTrips),
      errors: measured.errors,
      serverCpuPercent,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    child.kill('SIGTERM');
  }
}

/** Open loop like the candidates; a request unanswered at the end counts as Infinity. */
async function offer(clients: GraphQLWsSocket[], durationMs: number): Promise<{ roundTrips: number[]; errors: number }> {
  const roundTrips: number[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  const seqs = clients.map(() => 0);
  await roundRobin(clients.length, BATCH_PERIOD_MS, durationMs, (i) => {
    const events = [{ seq: seqs[i]!++, type: 'TAB_SWITCH', occurredAt: new Date().toISOString(), durationMs: 100 }];
    const sentAt = performance.now();
    const request = clients[i]!.request(ECHO, { sessionId: `session-${i}`, events }).then(
      ({ receivedAt }) => void roundTrips.push(receivedAt - sentAt),
      () => void errors++,
    );
    pending.add(request);
    void request.finally(() => pending.delete(request));
  });
  const drained = Promise.all(pending).then(() => true);
  const timedOut = new Promise<false>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS, false).unref());
  if (!(await Promise.race([drained, timedOut]))) for (let i = 0; i < pending.size; i++) roundTrips.push(Infinity);
  return { roundTrips, errors };
}

async function portOf(child: ChildProcess): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [undefined])])) as [string | undefined];
    if (line === undefined) throw new Limit('server error', `the echo server did not listen within ${START_TIMEOUT_MS / 1000} s`);
    return (JSON.parse(line) as { port: number }).port;
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}
