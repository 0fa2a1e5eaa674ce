// `node bench/sfu.ts [--joins N] [--rooms 2,4,8,…] [--step-seconds S] [--json] [--budget S]`
//
// The SFU on this machine, in about two minutes:
// 1. Join time: a headless Chromium page (client/src/media over our GraphQL signaling, against
//    an in-process server with one worker) publishes camera + mic N times (default 15), each in
//    a fresh LIVE interview; measured from the first createTransport to the first RTP bytes the
//    SFU counts on the video producer (stats polled every 5 ms). Baseline from the same pages:
//    one GraphQL round trip on the same graphql-ws connection.
// 2. Capacity: one mediasoup worker (= one core), N rooms each with one candidate stream —
//    VP8 ~500 kbps + opus generated with ffmpeg, its RTP captured once and replayed from this
//    process into PlainTransports (bench/support/rtp-replay.ts; hundreds of ffmpeg processes
//    would measure ffmpeg) — and one consumer per track forwarding to a UDP sink. Ramped until
//    loss (sequence gaps at the SFU + packets not forwarded) passes 1 % or the worker passes
//    90 % of its core; prints worker CPU % per stream and the largest N per core. Anchor:
//    mediasoup's guidance of ~500 consumers per worker. Plain RTP has no SRTP: browsers'
//    WebRTC transports cost more per stream.
// Figures are measured, not asserted. Progress goes to stderr. Bounded: every wait on a page or
// the server has a deadline, the run a budget (default 10 minutes).
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Room } from '../sfu/room.ts';
import type { PlainConsumer, PlainInput } from '../sfu/types.ts';
import { WorkerPool } from '../sfu/worker-pool.ts';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test/support/browser.ts';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { serveMediaHarness } from '../test/support/media-page.ts';
import { processCpuSeconds } from './support/cpu.ts';
import { firstVideoBytes } from './support/first-rtp.ts';
import { captureRtp, RtpReplayer, type Capture } from './support/rtp-replay.ts';
import { summarizeLatencies, type LatencySummary } from './support/latency.ts';
import { CALL_TIMEOUT_MS, within } from './support/limits.ts';
import { machineFacts, machineLines, type MachineFacts } from './support/machine.ts';
import { progress, table } from './support/report.ts';
import { budgetMs, positiveInteger, runBench } from './support/run.ts';

const run = promisify(execFile);
const DEFAULT_JOINS = 15;
/** Browser streams measured together (each one page encoding, one decoding, on 2 shared cores). */
const WEBRTC_CANDIDATES = 3;
const WEBRTC_SECONDS = 6;
const DEFAULT_ROOMS = [25, 50, 100, 200, 300, 400];
/** Below this share of the offered bitrate arriving, the replayer (not the SFU) is the limit. */
const GENERATOR_SHARE = 0.9;
/** Seconds of RTP captured from ffmpeg and replayed in a loop. */
const CAPTURE_SECONDS = 4;
const DEFAULT_STEP_SECONDS = 6;
/** Each step first lets new streams settle (first key frame through), then measures. */
const SETTLE_MS = 2_500;
const LOSS_LIMIT_PCT = 1;
/** A worker past this much of its core is saturated, whatever the loss says yet. */
const CPU_LIMIT_PCT = 90;
const MEDIASOUP_CONSUMERS_PER_WORKER = 500;
const VIDEO = { payloadType: 101, bitrate: '500k' };
const DEFAULT_BUDGET_SECONDS = 600;
/** A page publishing camera + mic (transports, ICE, DTLS) on loopback: seconds even on a busy machine. */
const PAGE_CALL_TIMEOUT_MS = 30_000;
/** Encoding a few seconds of VP8 with ffmpeg. */
const FFMPEG_TIMEOUT_MS = 60_000;
const AUDIO = { payloadType: 100 };

interface JoinFigures {
  joins: number;
  firstRtp: LatencySummary;
  signalingRtt: LatencySummary;
  /** Real browser streams (SRTP, ICE, congestion control) for comparison with plain RTP. */
  webrtc: WebRtcFigures;
}

interface WebRtcFigures {
  candidates: number;
  consumers: number;
  workerCpuPct: number;
  cpuPctPerStream: number;
  inKbps: number;
}

