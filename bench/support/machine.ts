// What a bench report says about the machine it ran on, so figures from different runs compare.
import { cpus, release, totalmem } from 'node:os';

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  postgres: string;
  loadAverageAtStart: number;
}

export function machineFacts(postgres: string, loadAverageAtStart: number): MachineFacts {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    postgres,
    loadAverageAtStart,
  };
}

/** The report's opening lines about the machine. */
export function machineLines(machine: MachineFacts): string[] {
  return [
    `  machine   ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${machine.kernel}`,
    `  load      ${machine.loadAverageAtStart.toFixed(2)} (1-minute load average before the bench started)`,
    `  node      ${machine.node}`,
    `  postgres  ${machine.postgres}`,
  ];
}
