// CPU time from /proc (Linux), to tell who limited a load: the server, the load generator, or
// something else on the machine (other processes, or a hypervisor stealing cycles).
import { readFile } from 'node:fs/promises';

/** USER_HZ, the unit of /proc times: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself contain spaces: state is
  // field 3, utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds per process, leaving out processes that are gone (a pool closed a connection). */
export async function processesCpuSeconds(pids: number[]): Promise<Map<number, number>> {
  const entries = await Promise.all(pids.map(async (pid) => [pid, await processCpuSeconds(pid).catch(() => undefined)] as const));
  return new Map(entries.filter((entry): entry is readonly [number, number] => entry[1] !== undefined));
}

/** CPU the processes used between two readings; processes that appeared in between count from zero. */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

export interface MachineCpu {
  /** Seconds any core spent busy, summed over cores. */
  busy: number;
  /** Seconds the hypervisor ran something else while a core of this machine wanted to run. */
  steal: number;
}

export async function machineCpuSeconds(): Promise<MachineCpu> {
  const stat = await readFile('/proc/stat', 'utf8');
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", summed over cores;
  // guest time is already counted in user.
  const [user, nice, system, , , irq, softirq, steal] = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return {
    busy: (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS_PER_SECOND,
    steal: steal! / CLOCK_TICKS_PER_SECOND,
  };
}
