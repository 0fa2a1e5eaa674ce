// Reads V8 CPU profiles (`node --cpu-prof`) of the server and sums self time by where the code
// comes from: an npm package, Node's own modules, Proctor's source by top folder, or V8's
// pseudo-frames (garbage collector, program). Enough to tell what limits throughput without
// opening DevTools; the .cpuprofile files stay on disk for that.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Of all sampled time except idle. */
  percent: number;
}

export interface ProfileSummary {
  files: string[];
  /** Sampled time except idle, in ms. */
  busyMs: number;
  byPackage: SelfTime[];
  topFunctions: SelfTime[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IDLE = '(idle)';

/** Every .cpuprofile in `dir`, summed. */
export async function summarizeProfiles(dir: string, top: number): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).map((file) => join(dir, file));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    for (const [node, ms] of selfTimes(profile)) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = origin(url, functionName);
      add(packages, where, ms);
      if (where !== IDLE) add(functions, `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`, ms);
    }
  }
  const busyMs = [...packages].reduce((sum, [name, ms]) => (name === IDLE ? sum : sum + ms), 0);
  const ranked = (totals: Map<string, number>) =>
    [...totals]
      .filter(([name]) => name !== IDLE)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, selfMs]) => ({ name, selfMs, percent: (100 * selfMs) / busyMs }));
  return { files, busyMs, byPackage: ranked(packages), topFunctions: ranked(functions) };
}

/** Self time per profile node: each sample's time delta goes to the node it hit. */
function selfTimes(profile: CpuProfile): Map<CpuProfile['nodes'][number], number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<CpuProfile['nodes'][number], number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    times.set(node, (times.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return times;
}

/** An npm package, `node:` built-ins, proctor's own folder, or V8's pseudo-frame name. */
function origin(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native: V8 builtins, Node bindings such as socket writes)';
  // PGlite's PostgreSQL, compiled to WebAssembly, runs on the server's main thread.
  if (url.startsWith('wasm://')) return "WebAssembly (PGlite's PostgreSQL)";
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith('node:')) return 'node (built-in modules)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith(PROJECT_ROOT)) return `proctor ${path.slice(PROJECT_ROOT.length).split('/')[0]}/`;
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  return url.startsWith(`file://${PROJECT_ROOT}`) ? url.slice(`file://${PROJECT_ROOT}`.length) : url;
}

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}
