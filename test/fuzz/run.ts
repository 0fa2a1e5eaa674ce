// `npm run fuzz [-- --seed N] [-- --cases N] [-- --budget 5m]`: fuzzes the GraphQL API of a
// platform started in this process (embedded database, or the PostgreSQL server in
// PROCTOR_TEST_DATABASE_URL) and prints what came back. Exits 1 when any case failed.
import { parseArgs } from 'node:util';
import { duration } from '../../server/config.ts';
import { startTestPlatform } from '../support/platform.ts';
import { FUZZ_PLATFORM, runCampaign } from './campaign.ts';
import { parseSeed } from './random.ts';

const HELP = `Usage: npm run fuzz -- [options]

Generates GraphQL operations from schema/schema.graphql (every Query, Mutation and Subscription
field, hostile arguments, generated selections) and sends them over HTTP and graphql-ws as an
anonymous caller, a candidate, an API token and a host of another org. A case fails on an
unexpected error code (INTERNAL_SERVER_ERROR, UNAVAILABLE, none), an HTTP 5xx, an answer slower
than --slow, or any of the victim org's data; /healthz and /readyz must answer between batches.

Options:
  --seed N        the pseudo-random seed (default: a fresh one, printed)
  --cases N       how many cases (default 2000)
  --budget TIME   stop after this long, e.g. 90s or 10m (default: no limit)
  --batch N       cases between health checks (default 40)
  --slow TIME     a case or event-loop stall longer than this fails (default 2s)
  --only N        replay case N of the seed only
  --help          this text

Runs on the embedded database unless PROCTOR_TEST_DATABASE_URL names a PostgreSQL server.
Needs MEDIASOUP_WORKER_BIN where mediasoup has no prebuilt worker.`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    cases: { type: 'string', default: '2000' },
    budget: { type: 'string' },
    batch: { type: 'string', default: '40' },
    slow: { type: 'string', default: '2s' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function count(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number, got ${raw}\n\n${HELP}`);
    process.exit(2);
  }
  return value;
}

let seed: number;
let budgetMs: number | undefined;
let slowMs: number;
try {
  seed = parseSeed(values.seed);
  budgetMs = values.budget === undefined ? undefined : duration(values.budget);
  slowMs = duration(values.slow);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}

console.error(`Fuzzing with seed ${seed} (replay: npm run fuzz -- --seed ${seed})…`);
const server = await startTestPlatform(FUZZ_PLATFORM);
let failed: boolean;
try {
  const { summary, rootFields } = await runCampaign(
    { url: server.url, services: server.platform.services },
    {
      seed,
      cases: count('cases', values.cases),
      budgetMs,
      batchSize: Math.max(1, count('batch', values.batch)),
      slowMs,
      only: values.only === undefined ? undefined : count('only', values.only),
      onBatch: (progress) => console.error(`  ${progress.cases} cases, ${progress.failures.length} failure(s)`),
    },
  );
  console.log(summary.format(rootFields));
  failed = summary.failures.length > 0;
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
