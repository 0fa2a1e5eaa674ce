// The peak resident memory of this process's child processes of one name (ffmpeg under a job), read
// from /proc while they run: Node reports only its own. VmHWM is the kernel's own high-water mark,
// so sampling once a second misses at most the last second of a child's life.
import { readFile } from 'node:fs/promises';

const SAMPLE_MS = 1_000;

/** Starts watching children named `name`; the returned function stops and gives the highest VmHWM seen, in bytes (0 if none ran). */
export function watchChildMemory(name: string): () => Promise<number> {
  let peakKiB = 0;
  const sample = async () => {
    const children = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').catch(() => '');
    for (const pid of children.split(/\s+/).filter(Boolean)) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      if (status.match(/^Name:\s*(\S+)/m)?.[1] !== name) continue;
      peakKiB = Math.max(peakKiB, Number(status.match(/^VmHWM:\s*(\d+) kB/m)?.[1] ?? 0));
    }
  };
  const timer = setInterval(() => void sample(), SAMPLE_MS);
  return async () => {
    clearInterval(timer);
    await sample();
    return peakKiB * 1024;
  };
}