interface CapacityStep {
  rooms: number;
  streams: number;
  consumers: number;
  workerCpuPct: number;
  cpuPctPerStream: number;
  inKbps: number;
  offeredKbps: number;
  /** The replayer could not send what was offered: the step says nothing about the SFU. */
  generatorLimited: boolean;
  lossPct: number;
  /** The bench process (replayer + sink), for context: it shares the machine. */
  benchCpuPct: number;
  passed: boolean;
}

interface Report {
  machine: MachineFacts;
  join: JoinFigures;
  capacity: { steps: CapacityStep[]; largestRoomsPerCore: number; basis: string; consumersAtLimit: number };
  anchor: string;
  totalSeconds: number;
}

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: String(DEFAULT_JOINS) },
    rooms: { type: 'string', default: DEFAULT_ROOMS.join(',') },
    'step-seconds': { type: 'string', default: String(DEFAULT_STEP_SECONDS) },
    json: { type: 'boolean', default: false },
    budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) },
  },
});
runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const [loadAverageAtStart] = loadavg();
  const joins = positiveInteger('--joins', values.joins);
  const ramp = values.rooms.split(',').map((n) => positiveInteger('--rooms', n.trim()));
  const stepSeconds = positiveInteger('--step-seconds', values['step-seconds']);

  const join = await measureJoins(joins, signal);
  const capacity = await measureCapacity(ramp, stepSeconds, signal);
  const report: Report = {
    machine: machineFacts('embedded (join-time part only)', loadAverageAtStart!),
    join,
    capacity,
    anchor: `mediasoup's guidance: ~${MEDIASOUP_CONSUMERS_PER_WORKER} consumers per worker (one core)`,
    totalSeconds: (performance.now() - started) / 1000,
  };
  console.log(values.json ? JSON.stringify(report, null, 2) : format(report));
}

/** Part 1: browser joins against a real server, timed from createTransport to the first RTP. */
async function measureJoins(count: number, signal: AbortSignal): Promise<JoinFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'proctor-bench-sfu-'));
  const platform = await Platform.create(
    loadConfig({ PROCTOR_DATA_DIR: dataDir, PROCTOR_LOG_LEVEL: 'warn', PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0', PROCTOR_RECORDING: 'false' }, { port: 0 }),
  );
  const [harness, browser] = await Promise.all([serveMediaHarness(), launchBrowser()]);
  const firstRtp: number[] = [];
  const signalingRtt: number[] = [];
  let webrtc: WebRtcFigures;
  try {
    const { client: host } = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }));
    for (let i = 0; i < count; i++) {
      signal.throwIfAborted();
      const created = await host.ok('mutation { createInterview(input: { title: "Bench" }) { interview { id } } }');
      const interviewId: string = created.createInterview.interview.id;
      const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bench", email: "bench@example.com") { token } }', { id: interviewId });
      await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
      const page = await browser.context.newPage();
      await page.goto(harness.url);
      await page.waitForFunction(() => 'harness' in window);
      const timing = page.evaluate(([url, token]) => (window as any).harness.publishTimed(url, token), [platform.url, invited.inviteCandidate.token]) as Promise<{
        startedAt: number;
        signalingRttMs: number;
      }>;
      const arrivedAt = await firstVideoBytes(platform, interviewId);
      const { startedAt, signalingRttMs } = await within(timing, PAGE_CALL_TIMEOUT_MS, 'the page publishing', signal);
      firstRtp.push(arrivedAt - startedAt);
      signalingRtt.push(signalingRttMs);
      progress(`join ${i + 1}/${count}: first RTP after ${arrivedAt - startedAt} ms`);
      await page.close();
      await host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
    }
    webrtc = await measureWebRtcStreams(platform, host, browser, harness.url, signal);
  } finally {
    await browser.close();
    await harness.close();
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return { joins: count, firstRtp: summarizeLatencies(firstRtp), signalingRtt: summarizeLatencies(signalingRtt), webrtc };
}

/**
 * A few real browser streams at once — candidate pages publishing, a host page consuming each —
 * to price a WebRTC stream (SRTP both ways) on the worker. Few, because every page encodes or
 * decodes video on the same 2 cores.
 */
