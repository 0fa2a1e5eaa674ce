// A fuzz campaign: batches of generated cases, each sent as a random principal over HTTP or
// graphql-ws and judged; between batches the principals are restored, /healthz and /readyz must
// answer and the event loop must not have stalled; at the end the victim org must be as it was.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Config } from '../../server/config.ts';
import type { Services } from '../../server/services/index.ts';
import { judge } from './oracle.ts';
import { loadSchema, OperationGenerator, type FuzzOperation } from './operations.ts';
import { Random } from './random.ts';
import { Summary } from './summary.ts';
import { overHttp, overWebSocket, requestText, Sockets, TRANSPORTS, type ListenerCount } from './transports.ts';
import { FuzzWorld, PRINCIPALS } from './world.ts';

/**
 * How the fuzzed platform differs from a default one. Fuzzed logIn cases fail by the hundred
 * from one address; with the default budget the attacker's host could not log in again after a
 * fuzzed logOut, and every later case would test the rate limiter only.
 */
export const FUZZ_PLATFORM: Partial<Config> = { loginAttempts: 10_000 };

export interface CampaignOptions {
  seed: number;
  /** Stop after this many cases… */
  cases: number;
  /** …or once this much time has passed, whichever comes first. */
  budgetMs?: number;
  /** Cases between two health checks. */
  batchSize?: number;
  /** A case (or an event-loop stall) longer than this is a failure. */
  slowMs?: number;
  /** Run this one case only (its index in the seed's sequence). */
  only?: number;
  onBatch?: (summary: Summary) => void;
}

/** Bearer tokens an anonymous caller makes up: none, garbage, or forged. */
const MADE_UP_TOKENS = [
  undefined,
  undefined,
  '',
  'not-a-token',
  `ptk_${'0'.repeat(40)}`,
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'x'.repeat(100_000),
  'Bearer Bearer',
  'Ünïcødé',
];

/** Live listeners of every channel a subscription can listen on. */
function listenerCount(services: Services): ListenerCount {
  return () => services.interviewEvents.totalListeners() + services.candidateMessages.totalListeners() + services.media.totalListeners();
}

export async function runCampaign(server: { url: string; services: Services }, options: CampaignOptions): Promise<{ summary: Summary; rootFields: number }> {
  const { seed, batchSize = 40, slowMs = 2_000 } = options;
  const summary = new Summary(seed);
  const world = await FuzzWorld.create(server.url);
  const generator = new OperationGenerator(loadSchema(), world.known);
  const listeners = listenerCount(server.services);
  const random = new Random(seed);
  const victimBefore = await world.victimState();
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs;
  const indexes = options.only === undefined ? Array.from({ length: options.cases }, (_, i) => i) : [options.only];
  try {
    for (let start = 0; start < indexes.length && Date.now() < deadline; start += batchSize) {
      await world.restore();
      const sockets = new Sockets(server.url);
      try {
        for (const index of indexes.slice(start, start + batchSize)) {
          if (Date.now() >= deadline) break;
          const caseRandom = random.fork(index);
          const transport = caseRandom.pick(TRANSPORTS);
          const principal = caseRandom.pick(PRINCIPALS);
          const operation = generator.generate(caseRandom, transport === 'http');
          const token = principal === 'anonymous' ? caseRandom.pick(MADE_UP_TOKENS) : world.tokenOf(principal);
          const started = performance.now();
          const outcome =
            transport === 'http' ? await overHttp(server.url, token, operation, listeners) : await overWebSocket(sockets.for(principal, token), operation, listeners);
          const ms = performance.now() - started;
          const problems = judge(outcome, requestText(operation, token), world.canaries);
          if (ms > slowMs) problems.push(`took ${Math.round(ms)} ms (limit ${slowMs} ms)`);
          summary.record({ index, transport, principal, field: operation.field, shape: operation.shape, codes: outcome.codes, ms });
          for (const problem of problems) summary.fail(index, `${transport} ${principal} ${operation.field}: ${problem}`, describe(operation, outcome.answer));
        }
      } finally {
        await sockets.close();
      }
      summary.batches++;
      await checkHealth(server.url, summary, start);
      const stalledMs = eventLoop.max / 1e6;
      summary.maxEventLoopDelayMs = Math.max(summary.maxEventLoopDelayMs, stalledMs);
      if (stalledMs > slowMs) summary.fail(start, `the event loop stalled ${Math.round(stalledMs)} ms during the batch from case ${start}`, '');
      eventLoop.reset();
      options.onBatch?.(summary);
    }
  } finally {
    eventLoop.disable();
  }
  const victimAfter = await world.victimState();
  if (victimAfter !== victimBefore) summary.fail(-1, 'the victim org changed', `before: ${victimBefore}\nafter:  ${victimAfter}`);
  return { summary, rootFields: generator.rootFieldCount };
}

/** /healthz and /readyz must answer 200 between batches. */
async function checkHealth(baseUrl: string, summary: Summary, batchStart: number): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    try {
      const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) summary.fail(batchStart, `${path} answered ${response.status} after the batch from case ${batchStart}`, await response.text());
    } catch (error) {
      summary.fail(batchStart, `${path} did not answer after the batch from case ${batchStart}`, String(error));
    }
  }
}

/** The case as sent and what came back, cut to a readable length. */
function describe(operation: FuzzOperation, answer: string): string {
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
  const variables = JSON.stringify(operation.variables, (_key, value: unknown) =>
    typeof value === 'string' ? cut(value, 80) : Array.isArray(value) && value.length > 5 ? [...value.slice(0, 5), `…${value.length} items`] : value,
  );
  const sent = operation.rawBody === undefined ? `${cut(operation.query, 600)}\nvariables: ${cut(variables, 600)}` : `body: ${cut(operation.rawBody, 600)}`;
  return `${sent}\nanswer: ${cut(answer, 600)}`;
}
