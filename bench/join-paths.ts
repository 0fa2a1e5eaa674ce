// `node bench/join-paths.ts [--joins N] [--json] [--budget S]` (root: it makes a network namespace)
//
// Join time — from a page's first createTransport to the first RTP bytes the SFU counts on its
// camera — by the path media takes, in one run against one in-process server (one worker,
// PROCTOR_ICE_TCP_PORT set, TURN through a real coturn with docs/deploy.md's configuration):
// - direct: UDP to the worker's port (the firewall lets it through);
// - ICE-TCP: all UDP dropped, TCP only to the ICE-TCP port;
// - TURN relay: only coturn's port reachable, and the server tells pages to use TURN only
//   (PROCTOR_ICE_TRANSPORT_POLICY=relay: a second server, the same everything else).
// The candidate is a headless Chromium in a network namespace whose firewall (nftables) is set
// per path (test/support/netns.ts); each join is a fresh LIVE interview and page, N per path
// (default 8). The pair ICE selected is read from the browser and reported, so a figure is
// never credited to the wrong path. Figures are measured, not asserted; progress on stderr;
// bounded (each wait has a deadline, the run a budget, default 5 minutes). Without network
// namespaces (not root) it says so and measures nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IceTransportPolicyName } from '../contract/media-signaling.ts';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { launchBrowser, type TestBrowser } from '../test/support/browser.ts';
import { startCoturn, type Coturn } from '../test/support/coturn.ts';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { serveMediaHarness, type MediaPage } from '../test/support/media-page.ts';
import { createTestNetwork, NetworkUnavailable, type PortRule, type TestNetwork } from '../test/support/netns.ts';
import { firstVideoBytes } from './support/first-rtp.ts';
import { summarizeLatencies, type LatencySummary } from './support/latency.ts';
import { CALL_TIMEOUT_MS, within } from './support/limits.ts';
import { machineFacts, machineLines, type MachineFacts } from './support/machine.ts';
import { freePort } from './support/proctor-process.ts';
import { progress, table } from './support/report.ts';
import { budgetMs, positiveInteger, runBench } from './support/run.ts';

const DEFAULT_JOINS = 8;
const DEFAULT_BUDGET_SECONDS = 300;
/** A page publishing camera + mic through a relay on a busy machine: seconds; this is the hang guard. */
const PAGE_CALL_TIMEOUT_MS = 45_000;

type PathName = 'direct (UDP)' | 'ICE-TCP' | 'TURN relay';

interface PathFigures {
  path: PathName;
  joins: number;
  firstRtp: LatencySummary;
  /** How ICE connected, as the browser reports it ("host udp → udp 40000"), with how many joins. */
  pairs: Record<string, number>;
}

interface Report {
  machine: MachineFacts;
  paths: PathFigures[];
  totalSeconds: number;
}

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: String(DEFAULT_JOINS) },
    json: { type: 'boolean', default: false },
    budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) },
  },
});
runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const [loadAverageAtStart] = loadavg();
  const joins = positiveInteger('--joins', values.joins);
  let network: TestNetwork;
  try {
    network = await createTestNetwork();
  } catch (error) {
    if (!(error instanceof NetworkUnavailable)) throw error;
    console.log(`Result: not measured: ${error.message}`);
    return;
  }
  const cleanups: (() => Promise<unknown>)[] = [() => network.close()];
  try {
    const coturn = await startCoturn(network.hostAddress);
    cleanups.push(() => coturn.close());
    const harness = await serveMediaHarness(network.hostAddress);
    cleanups.push(() => harness.close());
    const ports = async () => ({ rtc: await freePort(network.hostAddress), iceTcp: await freePort(network.hostAddress) });
    const [openPorts, relayPorts] = [await ports(), await ports()];
    const open = await startServer(network, coturn, openPorts.rtc, openPorts.iceTcp, undefined);
    cleanups.push(() => open.close());
    const relayOnly = await startServer(network, coturn, relayPorts.rtc, relayPorts.iceTcp, 'RELAY');
    cleanups.push(() => relayOnly.close());
    // Plain http on the link's address is not a secure context: allow the camera on these origins.
    const origins = [harness.url, open.url, relayOnly.url].map((url) => new URL(url).origin).join(',');
    const browser = await launchBrowser({ executablePath: network.chromium, args: [`--unsafely-treat-insecure-origin-as-secure=${origins}`] });
    cleanups.push(() => browser.close());

    const web = (server: Platform): PortRule[] => [harness.url, server.url].map((url) => ({ protocol: 'tcp', port: Number(new URL(url).port) }));
    const paths: PathFigures[] = [];
    const plans: { path: PathName; server: Platform; allow: PortRule[] }[] = [
      { path: 'direct (UDP)', server: open.platform, allow: [{ protocol: 'udp', port: openPorts.rtc }] },
      { path: 'ICE-TCP', server: open.platform, allow: [{ protocol: 'tcp', port: openPorts.iceTcp }] },
      {
        path: 'TURN relay',
        server: relayOnly.platform,
        allow: [
          { protocol: 'udp', port: coturn.port },
          { protocol: 'tcp', port: coturn.port },
        ],
      },
    ];
    for (const plan of plans) {
      await network.allowOnly([...web(plan.server), ...plan.allow]);
      paths.push(await measurePath(plan.path, plan.server, browser, harness, joins, signal));
    }
    const report: Report = { machine: machineFacts('embedded', loadAverageAtStart!), paths, totalSeconds: (performance.now() - started) / 1000 };
    console.log(values.json ? JSON.stringify(report, null, 2) : format(report));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => progress(`clean-up failed: ${(error as Error).message}`));
  }
}

