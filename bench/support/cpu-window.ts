// CPU use over a stretch of load, in percent of one core, for both benches:
// the server process (PGlite included on the embedded database), the PostgreSQL backends of the
// bench's database (local server only), this load generator, the rest of the machine, and steal.
// The live bench runs everything on the same 2 cores, so who used them says who limited a figure.
import { cpuSecondsBetween, machineCpuSeconds, processesCpuSeconds } from './cpu.ts';
import type { Storage } from './dataset.ts';
import type { ProctorProcess } from './proctor-process.ts';

export interface CpuShare {
  serverPercent: number;
  /** Null on the embedded database (counted in the server) or a remote server. */
  databasePercent: number | null;
  benchPercent: number;
  otherPercent: number;
  stealPercent: number;
}

/** Starts measuring now; the returned function ends the window and gives the shares. */
export async function startCpuWindow(server: ProctorProcess, storage: Storage): Promise<() => Promise<CpuShare>> {
  const before = await readings(server, storage);
  const benchBefore = process.cpuUsage();
  const started = performance.now();
  return async () => {
    const seconds = (performance.now() - started) / 1000;
    const bench = process.cpuUsage(benchBefore);
    const after = await readings(server, storage);
    const percent = (cpuSeconds: number) => (100 * cpuSeconds) / seconds;
    const serverPercent = percent(after.server - before.server);
    // Backends that connected during the window count from zero; that is what they used.
    const databasePercent = before.database && after.database ? percent(cpuSecondsBetween(before.database, after.database)) : null;
    const benchPercent = percent((bench.user + bench.system) / 1e6);
    const accounted = serverPercent + (databasePercent ?? 0) + benchPercent;
    return {
      serverPercent,
      databasePercent,
      benchPercent,
      // Per-process and machine times tick separately (10 ms), so a quiet machine can come out a hair below zero.
      otherPercent: Math.max(0, percent(after.machine.busy - before.machine.busy) - accounted),
      stealPercent: percent(after.machine.steal - before.machine.steal),
    };
  };
}

async function readings(server: ProctorProcess, storage: Storage) {
  const backends = await storage.backendPids();
  return {
    server: await server.cpuSeconds(),
    database: backends && (await processesCpuSeconds(backends)),
    machine: await machineCpuSeconds(),
  };
}