async function measureWebRtcStreams(platform: Platform, host: GraphQLClient, browser: TestBrowser, harnessUrl: string, signal: AbortSignal): Promise<WebRtcFigures> {
  const pages: Page[] = [];
  const interviews: string[] = [];
  try {
    for (let i = 0; i < WEBRTC_CANDIDATES; i++) {
      const created = await host.ok('mutation { createInterview(input: { title: "Bench streams" }) { interview { id } } }');
      const interviewId: string = created.createInterview.interview.id;
      const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bench", email: "bench@example.com") { token } }', { id: interviewId });
      await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
      interviews.push(interviewId);
      const [candidate, watcher] = [await browser.context.newPage(), await browser.context.newPage()];
      pages.push(candidate, watcher);
      for (const page of [candidate, watcher]) {
        await page.goto(harnessUrl);
        await page.waitForFunction(() => 'harness' in window);
      }
      await within(
        candidate.evaluate(([url, token]) => (window as any).harness.publish(url, token), [platform.url, invited.inviteCandidate.token]),
        PAGE_CALL_TIMEOUT_MS,
        'a candidate page publishing',
        signal,
      );
      await within(
        watcher.evaluate(([url, token, id]) => (window as any).harness.watch(url, token, id), [platform.url, host.token!, interviewId]),
        PAGE_CALL_TIMEOUT_MS,
        'a host page watching',
        signal,
      );
    }
    progress(`webrtc: ${WEBRTC_CANDIDATES} candidate pages publishing, each watched by a host page; measuring ${WEBRTC_SECONDS} s`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [pid] = platform.services.media.workerPids();
    const bytes = async () => {
      let total = 0;
      for (const id of interviews) for (const { stats } of await platform.services.media.producerStats(id)) total += stats.reduce((sum, stat) => sum + stat.byteCount, 0);
      return total;
    };
    const before = { cpu: await processCpuSeconds(pid!), bytes: await bytes(), at: performance.now() };
    await new Promise((resolve) => setTimeout(resolve, WEBRTC_SECONDS * 1000));
    const after = { cpu: await processCpuSeconds(pid!), bytes: await bytes(), at: performance.now() };
    const seconds = (after.at - before.at) / 1000;
    const workerCpuPct = (100 * (after.cpu - before.cpu)) / seconds;
    return {
      candidates: WEBRTC_CANDIDATES,
      consumers: WEBRTC_CANDIDATES * 2,
      workerCpuPct,
      cpuPctPerStream: workerCpuPct / WEBRTC_CANDIDATES,
      inKbps: ((after.bytes - before.bytes) * 8) / 1000 / seconds,
    };
  } finally {
    for (const page of pages) await page.close();
    for (const id of interviews) await host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id });
  }
}

/** One room of the capacity test: two plain producers fed by the replayer, one consumer each. */
interface BenchRoom {
  producers: PlainInput[];
  consumers: PlainConsumer[];
}

