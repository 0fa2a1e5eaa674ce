// `node bench/graphql-limits.ts [levels…]`: the CPU time one hostile GraphQL document costs the
// server, over HTTP, on an in-process platform (the least of three runs, each with its own query
// text so no cache answers it). Measured, not asserted: test/graphql-limits.test.ts asserts the
// budget. Nested-fragment levels default to 16 18 20 22; on a server without the limits each
// two more levels cost about four times as much.
import { HOSTILE, nestedFragments } from '../test/support/hostile-queries.ts';
import { startTestPlatform } from '../test/support/platform.ts';

const RUNS = 3;
const levels = process.argv.slice(2).map(Number).filter(Number.isInteger);
const server = await startTestPlatform();
try {
  const cpuMs = async (query: string): Promise<{ ms: number; answer: string }> => {
    let least = Infinity;
    let answer = '';
    for (let run = 0; run < RUNS; run++) {
      const before = process.cpuUsage();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `${query}\n# run ${run} ${Math.random()}` }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string; limit?: string } }[] };
      const spent = process.cpuUsage(before);
      least = Math.min(least, (spent.user + spent.system) / 1000);
      const first = body.errors?.[0]?.extensions;
      answer = first ? `${first.code}${first.limit ? ` (${first.limit})` : ''}` : 'answered';
    }
    return { ms: least, answer };
  };
  const cases: [string, string][] = [
    ['{ __typename }', '{ __typename }'],
    ...(levels.length ? levels : [16, 18, 20, 22]).map((n): [string, string] => [`${n} nested fragments`, nestedFragments(n)]),
    ...Object.entries(HOSTILE).map(([name, { query }]): [string, string] => [name, query]),
  ];
  for (const [name, query] of cases) {
    const { ms, answer } = await cpuMs(query);
    console.log(`${name.padEnd(24)} ${`${(query.length / 1024).toFixed(1)} KB`.padStart(9)} ${ms.toFixed(1).padStart(8)} ms CPU  ${answer}`);
  }
} finally {
  await server.stop();
}
