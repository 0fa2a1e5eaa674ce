// `node bench/tls.ts [--seconds S] [--rounds R] [--rate N] [--json] [--budget S]`
//
// What serving HTTPS and WSS itself (PROCTOR_TLS_CERT / PROCTOR_TLS_KEY) costs the server, against
// plain HTTP, in the same run: two `proctor up` processes on the embedded database, one with a
// certificate made here with openssl, each with simulated candidates on graphql-ws sockets (WSS
// for the TLS one) reporting N events/s (default 1,000) in total. The measured stretches
// alternate, plain then TLS, R rounds (default 3) of S seconds (default 15) each, so drift on a
// shared machine falls on both sides; the report gives each server process's CPU (PGlite
// included) during its stretches and the difference. Figures are measured, not asserted.
// Bounded like every bench (--budget, default 10 minutes). Progress goes to stderr.
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { parseArgs } from 'node:util';
import { TestPki } from '../test/support/tls.ts';
import { embeddedStorage, type Storage } from './support/dataset.ts';
import { startCpuWindow } from './support/cpu-window.ts';
import { candidatesFor, LiveLoad, Phase } from './support/live-load.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { freePort, ProctorProcess } from './support/proctor-process.ts';
import { progress, table } from './support/report.ts';
import { budgetMs, positiveInteger, runBench } from './support/run.ts';

const INTERVIEWS = 5;
const WARM_UP_MS = 3_000;
const SETTLE_MS = 2_000;

interface Side {
  name: 'plain HTTP' | 'HTTPS (Proctor)';
  server: ProctorProcess;
  storage: Storage;
  load: LiveLoad;
  serverPercent: number[];
  acknowledgedEvents: number;
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
    budget: { type: 'string', default: '600' },
  },
});
const seconds = positiveInteger('--seconds', values.seconds);
const rounds = positiveInteger('--rounds', values.rounds);
const rate = positiveInteger('--rate', values.rate, 'events per second');
const machine = machineFacts('embedded (PGlite, in the server process)', loadavg()[0]!);

runBench(budgetMs(values.budget), async (signal) => {
  const pki = await TestPki.create();
  const systemCAs = getCACertificates('default');
  const sides: Side[] = [];
  try {
    const leaf = await pki.issue('localhost');
    // The load generator's WSS sockets and /readyz probes trust the bench's own CA.
    setDefaultCACertificates([...systemCAs, await readFile(pki.caCert, 'utf8')]);
    for (const tls of [undefined, { cert: leaf.cert, key: leaf.key }]) {
      const name = tls ? 'HTTPS (Proctor)' : 'plain HTTP';
      const storage = await embeddedStorage();
      progress(`${name}: starting proctor up`);
      const server = await ProctorProcess.start({ port: await freePort(), dataDir: storage.dataDir, tls }, signal);
      const load = await LiveLoad.prepare(server.url, INTERVIEWS);
      sides.push({ name, server, storage, load, serverPercent: [], acknowledgedEvents: 0 });
      const candidates = candidatesFor(rate);
      await load.addCandidates(candidates, signal, (joined) => progress(`${name}: ${joined}/${candidates} candidates joined`));
      load.startHeartbeats();
      await load.offer(new Phase('warm-up', rate, WARM_UP_MS), signal);
    }
    for (let round = 1; round <= rounds; round++) {
      for (const side of sides) {
        progress(`round ${round}/${rounds}: ${side.name}, ${seconds} s at ${rate.toLocaleString('en')} events/s`);
        const phase = new Phase(`${side.name} ${round}`, rate, seconds * 1000);
        const end = await startCpuWindow(side.server, side.storage);
        await side.load.offer(phase, signal);
        side.serverPercent.push((await end()).serverPercent);
        await side.load.settle(phase, SETTLE_MS, signal);
        side.acknowledgedEvents += phase.summary().acknowledgedEvents;
      }
    }
    report(sides);
  } finally {
    for (const side of sides) {
      await side.load.close();
      await side.server.stop();
      await side.storage.drop();
    }
    setDefaultCACertificates(systemCAs);
    await pki.close();
  }
});

function report(sides: Side[]): void {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const results = sides.map((side) => ({
    name: side.name,
    serverCpuPercent: mean(side.serverPercent),
    perRound: side.serverPercent,
    acknowledgedEventsPerSecond: side.acknowledgedEvents / (rounds * seconds),
  }));
  const [plain, tls] = results as [(typeof results)[0], (typeof results)[0]];
  const extra = { percentOfOneCore: tls.serverCpuPercent - plain.serverCpuPercent, relative: tls.serverCpuPercent / plain.serverCpuPercent - 1 };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rate, seconds, rounds, candidates: candidatesFor(rate), results, extra, machine })}\n`);
    return;
  }
  const lines = [
    `TLS listener cost: ${rate.toLocaleString('en')} events/s offered from ${candidatesFor(rate)} candidates, ${rounds} × ${seconds} s per side, alternating, embedded database`,
    ...machineLines(machine),
    ...table(
      1,
      ['server', 'CPU % of one core (mean)', 'per round', 'acked events/s'],
      results.map((r) => [r.name, r.serverCpuPercent.toFixed(1), r.perRound.map((p) => p.toFixed(1)).join(' / '), r.acknowledgedEventsPerSecond.toFixed(0)]),
    ),
    `  TLS costs ${extra.percentOfOneCore.toFixed(1)} points of one core more (${(100 * extra.relative).toFixed(0)} % of the plain server's CPU)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