/** Part 2: rooms on one worker, ramped. */
async function measureCapacity(ramp: number[], stepSeconds: number, signal: AbortSignal): Promise<Report['capacity']> {
  const dir = await mkdtemp(join(tmpdir(), 'proctor-bench-sfu-media-'));
  const media = join(dir, 'stream.webm');
  progress(`capacity: encoding VP8 ${VIDEO.bitrate}bps + opus with ffmpeg, then capturing ${CAPTURE_SECONDS} s of its RTP (once)`);
  await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(CAPTURE_SECONDS + 1),
      '-c:v',
      'libvpx',
      '-b:v',
      VIDEO.bitrate,
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '50',
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-ac',
      '2',
      '-y',
      media,
    ],
    { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' },
  );
  const capture = await captureRtp(media, CAPTURE_SECONDS, { video: VIDEO.payloadType, audio: AUDIO.payloadType });
  const roomKbps = ([capture.video, capture.audio].flatMap((stream) => stream.packets).reduce((sum, packet) => sum + packet.payload.length, 0) * 8) / capture.loopMs;
  const pool = await WorkerPool.create({ size: 1, listenIp: '127.0.0.1', announcedAddress: undefined, rtcPort: 0 });
  const worker = pool.workers()[0]!.index;
  const sink = await discardSink();
  const replayer = await RtpReplayer.create(capture.loopMs);
  const rooms: BenchRoom[] = [];
  const steps: CapacityStep[] = [];
  try {
    for (const target of ramp) {
      signal.throwIfAborted();
      while (rooms.length < target) rooms.push(await openBenchRoom(pool, capture, replayer, sink.port));
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const before = await snapshot(pool, worker, rooms);
      await new Promise((resolve) => setTimeout(resolve, stepSeconds * 1000));
      const after = await snapshot(pool, worker, rooms);
      const seconds = (after.at - before.at) / 1000;
      const workerCpuPct = (100 * (after.cpuMs - before.cpuMs)) / 1000 / seconds;
      const packetsIn = after.producerPackets - before.producerPackets;
      const lostIn = after.producerLost - before.producerLost;
      const forwarded = after.consumerPackets - before.consumerPackets;
      // Lost on the way in (sequence gaps the SFU saw) plus received but not forwarded.
      const lossPct = packetsIn > 0 ? (100 * (lostIn + Math.max(0, packetsIn - forwarded))) / (packetsIn + lostIn) : 100;
      const inKbps = ((after.producerBytes - before.producerBytes) * 8) / 1000 / seconds;
      const offeredKbps = rooms.length * roomKbps;
      const generatorLimited = inKbps < GENERATOR_SHARE * offeredKbps;
      const step: CapacityStep = {
        rooms: rooms.length,
        streams: rooms.length,
        consumers: rooms.length * 2,
        workerCpuPct,
        cpuPctPerStream: workerCpuPct / rooms.length,
        inKbps,
        offeredKbps,
        generatorLimited,
        lossPct,
        benchCpuPct: (100 * (after.benchCpuMs - before.benchCpuMs)) / 1000 / seconds,
        passed: !generatorLimited && lossPct <= LOSS_LIMIT_PCT && workerCpuPct <= CPU_LIMIT_PCT,
      };
      steps.push(step);
      progress(
        `capacity: ${step.rooms} rooms: worker ${step.workerCpuPct.toFixed(1)} % CPU, ${(inKbps / 1000).toFixed(1)} of ${(offeredKbps / 1000).toFixed(1)} Mbit/s in, loss ${step.lossPct.toFixed(2)} %${generatorLimited ? ' (replayer fell behind: stopping)' : ''}`,
      );
      if (!step.passed) break;
    }
  } finally {
    replayer.close();
    sink.close();
    pool.close();
    await rm(dir, { recursive: true, force: true });
  }
  const passing = steps.filter((step) => step.passed);
  const last = passing.at(-1);
  const failed = steps.find((step) => !step.passed && !step.generatorLimited);
  // When the ramp never failed, the core's limit is projected from the CPU cost per stream.
  const projected = last ? Math.floor(CPU_LIMIT_PCT / Math.max(last.cpuPctPerStream, 0.01)) : 0;
  const largestRoomsPerCore = failed ? (last?.rooms ?? 0) : projected;
  const basis = failed
    ? `measured: ${failed.rooms} rooms failed (${failed.lossPct > LOSS_LIMIT_PCT ? `loss ${failed.lossPct.toFixed(2)} %` : `worker at ${failed.workerCpuPct.toFixed(0)} % CPU`})`
    : `projected from ${last?.cpuPctPerStream.toFixed(2)} % CPU per stream at ${last?.rooms} rooms (${CPU_LIMIT_PCT} % of a core); no loss up to ${last?.rooms} rooms${steps.some((step) => step.generatorLimited) ? ', where the replayer on this machine could offer no more' : ''}`;
  return { steps, largestRoomsPerCore, basis, consumersAtLimit: largestRoomsPerCore * 2 };
}

async function openBenchRoom(pool: WorkerPool, capture: Capture, replayer: RtpReplayer, sinkPort: number): Promise<BenchRoom> {
  const room = await Room.create(pool);
  const producers: PlainInput[] = [];
  const consumers: PlainConsumer[] = [];
  for (const kind of ['video', 'audio'] as const) {
    const ssrc = 100_000_000 + Math.floor(Math.random() * 900_000_000);
    const producer = await room.plainInput(
      kind,
      kind === 'video'
        ? { codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.payloadType, clockRate: 90000 }], encodings: [{ ssrc }] }
        : { codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.payloadType, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
      '127.0.0.1',
    );
    const output = await room.plainOutput(producer.producerId, { ip: '127.0.0.1', port: sinkPort, rtcpPort: sinkPort });
    await output.consumer.resume();
    producers.push(producer);
    consumers.push(output.consumer);
    replayer.add({ port: producer.port, ssrc, stream: kind === 'video' ? capture.video : capture.audio });
  }
  return { producers, consumers };
}