interface BenchServer {
  platform: Platform;
  url: string;
  close(): Promise<void>;
}

async function startServer(network: TestNetwork, coturn: Coturn, rtcPort: number, iceTcpPort: number, policy: IceTransportPolicyName | undefined): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'proctor-bench-paths-'));
  const platform = await Platform.create(
    loadConfig(
      { PROCTOR_DATA_DIR: dataDir, PROCTOR_LOG_LEVEL: 'warn', PROCTOR_SFU_WORKERS: '1', PROCTOR_RECORDING: 'false' },
      {
        port: 0,
        host: network.hostAddress,
        rtcListenIp: network.hostAddress,
        rtcPort,
        iceTcpPort,
        turnUrls: coturn.urls,
        turnSecret: coturn.secret,
        iceTransportPolicy: policy,
      },
    ),
  );
  return {
    platform,
    url: platform.url,
    async close() {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function measurePath(path: PathName, platform: Platform, browser: TestBrowser, harness: MediaPage, count: number, signal: AbortSignal): Promise<PathFigures> {
  const { client: host } = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }));
  const firstRtp: number[] = [];
  const pairs: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    signal.throwIfAborted();
    const created = await host.ok('mutation { createInterview(input: { title: "Bench paths" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bench", email: "bench@example.com") { token } }', { id: interviewId });
    await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
    const page = await browser.context.newPage();
    try {
      await within(page.goto(harness.url), PAGE_CALL_TIMEOUT_MS, 'the harness page loading', signal);
      await within(
        page.waitForFunction(() => 'harness' in window),
        PAGE_CALL_TIMEOUT_MS,
        'the harness page starting',
        signal,
      );
      const timing = page.evaluate(([url, token]) => (window as any).harness.publishTimed(url, token), [platform.url, invited.inviteCandidate.token]) as Promise<{
        startedAt: number;
      }>;
      const arrivedAt = await within(firstVideoBytes(platform, interviewId), PAGE_CALL_TIMEOUT_MS, `${path}: the first RTP`, signal);
      const { startedAt } = await within(timing, PAGE_CALL_TIMEOUT_MS, `${path}: the page publishing`, signal);
      firstRtp.push(arrivedAt - startedAt);
      const pair = (await within(
        page.evaluate(() => (window as any).harness.selectedCandidatePair()),
        PAGE_CALL_TIMEOUT_MS,
        `${path}: the page's candidate pair`,
        signal,
      )) as { localType: string; localProtocol: string; remoteProtocol: string; remotePort: number } | undefined;
      const described = pair ? `${pair.localType} ${pair.localProtocol} → ${pair.remoteProtocol} ${pair.remotePort}` : 'not reported';
      pairs[described] = (pairs[described] ?? 0) + 1;
      progress(`${path} join ${i + 1}/${count}: first RTP after ${arrivedAt - startedAt} ms (${described})`);
    } finally {
      await page.close();
      await host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
    }
  }
  return { path, joins: count, firstRtp: summarizeLatencies(firstRtp), pairs };
}

function format(report: Report): string {
  const ms = (value: number) => value.toFixed(0);
  return [
    'Proctor join time by network path',
    ...machineLines(report.machine).filter((line) => !line.includes('postgres')),
    '',
    'createTransport → first RTP at the SFU; a headless Chromium in a network namespace, its firewall set per path; one worker',
    ...table(
      1,
      ['path', 'joins', 'p50 ms', 'p95 ms', 'max ms', 'selected pair (browser)'],
      report.paths.map((path) => [
        path.path,
        String(path.joins),
        ms(path.firstRtp.p50Ms),
        ms(path.firstRtp.p95Ms),
        ms(path.firstRtp.maxMs),
        Object.entries(path.pairs)
          .map(([pair, joins]) => `${pair} ×${joins}`)
          .join(', '),
      ]),
    ),
    '',
    `Total ${report.totalSeconds.toFixed(0)} s`,
  ].join('\n');
}