/** Where the consumers send: read and dropped (the worker's own counters say what it sent). */
async function discardSink(): Promise<{ port: number; close(): void }> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('message', () => {});
  return { port: socket.address().port, close: () => socket.close() };
}

async function snapshot(pool: WorkerPool, worker: number, rooms: BenchRoom[]) {
  const cpuMs = await pool.cpuTimeMs(worker);
  const bench = process.cpuUsage();
  let producerPackets = 0;
  let producerBytes = 0;
  let producerLost = 0;
  let consumerPackets = 0;
  for (const { producers, consumers } of rooms) {
    for (const producer of producers) {
      for (const stat of await producer.stats()) {
        producerPackets += stat.packetCount;
        producerBytes += stat.byteCount;
        producerLost += Math.max(0, stat.packetsLost);
      }
    }
    for (const consumer of consumers) consumerPackets += await consumer.packetsSent();
  }
  return {
    at: performance.now(),
    cpuMs,
    benchCpuMs: (bench.user + bench.system) / 1000,
    producerPackets,
    producerBytes,
    producerLost,
    consumerPackets,
  };
}

function format(report: Report): string {
  const { join: joins, capacity } = report;
  const ms = (value: number) => value.toFixed(0);
  return [
    'Proctor SFU benchmark',
    ...machineLines(report.machine).filter((line) => !line.includes('postgres')),
    '',
    `Join time: createTransport → first RTP at the SFU, ${joins.joins} headless Chromium joins on loopback (1 worker)`,
    ...table(
      1,
      ['measure', 'p50 ms', 'p95 ms', 'max ms'],
      [
        ['first RTP after createTransport', ms(joins.firstRtp.p50Ms), ms(joins.firstRtp.p95Ms), ms(joins.firstRtp.maxMs)],
        ['baseline: one GraphQL round trip', joins.signalingRtt.p50Ms.toFixed(1), joins.signalingRtt.p95Ms.toFixed(1), joins.signalingRtt.maxMs.toFixed(1)],
      ],
    ),
    '',
    `Browser streams: ${joins.webrtc.candidates} candidate pages (camera + mic) each consumed by a host page — ${joins.webrtc.consumers} WebRTC consumers, SRTP both ways`,
    ...table(
      0,
      ['streams', 'Mbit/s in', 'worker CPU %', 'CPU % per stream (in + its consumers)'],
      [[String(joins.webrtc.candidates), (joins.webrtc.inKbps / 1000).toFixed(2), joins.webrtc.workerCpuPct.toFixed(1), joins.webrtc.cpuPctPerStream.toFixed(2)]],
    ),
    '',
    'Capacity: one worker (one core); per room one candidate stream (VP8 ~500 kbps + opus from ffmpeg, its RTP replayed into PlainTransports) and one consumer per track',
    ...table(
      0,
      ['rooms', 'consumers', 'worker CPU %', 'CPU % per stream', 'Mbit/s offered', 'Mbit/s in', 'loss %', 'bench CPU %', 'verdict'],
      capacity.steps.map((step) => [
        String(step.rooms),
        String(step.consumers),
        step.workerCpuPct.toFixed(1),
        step.cpuPctPerStream.toFixed(2),
        (step.offeredKbps / 1000).toFixed(1),
        (step.inKbps / 1000).toFixed(1),
        step.lossPct.toFixed(2),
        step.benchCpuPct.toFixed(0),
        step.generatorLimited ? 'replayer behind' : step.passed ? 'ok' : 'LIMIT',
      ]),
    ),
    `  largest N per core before loss passes ${LOSS_LIMIT_PCT} %: ${capacity.largestRoomsPerCore} rooms (${capacity.consumersAtLimit} consumers) — ${capacity.basis}`,
    `  anchor: ${report.anchor}; a production room also has the host's 2 consumers and the recorder's 2 (4 per room ≈ ${Math.floor(MEDIASOUP_CONSUMERS_PER_WORKER / 4)} rooms at 500 consumers)`,
    '',
    `Total ${report.totalSeconds.toFixed(0)} s`,
  ].join('\n');
}
